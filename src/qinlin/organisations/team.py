"""Reads of the party organisation as residents meet it (domain.md §1, mechanism 1): a
compound's "1+2+N" governance team and the branches of a community.

The team is computed, never kept by hand: the branch (1) from the branches covering the
compound and their secretaries; the owners' committee and the property company (2) and the
others (N) from the role assignments held today at or under the compound; the party members
who report to the compound (党员到小区报到) from the memberships and the party-member role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qinlin.core.permissions import can
from qinlin.core.roles import Role
from qinlin.organisations.models import BranchKind, MemberRole, PartyBranch, PartyMembership
from qinlin.people.models import Person, RoleAssignment
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import SEGMENT, Place, PlaceKind

# The "N" of 1+2+N, in the order the team card lists them. A volunteer role joins the list
# by its value once `Role` has one, without a change here.
N_ROLE_VALUES = ("building_head", "unit_head", "backbone", "resident_rep", "volunteer")
N_ROLES: tuple[Role, ...] = tuple(Role(value) for value in N_ROLE_VALUES if value in Role.values)
TWO_ROLES = (Role.OWNERS_COMMITTEE, Role.PROPERTY_STAFF)
LEADER_ROLES = (MemberRole.SECRETARY, MemberRole.DEPUTY_SECRETARY)


@dataclass(frozen=True)
class TeamPerson:
    """One person in one role of the team, at the place where they hold it."""

    person: Person
    role: str
    role_label: str
    place: Place


@dataclass(frozen=True)
class TeamGroup:
    role: str
    role_label: str
    people: list[TeamPerson]


@dataclass(frozen=True)
class TeamBranch:
    branch: PartyBranch
    secretary: Person | None
    deputies: list[Person]
    compounds: list[Place]
    member_count: int

    @property
    def is_joint(self) -> bool:
        return self.branch.kind == BranchKind.JOINT


@dataclass(frozen=True)
class ReportingMember:
    """A party member who reports and serves at the compound; `branch` is None for one who
    holds the party-member role there without a membership recorded here."""

    person: Person
    branch: PartyBranch | None
    role_label: str


@dataclass(frozen=True)
class Team:
    compound: Place
    branches: list[TeamBranch]
    # People holding the branch-secretary role at the compound who are not recorded as a
    # covering branch's secretary (a role given before the branch was entered).
    other_secretaries: list[TeamPerson]
    owners_committee: list[TeamPerson]
    property_company: list[TeamPerson]
    others: list[TeamGroup]
    party_members: list[ReportingMember]

    @property
    def others_count(self) -> int:
        return sum(len(group.people) for group in self.others)

    @property
    def is_empty(self) -> bool:
        return not (
            self.branches
            or self.other_secretaries
            or self.owners_committee
            or self.property_company
            or self.others
            or self.party_members
        )


def _active_today() -> Q:
    today = timezone.localdate()
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def _branches(qs: QuerySet[PartyBranch]) -> QuerySet[PartyBranch]:
    """Branches with their compounds, leaders and member count: three queries in all."""
    return (
        qs.annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            Prefetch("compounds", queryset=Place.objects.order_by("path")),
            Prefetch(
                "memberships",
                queryset=PartyMembership.objects.filter(role__in=LEADER_ROLES)
                .select_related("person")
                .order_by("role", "person__name", "id"),
                to_attr="leaders",
            ),
        )
        .order_by("name", "id")
    )


def _team_branch(branch: PartyBranch) -> TeamBranch:
    leaders: list[PartyMembership] = getattr(branch, "leaders", [])
    secretary = next((m.person for m in leaders if m.role == MemberRole.SECRETARY), None)
    return TeamBranch(
        branch=branch,
        secretary=secretary,
        deputies=[m.person for m in leaders if m.role == MemberRole.DEPUTY_SECRETARY],
        compounds=list(branch.compounds.all()),
        member_count=int(getattr(branch, "member_count", 0)),
    )


def compound_team(compound: Place) -> Team:
    """The compound's 1+2+N team as of today, in five queries whatever its size."""
    branches = [_team_branch(b) for b in _branches(PartyBranch.objects.filter(compounds=compound))]
    wanted = (Role.BRANCH_SECRETARY, Role.PARTY_MEMBER, *TWO_ROLES, *N_ROLES)
    assignments = list(
        RoleAssignment.objects.filter(
            _active_today(),
            compound.subtree_q("place__"),
            role__in=wanted,
            person__is_active=True,
        )
        .select_related("person", "place")
        .order_by("role", "place__path", "person__name", "person_id")
    )
    by_role: dict[str, list[TeamPerson]] = {}
    seen: set[tuple[str, int]] = set()
    for a in assignments:
        # One line per person and role: a building head of two buildings is listed once.
        if (a.role, a.person_id) in seen:
            continue
        seen.add((a.role, a.person_id))
        by_role.setdefault(a.role, []).append(
            TeamPerson(
                person=a.person, role=a.role, role_label=str(Role(a.role).label), place=a.place
            )
        )
    recorded = {b.secretary.pk for b in branches if b.secretary is not None}
    other_secretaries = [
        p
        for p in by_role.get(Role.BRANCH_SECRETARY, [])
        if p.place.pk == compound.pk and p.person.pk not in recorded
    ]
    return Team(
        compound=compound,
        branches=branches,
        other_secretaries=other_secretaries,
        owners_committee=by_role.get(Role.OWNERS_COMMITTEE, []),
        property_company=by_role.get(Role.PROPERTY_STAFF, []),
        others=[
            TeamGroup(role=role.value, role_label=str(role.label), people=by_role[role])
            for role in N_ROLES
            if by_role.get(role)
        ],
        party_members=_reporting(compound, branches, by_role.get(Role.PARTY_MEMBER, [])),
    )


