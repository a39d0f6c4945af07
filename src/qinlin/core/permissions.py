"""Who may do what, where: one table of actions per role, and one function that reads it.

A role is held at a place and reaches everything under that place. `can(person, action, obj)`
is true when the person holds, today, one of the action's roles at the object's place or at
one of its ancestors. Household roles (resident, owner) come from confirmed residencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from qinlin.core.roles import Role

if TYPE_CHECKING:
    from qinlin.people.models import Person

R = Role

# Roles that run a compound's affairs day to day (the "1+2+N" team and the grid worker).
COMPOUND_TEAM = frozenset(
    {
        R.GRID_WORKER,
        R.BRANCH_SECRETARY,
        R.OWNERS_COMMITTEE,
        R.PROPERTY_STAFF,
        R.COMMUNITY_STAFF,
        R.SUBDISTRICT_ADMIN,
    }
)
BUILDING_TEAM = COMPOUND_TEAM | {R.BUILDING_HEAD, R.UNIT_HEAD}
COMMUNITY_OFFICE = frozenset({R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN})
# Who keeps a topic's record at the compound: the branch, the owners' committee, the grid.
TOPIC_KEEPERS = frozenset(
    {R.GRID_WORKER, R.BRANCH_SECRETARY, R.OWNERS_COMMITTEE, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
)

PERMISSIONS: dict[str, frozenset[Role]] = {
    # --- places -------------------------------------------------------------------------
    # The homes of a place with areas and register numbers (compounds and buildings are public).
    "places.view_homes": BUILDING_TEAM,
    # Load or replace a compound's buildings, units, homes and owners from a spreadsheet.
    "places.import": frozenset({R.GRID_WORKER, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # The same spreadsheet back out; it carries owners' phone numbers, so the same roles.
    "places.export": frozenset({R.GRID_WORKER, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # --- people -------------------------------------------------------------------------
    # The list of people living or working under a place, phones masked.
    "people.view_people": BUILDING_TEAM,
    # A phone number in full; every such view is written to the audit log.
    "people.view_phone": frozenset(
        {R.GRID_WORKER, R.PROPERTY_STAFF, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # Confirm or reject a resident's claim to a home.
    "people.decide_residency": frozenset(
        {R.BUILDING_HEAD, R.GRID_WORKER, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # Print one-time claim codes for homes.
    "people.issue_claim_codes": frozenset({R.GRID_WORKER, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # Give or end a role at a place.
    "people.assign_role": COMMUNITY_OFFICE,
    # Hand a person everything stored about them, or erase it on their request (PIPL arts.
    # 45 and 47); both are audited. People download their own export without this role.
    "people.personal_data": frozenset({R.SUBDISTRICT_ADMIN}),
    # --- organisations ------------------------------------------------------------------
    # Form a party branch for compounds of a community and enrol its members.
    "organisations.manage_branches": COMMUNITY_OFFICE,
    # Register partner units and their resources, and link a resource to where it is used.
    "organisations.partners": COMMUNITY_OFFICE | {R.BRANCH_SECRETARY, R.PARTNER_CONTACT},
    # Announce activities, change or cancel them, and record attendance.
    "organisations.activities": COMMUNITY_OFFICE
    | {R.BRANCH_SECRETARY, R.GRID_WORKER, R.PARTNER_CONTACT},
    # --- appeals ------------------------------------------------------------------------
    # Enter appeals heard offline (building-door meetings, visits, calls) for a place.
    "appeals.enter": BUILDING_TEAM,
    # The inbox of appeals under a place, with reporters' names and masked phones.
    "appeals.view_inbox": BUILDING_TEAM,
    # Accept appeals into a topic, refer them to another body, reject or mark them resolved.
    "appeals.triage": frozenset(
        {R.GRID_WORKER, R.BRANCH_SECRETARY, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # Load a chat group's export of appeals from a spreadsheet.
    "appeals.import": frozenset({R.GRID_WORKER, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # Add, rename or retire appeal categories.
    "appeals.manage_categories": COMMUNITY_OFFICE,
    # --- topics -------------------------------------------------------------------------
    # The board of topics under a place, with their meetings and the staff's next actions.
    "topics.view_board": frozenset(
        BUILDING_TEAM | {R.DEPUTY, R.LEGAL_ADVISER, R.THIRD_PARTY, R.EXPERT}
    ),
    # Accept a proposed topic for local deliberation, reject it or refer it elsewhere.
    "topics.accept": frozenset(
        {R.GRID_WORKER, R.BRANCH_SECRETARY, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # Conclude local deliberation (先行商议) or send the topic up to the community.
    "topics.deliberate": TOPIC_KEEPERS,
    # The community party committee's review, consultation, the vote's result and the close.
    "topics.review": COMMUNITY_OFFICE,
    # Start the execution of a decided topic and accept the work.
    "topics.execute": frozenset(
        {R.BRANCH_SECRETARY, R.OWNERS_COMMITTEE, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # Edit a topic's details, its options (方案) and the people responsible.
    "topics.edit": TOPIC_KEEPERS,
    # Convene meetings, invite participants, sign them in, record minutes and hands.
    "topics.run_meetings": TOPIC_KEEPERS | {R.BUILDING_HEAD},
    # --- votes --------------------------------------------------------------------------
    # Put a topic's options to the owners of a scope: the Art. 278 item, period, secrecy.
    "votes.open": frozenset({R.OWNERS_COMMITTEE, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # Record paper ballots collected door to door and written proxies (not the property
    # company, whose own interest is often at stake).
    "votes.record": frozenset(
        {
            R.BUILDING_HEAD,
            R.UNIT_HEAD,
            R.BACKBONE,
            R.GRID_WORKER,
            R.BRANCH_SECRETARY,
            R.OWNERS_COMMITTEE,
            R.COMMUNITY_STAFF,
            R.SUBDISTRICT_ADMIN,
        }
    ),
    # Close a vote before or at its deadline; the binding tally is computed then.
    "votes.close": frozenset({R.OWNERS_COMMITTEE, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # Each home's choice in an open (named) vote; nobody sees them in a secret vote.
    "votes.view_choices": frozenset({R.OWNERS_COMMITTEE, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}),
    # --- works --------------------------------------------------------------------------
    # Set the tasks of a decided topic, with who is responsible and by when.
    "works.manage_tasks": TOPIC_KEEPERS,
    # Report progress on any task under a place (the person responsible may always report).
    "works.report": TOPIC_KEEPERS | {R.PROPERTY_STAFF, R.BUILDING_HEAD},
    # Open a public tender for a decided topic's work, enter bids, publish them, award it.
    "works.tender": frozenset(
        {R.OWNERS_COMMITTEE, R.BRANCH_SECRETARY, R.COMMUNITY_STAFF, R.SUBDISTRICT_ADMIN}
    ),
    # --- disclosure ---------------------------------------------------------------------
    # Set up the notice boards, chat groups and other channels of a place.
    "disclosure.channels": COMMUNITY_OFFICE | {R.GRID_WORKER, R.BRANCH_SECRETARY},
    # Draft, publish and withdraw notices; record objections made in person and answer them.
    "disclosure.publish": TOPIC_KEEPERS,
    # Register, assign, answer or refuse requests for disclosure (依申请公开).
    "disclosure.requests": COMMUNITY_OFFICE | {R.GRID_WORKER, R.BRANCH_SECRETARY},
    # --- evaluation ---------------------------------------------------------------------
    # Record an audit assessment of a topic's execution (the panel's findings and verdict).
    "evaluation.audit": COMMUNITY_OFFICE | {R.BRANCH_SECRETARY, R.THIRD_PARTY, R.EXPERT},
    # Open and end the satisfaction survey of a topic's homes, and see who answered.
    "evaluation.survey": TOPIC_KEEPERS,
    # Write down a home's answer to a satisfaction survey door to door.
    "evaluation.record": BUILDING_TEAM,
    # Build, publish and read the results of survey campaigns; record answers door to door.
    "evaluation.campaigns": COMMUNITY_OFFICE | {R.THIRD_PARTY},
    # Assign, answer and resolve feedback items, or turn them into appeals.
    "evaluation.feedback": TOPIC_KEEPERS | {R.PROPERTY_STAFF},
    # --- stats --------------------------------------------------------------------------
    # The figures of a place and period and the lists behind them. Those who run the place's
    # affairs, and those who oversee them from outside (deputies, third-party evaluators): the
    # figures are what the subdistrict reports publicly. The lists show residents' own words
    # (appeals, requests, feedback) only to those who handle them there, and link to records
    # whose pages check their own permission.
    "stats.view": COMMUNITY_OFFICE | {R.BRANCH_SECRETARY, R.GRID_WORKER, R.DEPUTY, R.THIRD_PARTY},
    # --- notify -------------------------------------------------------------------------
    # Connect the group robots of a place's chat groups and choose what they post.
    "notify.robots": COMMUNITY_OFFICE | {R.GRID_WORKER, R.BRANCH_SECRETARY},
    # See the messages sent about a place, and send a failed or doubtful one again.
    "notify.outbox": COMMUNITY_OFFICE | {R.GRID_WORKER},
    # --- core ---------------------------------------------------------------------------
    # The staff workspace and its start page.
    "core.use_workspace": frozenset(
        BUILDING_TEAM | {R.DEPUTY, R.LEGAL_ADVISER, R.THIRD_PARTY, R.EXPERT, R.PARTNER_CONTACT}
    ),
    # Read the audit log of a place.
    "core.view_audit": COMMUNITY_OFFICE,
    # --- api ----------------------------------------------------------------------------
    # Issue and revoke API tokens for integrations (hotline systems and the like).
    "api.manage_tokens": frozenset({R.SUBDISTRICT_ADMIN}),
}


def place_paths_of(obj: Any) -> list[str] | None:
    """The places an object belongs to (a person belongs to the homes they live in).

    None means "no object": the question is whether the person holds the role anywhere.
    """
    if obj is None:
        return None
    path = getattr(obj, "path", None)
    if isinstance(path, str):
        return [path]
    for attr in ("place", "home"):
        place = getattr(obj, attr, None)
        if place is not None and isinstance(getattr(place, "path", None), str):
            return [place.path]
    paths = getattr(obj, "qinlin_place_paths", None)
    if callable(paths):
        result: list[str] = paths()
        return result
    raise TypeError(f"{type(obj).__name__} does not belong to a place")


def roles_reach(
    held: Iterable[tuple[str, str]], allowed: frozenset[Role], paths: list[str] | None
) -> bool:
    """True when one held (role, place path) is allowed and sits at or above one of `paths`."""
    for role, place_path in held:
        if role not in allowed:
            continue
        if paths is None or any(path.startswith(place_path) for path in paths):
            return True
    return False


def can(person: Person | None, action: str, obj: Any = None) -> bool:
    """May `person` do `action` to `obj`? With no object: do they hold such a role anywhere?"""
    allowed = PERMISSIONS[action]
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    from qinlin.people.selectors import person_active_roles

    return roles_reach(person_active_roles(person), allowed, place_paths_of(obj))


def roles_for(action: str) -> frozenset[Role]:
    return PERMISSIONS[action]
