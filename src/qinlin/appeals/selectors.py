"""Reads about appeals: the staff inbox, a resident's own appeals, similar matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from qinlin.appeals import similarity
from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Category
from qinlin.core.errors import NotFoundError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.people.selectors import person_role_assignments
from qinlin.places.models import SEGMENT, Place, under_path
from qinlin.topics.models import Topic
from qinlin.topics.states import OPEN_STAGES

COMPOUND_DEPTH = 3 * SEGMENT
# Appeals older than this are no longer offered as "the same matter".
SIMILAR_WINDOW_DAYS = 365


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("order", "id")


def inbox_places(person: Person) -> list[Place]:
    """The topmost places where `person` may read the inbox."""
    places: list[Place] = []
    for assignment in person_role_assignments(person):
        place = assignment.place
        if not can(person, "appeals.view_inbox", place):
            continue
        if any(p.contains(place) for p in places):
            continue
        places = [p for p in places if not place.contains(p)]
        places.append(place)
    return places


@dataclass(frozen=True)
class InboxFilters:
    place: Place | None = None
    category: Category | None = None
    channel: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def appeals_inbox(person: Person, filters: InboxFilters) -> QuerySet[Appeal]:
    """Appeals under the places the person is responsible for, filtered; one query."""
    scopes = inbox_places(person)
    if filters.place is not None:
        if not any(scope.contains(filters.place) for scope in scopes):
            return Appeal.objects.none()
        scopes = [filters.place]
    if not scopes:
        return Appeal.objects.none()
    where = Q()
    for scope in scopes:
        where |= scope.path_range_q("place_path")
    qs = Appeal.objects.filter(where)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from is not None:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    return qs.select_related(
        "category", "place__parent__parent__parent", "reporter", "topic"
    ).order_by("-created_at", "-id")


def appeals_of(person: Person) -> QuerySet[Appeal]:
    """ "My appeals": newest first, with their timelines and topics."""
    return (
        Appeal.objects.filter(reporter=person)
        .select_related("category", "place__parent__parent__parent", "topic")
        .prefetch_related(
            Prefetch("events", queryset=AppealEvent.objects.select_related("actor")),
            "photos",
        )
        .order_by("-created_at", "-id")
    )


def appeal_get(uid: str) -> Appeal:
    appeal = (
        Appeal.objects.select_related(
            "category", "place__parent__parent__parent", "reporter", "topic", "household"
        )
        .prefetch_related(
            Prefetch("events", queryset=AppealEvent.objects.select_related("actor")), "photos"
        )
        .filter(uid=uid)
        .first()
    )
    if appeal is None:
        from django.utils.translation import gettext

        raise NotFoundError(gettext("找不到这条诉求。"))
    return appeal


def place_path_label(place: Place) -> str:
    """ "3号楼/2单元/101": the place written from below the compound, for the engine."""
    names: list[str] = []
    node: Place | None = place
    while node is not None and len(node.path) > COMPOUND_DEPTH:
        names.append(node.name)
        node = node.parent
    compound = node.name if node is not None else ""
    return "/".join([compound, *reversed(names)])


@dataclass(frozen=True)
class Similar:
    appeals: list[tuple[Appeal, float]]
    topics: list[tuple[Topic, float]]


def similar_to(appeal: Appeal, *, k: int = 5) -> Similar:
    """Open appeals and topics about the same matter in the same compound, best first.

    The engine (similarity.py) weighs the community-problem vocabulary and the places; only
    the appeal's own compound is searched, so the index stays small.
    """
    compound_path = appeal.place.path[:COMPOUND_DEPTH]
    since = appeal.created_at - timedelta(days=SIMILAR_WINDOW_DAYS)
    candidates = list(
        Appeal.objects.filter(under_path(compound_path, "place_path"), created_at__gte=since)
        .exclude(pk=appeal.pk)
        .exclude(status__in=[AppealStatus.REJECTED, AppealStatus.REFERRED])
        .select_related("place__parent__parent__parent", "category", "topic")
        .order_by("-created_at")[:2000]
    )
    topics = list(
        Topic.objects.filter(
            under_path(compound_path, "place_path"), stage__in=OPEN_STAGES
        ).select_related("place__parent__parent")
    )
    index = similarity.Index()
    for other in candidates:
        index.add(f"a{other.pk}", other.text, place_path_label(other.place))
    for topic in topics:
        index.add(
            f"t{topic.pk}", f"{topic.title} {topic.description}", place_path_label(topic.place)
        )
    hits = index.query(
        appeal.text,
        place_path_label(appeal.place),
        k=k * 2,
        min_score=index.analyzer.tuning.threshold,
    )
    by_appeal = {f"a{a.pk}": a for a in candidates}
    by_topic = {f"t{t.pk}": t for t in topics}
    return Similar(
        appeals=[(by_appeal[i], s) for i, s in hits if i in by_appeal][:k],
        topics=[(by_topic[i], s) for i, s in hits if i in by_topic][:k],
    )


def topic_households(topics: list[Topic]) -> dict[int, int]:
    """How many distinct households raised each topic's appeals (walk-ins without a home
    count one each)."""
    rows = (
        Appeal.objects.filter(topic__in=topics)
        .values("topic")
        .annotate(
            homes=Count("household", distinct=True),
            unknown=Count("id", filter=Q(household__isnull=True)),
        )
    )
    return {row["topic"]: row["homes"] + row["unknown"] for row in rows}