def _reporting(
    compound: Place, branches: list[TeamBranch], role_holders: list[TeamPerson]
) -> list[ReportingMember]:
    """Members whose `reports_to` is the compound; members of a covering branch with no
    `reports_to` when the branch covers this compound alone or they hold the party-member
    role here (branch_enrol gives it at the compound they report to); and holders of that role
    with no membership found."""
    holders = {p.person.pk for p in role_holders}
    single = {b.branch.pk for b in branches if len(b.compounds) == 1}
    memberships = (
        PartyMembership.objects.filter(
            Q(reports_to=compound)
            | Q(reports_to__isnull=True, branch__in=[b.branch.pk for b in branches])
        )
        .select_related("person", "branch")
        .order_by("person__name", "person_id", "branch__name")
    )
    found: list[ReportingMember] = []
    listed: set[int] = set()
    for m in memberships:
        if m.reports_to_id is None and m.branch_id not in single and m.person_id not in holders:
            continue
        if m.person_id in listed:
            continue
        listed.add(m.person_id)
        found.append(
            ReportingMember(person=m.person, branch=m.branch, role_label=m.get_role_display())
        )
    for p in role_holders:
        if p.person.pk not in listed:
            listed.add(p.person.pk)
            found.append(ReportingMember(person=p.person, branch=None, role_label=p.role_label))
    return sorted(found, key=lambda r: (r.person.name, r.person.pk))


# --- the branches of a community -------------------------------------------------------------


@dataclass(frozen=True)
class BranchCounts:
    single: int
    joint: int
    members: int

    @property
    def total(self) -> int:
        return self.single + self.joint


def community_branches(community: Place) -> list[TeamBranch]:
    """The community's branches with kind, compounds, secretary and member count (3 queries)."""
    return [_team_branch(b) for b in _branches(PartyBranch.objects.filter(community=community))]


