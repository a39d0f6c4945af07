"""Reads about topics and meetings, shaped for the pages and the API (bounded queries)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.models import Appeal
from qinlin.core.errors import NotFoundError
from qinlin.core.permissions import roles_for
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.people.selectors import person_active_roles, person_role_assignments
from qinlin.places.models import SEGMENT, Place, PlaceKind, under_path
from qinlin.topics.models import Capacity, Meeting, Resolution, Step, Topic
from qinlin.topics.permissions import can_read, resident_compound_paths
from qinlin.topics.states import FINAL_STAGES, OPEN_STAGES

GRID_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)

# Joins enough parents for `Place.address` from a unit up to its compound.
_PLACE = "place__parent__parent__parent"


def _visible_q(person: Person) -> Q | None:
    """The topics `person` may read (as `can_read` says), or None for none."""
    if not person.is_authenticated or not person.is_active:
        return None
    allowed = roles_for("topics.view_board")
    where = Q()
    found = False
    for role, path in person_active_roles(person):
        if role in allowed:
            where |= under_path(path, "place_path")
            found = True
    for compound in resident_compound_paths(person):
        # The compound and everything under it, and the community above it.
        above = [compound[:end] for end in range(SEGMENT, len(compound), SEGMENT)]
        where |= under_path(compound, "place_path") | Q(place_path__in=above)
        found = True
    return where if found else None


@dataclass(frozen=True)
class TopicFilters:
    place: Place | None = None
    stage: str = ""
    category_code: str = ""
    title_contains: str = ""


def topics_visible_to(person: Person, place: Place | None = None) -> QuerySet[Topic]:
    """Topics the person may read, at or under `place` when given; newest first."""
    where = _visible_q(person)
    if where is None:
        return Topic.objects.none()
    qs = Topic.objects.filter(where)
    if place is not None:
        qs = qs.filter(place.path_range_q("place_path"))
    return qs.order_by("-created_at", "-id")


def _matching(person: Person, filters: TopicFilters) -> QuerySet[Topic]:
    qs = topics_visible_to(person, filters.place)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.category_code:
        qs = qs.filter(category__code=filters.category_code)
    if filters.title_contains:
        qs = qs.filter(title__contains=filters.title_contains)
    return qs


def _households() -> Coalesce:
    """How many households raised the topic's appeals, counted in a subquery for the rows
    shown: a join grouped by topic made PostgreSQL read a community's topics in id order to
    group them, then sort them all (API topics at 1,000,000 homes, bench/RESULTS.md)."""
    counted = (
        Appeal.objects.filter(topic=OuterRef("pk"), household__isnull=False)
        .order_by()
        .values("topic")
        .annotate(n=Count("household", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _rows(qs: QuerySet[Topic]) -> QuerySet[Topic]:
    return (
        qs.select_related("category", _PLACE, "decided_option")
        .prefetch_related("options")
        .annotate(households=_households())
    )


def topics_listed(person: Person, filters: TopicFilters) -> QuerySet[Topic]:
    """The list of topics with what a list row shows joined: a fixed number of queries."""
    return _rows(_matching(person, filters))


@dataclass(frozen=True)
class Board:
    counts: dict[str, int]  # how many topics each stage holds under the filters
    topics: list[Topic]  # each stage's newest, as `topics_listed` gives them


def topics_board(
    person: Person, filters: TopicFilters, *, per_stage: int, per_final_stage: int
) -> Board:
    """The board's cards: the newest `per_stage` topics of each open stage and the newest
    `per_final_stage` of each final one, and each stage's count. Four queries whatever the
    number of topics: a community's years of closed topics cost the board nothing, and no
    stage's cards crowd out another's."""
    matching = _matching(person, filters)
    counts = dict(matching.order_by().values_list("stage").annotate(n=Count("id")))
    order = (F("created_at").desc(), F("id").desc())
    newest = (
        matching.annotate(
            rank=Window(RowNumber(), partition_by=F("stage"), order_by=order),
            cap=Case(When(stage__in=FINAL_STAGES, then=per_final_stage), default=per_stage),
        )
        .filter(rank__lte=F("cap"))
        .values_list("id", flat=True)
    )
    topics = list(_rows(Topic.objects.filter(id__in=list(newest))).order_by(*order))
    return Board(counts=counts, topics=topics)


def topic_get(uid: str) -> Topic:
    """One topic with its options, timeline and meetings; NotFoundError when there is none."""
    topic = (
        Topic.objects.filter(uid=uid)
        .select_related("category", _PLACE, "decided_option")
        .prefetch_related(
            "options",
            Prefetch("steps", queryset=Step.objects.select_related("actor")),
            "meetings",
        )
        .annotate(households=_households())
        .first()
    )
    if topic is None:
        raise NotFoundError(_("找不到这个议题。"))
    return topic


def topic_get_for(person: Person, uid: str) -> Topic:
    """The topic, if `person` may read it; NotFoundError otherwise (a 403 would confirm it)."""
    topic = topic_get(uid)
    if not can_read(person, topic):
        raise NotFoundError(_("找不到这个议题。"))
    return topic


def _meetings(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        qs.select_related("place")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "uid")),
            Prefetch("resolutions", queryset=Resolution.objects.select_related("option")),
        )
        .annotate(
            participant_count=Count("participants", distinct=True),
            attended_count=Count(
                "participants", filter=Q(participants__attended_at__isnull=False), distinct=True
            ),
        )
    )


def meetings_visible_to(person: Person, place: Place | None = None) -> QuerySet[Meeting]:
    """Meetings with at least one topic the person may read; newest first."""
    topics = topics_visible_to(person, place).values("id")
    ids = Meeting.objects.filter(topics__in=topics).values("id")
    return _meetings(Meeting.objects.filter(id__in=ids)).order_by("-starts_at", "-id")


def meeting_get(person: Person, uid: str) -> Meeting:
    """One meeting the person may read; NotFoundError otherwise (existence is not revealed)."""
    meeting = meetings_visible_to(person).filter(uid=uid).first()
    if meeting is None:
        raise NotFoundError(_("找不到这次会议。"))
    return meeting


# Who takes part in a grid's deliberation, by the role they hold there.
ROLE_CAPACITY: dict[str, str] = {
    Role.PARTY_MEMBER: Capacity.PARTY_MEMBER,
    Role.BRANCH_SECRETARY: Capacity.PARTY_MEMBER,
    Role.RESIDENT_REP: Capacity.RESIDENT_REP,
    Role.BACKBONE: Capacity.RESIDENT_REP,
    Role.DEPUTY: Capacity.DEPUTY,
    Role.LEGAL_ADVISER: Capacity.LEGAL_ADVISER,
    Role.THIRD_PARTY: Capacity.THIRD_PARTY,
    Role.EXPERT: Capacity.THIRD_PARTY,
    Role.PARTNER_CONTACT: Capacity.THIRD_PARTY,
    Role.PROPERTY_STAFF: Capacity.PROPERTY_COMPANY,
    Role.OWNERS_COMMITTEE: Capacity.OWNERS_COMMITTEE,
    Role.BUILDING_HEAD: Capacity.BUILDING_HEAD,
    Role.UNIT_HEAD: Capacity.BUILDING_HEAD,
    Role.GRID_WORKER: Capacity.STAFF,
    Role.COMMUNITY_STAFF: Capacity.STAFF,
    Role.SUBDISTRICT_ADMIN: Capacity.STAFF,
}
MAX_CANDIDATES = 200


def _around(place: Place) -> Q:
    """Role places that concern a grid: above it up to the community, or under its compound."""
    compound = place.path[: 3 * SEGMENT]
    above = [place.path[:end] for end in range(2 * SEGMENT, len(place.path) + 1, SEGMENT)]
    return Q(place__path__in=above) | under_path(compound, "place__path")


def meeting_candidates(place: Place) -> list[tuple[Person, str, str]]:
    """(person, role label, capacity) of the people holding roles around a grid, one row
    per person (their first role by the order of the roles table)."""
    today = timezone.localdate()
    rows = (
        RoleAssignment.objects.filter(
            _around(place),
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            starts_on__lte=today,
            role__in=list(ROLE_CAPACITY),
        )
        .select_related("person")
        .order_by("person__name", "id")[:MAX_CANDIDATES]
    )
    seen: dict[int, tuple[Person, str, str]] = {}
    for row in rows:
        if row.person_id not in seen:
            seen[row.person_id] = (
                row.person,
                str(Role(row.role).label),
                ROLE_CAPACITY[row.role],
            )
    return list(seen.values())


def topic_people(topic: Topic) -> QuerySet[Person]:
    """Who may be named responsible for a topic: people holding roles around its grid."""
    ids = RoleAssignment.objects.filter(_around(topic.place)).values("person_id")
    return Person.objects.filter(pk__in=ids, is_active=True).order_by("name")


def topics_to_convene(person: Person, topic: Topic) -> list[Topic]:
    """Open topics of the same grid that may share a meeting's agenda with `topic`."""
    return list(
        topics_visible_to(person, topic.place)
        .filter(stage__in=OPEN_STAGES)
        .order_by("-created_at")[:50]
    )


def board_places(person: Person) -> list[Place]:
    """The places where the person holds a role that shows the board, outermost first."""
    allowed = roles_for("topics.view_board")
    places = [
        a.place for a in person_role_assignments(person).select_related(_PLACE) if a.role in allowed
    ]
    kept: list[Place] = []
    for place in sorted(places, key=lambda p: p.path):
        if not any(place.path.startswith(k.path) for k in kept):
            kept.append(place)
    return kept


def topic_grids(person: Person) -> list[Place]:
    """Grids where the person may raise a topic: the places of their roles that keep topics,
    and the compounds under a community or subdistrict role."""
    allowed = roles_for("topics.edit")
    held = [a.place for a in person_role_assignments(person) if a.role in allowed]
    where = Q(pk__in=[p.pk for p in held if p.kind in GRID_KINDS])
    for place in held:
        if place.kind in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY):
            where |= place.subtree_q() & Q(kind=PlaceKind.COMPOUND)
    if not held:
        return []
    return list(
        Place.objects.filter(where)
        .select_related("parent__parent__parent")
        .order_by("path")[:MAX_CANDIDATES]
    )
