"""Reads about execution: a topic's tasks, tenders, funding and acceptances; overdue tasks."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qinlin.places.models import Place
from qinlin.works.models import (
    Acceptance,
    Bid,
    BidComment,
    FundingPlan,
    HomeShare,
    PaymentStatus,
    Task,
    TaskReport,
    TaskStatus,
    Tender,
)


def tasks_of(topic_id: int) -> list[Task]:
    return list(
        Task.objects.filter(topic_id=topic_id)
        .select_related("responsible")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=TaskReport.objects.select_related("actor").prefetch_related("photos"),
            )
        )
    )


def overdue_tasks(places: list[Place]) -> QuerySet[Task]:
    """Open tasks past their due date under any of `places`, the most overdue first."""
    query = Task.objects.none()
    for place in places:
        query = query | Task.objects.filter(place.subtree_q("topic__place__"))
    return (
        query.exclude(status=TaskStatus.DONE)
        .filter(due_on__lt=timezone.localdate())
        .select_related("topic__place__parent__parent", "responsible")
        .order_by("due_on", "id")
    )


def funding_of(topic_id: int) -> FundingPlan | None:
    return (
        FundingPlan.objects.filter(topic_id=topic_id)
        .select_related("scope__parent__parent")
        .prefetch_related("lines")
        .annotate(
            homes=Count("shares"),
            paid=Count("shares", filter=Q(shares__status=PaymentStatus.PAID)),
            exempt=Count("shares", filter=Q(shares__status=PaymentStatus.EXEMPT)),
        )
        .first()
    )


def collection_sheet(plan: FundingPlan) -> list[tuple[Place, list[HomeShare]]]:
    """The shares grouped by building, for a printable collection sheet per building."""
    shares = list(
        HomeShare.objects.filter(plan=plan)
        .select_related("home__parent__parent")
        .order_by("home__path")
    )
    buildings: dict[int, tuple[Place, list[HomeShare]]] = {}
    for share in shares:
        unit = share.home.parent
        building = unit.parent if unit is not None and unit.parent is not None else share.home
        buildings.setdefault(building.pk, (building, []))[1].append(share)
    return list(buildings.values())


def tenders_of(topic_id: int) -> list[Tender]:
    """A topic's tenders, newest first, with their bids (cheapest first) and comments."""
    return list(
        Tender.objects.filter(topic_id=topic_id)
        .select_related("awarded_bid")
        .prefetch_related(
            "bids", Prefetch("comments", queryset=BidComment.objects.select_related("author"))
        )
    )


def tender_get(uid: str) -> Tender | None:
    """One tender for its page, with its topic's place (for the permission checks), its bids
    with their document photos and its comments."""
    return (
        Tender.objects.filter(uid=uid)
        .select_related("topic__place", "awarded_bid")
        .prefetch_related(
            Prefetch("bids", queryset=Bid.objects.prefetch_related("documents")),
            Prefetch("comments", queryset=BidComment.objects.select_related("author")),
        )
        .first()
    )


def acceptances_of(topic_id: int) -> list[Acceptance]:
    return list(
        Acceptance.objects.filter(topic_id=topic_id)
        .select_related("recorded_by")
        .prefetch_related("photos")
    )


def task_get(uid: str) -> Task | None:
    """One task with its topic's place, for the permission check."""
    return Task.objects.select_related("topic__place").filter(uid=uid).first()


def shares_of(plan: FundingPlan, homes: QuerySet[Place] | None = None) -> list[HomeShare]:
    """The homes' shares of a plan with their addresses, or only those of `homes`."""
    # Three parents up reach the compound, so each home's address needs no further query.
    shares = HomeShare.objects.filter(plan=plan).select_related("home__parent__parent__parent")
    if homes is not None:
        shares = shares.filter(home__in=homes)
    return list(shares.order_by("home__path"))