def branch_counts(branches: list[TeamBranch]) -> BranchCounts:
    """Counts for the top of the branches page; members are memberships (a person in two
    branches counts in each, as each branch reports its own roll)."""
    return BranchCounts(
        single=sum(1 for b in branches if not b.is_joint),
        joint=sum(1 for b in branches if b.is_joint),
        members=sum(b.member_count for b in branches),
    )


def branch_get(uid: str) -> PartyBranch | None:
    """One branch with its community, compounds and every member (who, role, where they
    report), members ordered secretary first: four queries."""
    role_order = {MemberRole.SECRETARY: 0, MemberRole.DEPUTY_SECRETARY: 1, MemberRole.MEMBER: 2}
    branch = (
        PartyBranch.objects.filter(uid=uid.strip())
        .select_related("community")
        .prefetch_related(
            Prefetch("compounds", queryset=Place.objects.order_by("path")),
            Prefetch(
                "memberships",
                queryset=PartyMembership.objects.select_related("person", "reports_to").order_by(
                    "person__name", "id"
                ),
                to_attr="members",
            ),
        )
        .first()
    )
    if branch is not None:
        members: list[PartyMembership] = getattr(branch, "members", [])
        members.sort(key=lambda m: role_order.get(MemberRole(m.role), 9))
    return branch


def member_reports_to(membership: PartyMembership, compounds: list[Place]) -> Place | None:
    """Where a member reports: `reports_to`, or the branch's compound when it has only one."""
    if membership.reports_to is not None:
        return membership.reports_to
    return compounds[0] if len(compounds) == 1 else None


def communities_all() -> list[Place]:
    """Every community with its subdistrict, for the picker (branches are public)."""
    return list(
        Place.objects.filter(kind=PlaceKind.COMMUNITY).select_related("parent").order_by("path")
    )


def community_of(person: Person | None, communities: list[Place]) -> Place | None:
    """The viewer's own community: the first one at or above a place where they live or hold a
    role, from the roles already read for permissions (no query of its own when cached)."""
    if not communities:
        return None
    if person is None or not person.is_authenticated:
        return None
    by_path = {c.path: c for c in communities}
    paths = sorted(path for _role, path in person_active_roles(person))
    for path in paths:
        if len(path) >= 2 * SEGMENT and path[: 2 * SEGMENT] in by_path:
            return by_path[path[: 2 * SEGMENT]]
    for path in paths:
        # A subdistrict's admin: the first community under their subdistrict.
        for community in communities:
            if community.path.startswith(path):
                return community
    return None


def branch_summary(branch: PartyBranch) -> TeamBranch:
    """The branch as a list row, from what `branch_get` loaded (no query of its own)."""
    members: list[PartyMembership] = getattr(branch, "members", [])
    return TeamBranch(
        branch=branch,
        secretary=next((m.person for m in members if m.role == MemberRole.SECRETARY), None),
        deputies=[m.person for m in members if m.role == MemberRole.DEPUTY_SECRETARY],
        compounds=list(branch.compounds.all()),
        member_count=len(members),
    )


# --- who reads names in full ----------------------------------------------------------------


def branch_full_names(person: Person | None, branch: PartyBranch, compounds: list[Place]) -> bool:
    """Those who manage the community's branches, and the staff of a compound the branch
    covers, read its members' names in full."""
    return can(person, "organisations.manage_branches", branch.community) or any(
        can(person, "topics.view_board", compound) for compound in compounds
    )


def team_full_names(person: Person | None, compound: Place) -> bool:
    return can(person, "topics.view_board", compound)


def all_branch_counts() -> BranchCounts:
    """The whole subdistrict's figures: branches single and joint, and memberships."""
    figures = PartyBranch.objects.aggregate(
        single=Count("id", filter=Q(kind=BranchKind.SINGLE)),
        joint=Count("id", filter=Q(kind=BranchKind.JOINT)),
    )
    return BranchCounts(
        single=figures["single"],
        joint=figures["joint"],
        members=PartyMembership.objects.count(),
    )
