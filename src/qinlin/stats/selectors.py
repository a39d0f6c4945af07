"""The records each figure counts, for a place and a period: one function per kind of record.

The figures (figures.py) aggregate these querysets and the drill-down lists (drilldown.py)
page through the very same ones, so a figure and its list cannot disagree. Every place filter
is the subtree range on `path` (places/models.py); every period filter is a half-open range of
aware datetimes, local midnight to local midnight (see `Period`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, TruncDate
from django.utils import timezone

from qinlin.appeals.models import Appeal
from qinlin.core.permissions import can
from qinlin.disclosure.models import (
    Channel,
    DisclosureRequest,
    Notice,
    NoticeStatus,
    RequestStatus,
)
from qinlin.evaluation.models import CLOSED_FEEDBACK, Campaign, FeedbackItem, Survey
from qinlin.organisations.models import (
    Activity,
    PartyBranch,
    PartyMembership,
    Registration,
)
from qinlin.people.models import Person
from qinlin.people.selectors import person_role_assignments
from qinlin.places.models import PATH_END, Place, PlaceKind
from qinlin.topics.models import Meeting, MeetingStatus, Step, Topic
from qinlin.topics.states import OPEN_STAGES, Stage
from qinlin.votes.models import Ballot, Vote

# The places a dashboard is drawn for: the levels the subdistrict reports on.
STATS_KINDS = (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.COMPOUND)
# Where a place's records sit deep in the tree (a home's appeal), `address` walks up to the
# compound: these relations keep it query-free.
PLACE_CHAIN = "place__parent__parent__parent"


@dataclass(frozen=True)
class Period:
    """Local calendar days `start` to `end`, both included (Asia/Shanghai, settings.TIME_ZONE).

    A record made at 23:59 on 31 December local time belongs to that year even though it is
    16:59 UTC; one made at 00:00 on 1 January belongs to the next."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first instant after the period (exclusive end)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def q(self, field: str) -> Q:
        """A filter on a datetime field: the instant falls within the period."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def days_q(self, field: str) -> Q:
        """A filter on a date field: the day falls within the period."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    @property
    def query(self) -> str:
        return f"from={self.start:%Y-%m-%d}&to={self.end:%Y-%m-%d}"

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


# --- who may see which place -----------------------------------------------------------------


def stats_places(person: Person) -> list[Place]:
    """The subdistricts, communities and compounds whose figures `person` may see, widest
    first: the places where they hold a role for `stats.view` and the ones under them."""
    roots = [
        a.place
        for a in person_role_assignments(person)
        if a.place.kind in STATS_KINDS and can(person, "stats.view", a.place)
    ]
    if not roots:
        return []
    under = Q(pk__in=[r.pk for r in roots])
    for root in roots:
        under |= root.subtree_q()
    places = list(
        Place.objects.filter(under, kind__in=STATS_KINDS)
        .select_related("parent")
        .order_by("path")[:1000]
    )
    return sorted(places, key=lambda p: (p.depth, p.path))


def stats_place_get(uid: str) -> Place | None:
    """The place with this uid if it is one a dashboard is drawn for, else None."""
    return Place.objects.filter(uid=uid.strip(), kind__in=STATS_KINDS).first()


# --- organisation (stock: as things stand, not bound to the period) --------------------------


def compounds_under(place: Place) -> QuerySet[Place]:
    return Place.objects.filter(place.subtree_q(), kind=PlaceKind.COMPOUND).select_related("parent")


def branches_under(place: Place) -> QuerySet[PartyBranch]:
    """Branches of the communities under `place`, and those covering a compound under it: a
    joint branch covering compounds A and B counts for each of them, once for the community."""
    covering = PartyBranch.compounds.through.objects.filter(place.subtree_q("place__")).values(
        "partybranch_id"
    )
    return PartyBranch.objects.filter(
        place.subtree_q("community__") | Q(pk__in=covering)
    ).select_related("community")


def memberships_under(place: Place) -> QuerySet[PartyMembership]:
    return PartyMembership.objects.filter(
        branch__in=branches_under(place).values("pk")
    ).select_related("branch__community", "person")


# --- activities -----------------------------------------------------------------------------


def _activities(place: Place, period: Period) -> QuerySet[Activity]:
    return Activity.objects.filter(
        place.subtree_q("place__"), period.q("starts_at"), cancelled_at__isnull=True
    )


def activities_held(place: Place, period: Period) -> QuerySet[Activity]:
    """Activities for places under `place` that started in the period (and have started by
    now) and were not cancelled."""
    return (
        _activities(place, period).filter(starts_at__lte=timezone.now()).select_related(PLACE_CHAIN)
    )


def next_activity_start(place: Place, period: Period, after: datetime) -> datetime | None:
    """When the next of those activities starts after `after`: the figures change then."""
    start: datetime | None = (
        _activities(place, period)
        .filter(starts_at__gt=after)
        .aggregate(Min("starts_at"))["starts_at__min"]
    )
    return start


def attendances(place: Place, period: Period) -> QuerySet[Registration]:
    """Who came (signed in) to those activities: person-times (人次)."""
    return Registration.objects.filter(
        activity__in=activities_held(place, period).values("pk"), attended_at__isnull=False
    ).select_related("activity__place__parent__parent__parent", "person")


# --- appeals and topics ---------------------------------------------------------------------


def appeals_received(place: Place, period: Period) -> QuerySet[Appeal]:
    return Appeal.objects.filter(
        place.path_range_q("place_path"), period.q("created_at")
    ).select_related(PLACE_CHAIN, "category")


def topics_created(place: Place, period: Period) -> QuerySet[Topic]:
    return Topic.objects.filter(
        place.path_range_q("place_path"), period.q("created_at")
    ).select_related(PLACE_CHAIN, "category")


def topics_open(place: Place) -> QuerySet[Topic]:
    """Topics under `place` not yet closed, rejected or referred, today."""
    return Topic.objects.filter(
        place.path_range_q("place_path"), stage__in=OPEN_STAGES
    ).select_related(PLACE_CHAIN, "category")


def _steps_to(place: Place, period: Period, stage: Stage) -> QuerySet[Step]:
    return Step.objects.filter(
        place.path_range_q("topic__place_path"), period.q("at"), target=stage
    )


def topics_with_step(place: Place, period: Period, stage: Stage) -> QuerySet[Topic]:
    """Topics under `place` whose timeline records a step into `stage` within the period."""
    return Topic.objects.filter(
        pk__in=_steps_to(place, period, stage).values("topic_id")
    ).select_related(PLACE_CHAIN, "category")


def topics_reaching(place: Place, period: Period, stage: Stage) -> QuerySet[Topic]:
    """Topics under `place` whose timeline records a step into `stage` within the period,
    annotated with when (`reached_at`) and with their first appeal (`first_appeal_at`).

    The step (topics/services.py `topic_advance`) is the record of the transition;
    `Topic.stage_changed_at` is overwritten by each later transition, so it cannot say when a
    now-closed topic was decided."""
    reached = Step.objects.filter(topic=OuterRef("pk"), target=stage).order_by("at", "id")
    return topics_with_step(place, period, stage).annotate(
        reached_at=Subquery(reached.values("at")[:1]),
        first_appeal_at=Min("appeals__created_at"),
    )


def meetings_held(place: Place, period: Period) -> QuerySet[Meeting]:
    """Meetings held (minutes in) that took place in the period, by their start time."""
    return Meeting.objects.filter(
        place.subtree_q("place__"), period.q("starts_at"), status=MeetingStatus.HELD
    ).select_related(PLACE_CHAIN)


# --- votes ----------------------------------------------------------------------------------


def _homes_in_scope() -> QuerySet[Place]:
    return Place.objects.filter(
        kind=PlaceKind.HOME,
        path__gte=OuterRef("scope__path"),
        path__lt=Concat(OuterRef("scope__path"), Value(PATH_END)),
    ).order_by()


def votes_closed(place: Place, period: Period) -> QuerySet[Vote]:
    """Owners' votes whose scope is under `place`, closed within the period, each with its
    ballots and the homes (and their area) of its scope."""
    homes = _homes_in_scope().values("kind").annotate(n=Count("id")).values("n")
    area = _homes_in_scope().values("kind").annotate(a=Sum("area")).values("a")
    # Every figure a subquery per vote: joined to the ballots and grouped, PostgreSQL counted
    # each scope's homes once per ballot (0.3 s for the demo's 15 votes of 2022, and growing
    # with ballots × homes at city scale).
    of_vote = Ballot.objects.filter(vote=OuterRef("pk")).order_by().values("vote")
    ballots = of_vote.annotate(n=Count("id")).values("n")
    voted_area = of_vote.annotate(a=Sum("home__area")).values("a")
    return (
        Vote.objects.filter(place.subtree_q("scope__"), period.q("closed_at"))
        .select_related("topic", "scope__parent__parent__parent")
        .annotate(
            ballot_count=Coalesce(Subquery(ballots), Value(0)),
            voted_area=Subquery(voted_area),
            scope_homes=Coalesce(Subquery(homes), Value(0)),
            scope_area=Subquery(area),
        )
    )


def ballots_of(votes: QuerySet[Vote]) -> QuerySet[Ballot]:
    return Ballot.objects.filter(vote__in=votes.values("pk"))


# --- disclosure -----------------------------------------------------------------------------


def channels_in_use(place: Place, period: Period) -> QuerySet[Channel]:
    """Channels under `place` in use now that were set up before the period ended."""
    return Channel.objects.filter(
        place.subtree_q("place__"), active=True, created_at__lt=period.until
    ).select_related(PLACE_CHAIN)


def channels_new(place: Place, period: Period) -> QuerySet[Channel]:
    return Channel.objects.filter(
        place.subtree_q("place__"), period.q("created_at")
    ).select_related(PLACE_CHAIN)


def notices_published(place: Place, period: Period) -> QuerySet[Notice]:
    """Notices published in the period (withdrawn later or not: the publication happened)."""
    return (
        Notice.objects.filter(place.path_range_q("place_path"), period.q("published_at"))
        .exclude(state=NoticeStatus.DRAFT)
        .select_related(PLACE_CHAIN)
    )


def requests_received(place: Place, period: Period) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(
        place.subtree_q("place__"), period.q("at")
    ).select_related(PLACE_CHAIN)


def requests_closed(place: Place, period: Period) -> QuerySet[DisclosureRequest]:
    """Requests answered (by a notice) or refused with reasons within the period, with the
    local day they were closed on (`closed_on`)."""
    return (
        DisclosureRequest.objects.filter(
            place.subtree_q("place__"),
            period.q("closed_at"),
            status__in=(RequestStatus.ANSWERED, RequestStatus.REFUSED),
        )
        .annotate(closed_on=TruncDate("closed_at"))
        .select_related(PLACE_CHAIN)
    )


def requests_on_time(place: Place, period: Period) -> QuerySet[DisclosureRequest]:
    """Of those, the ones closed on or before their due day (local calendar)."""
    return requests_closed(place, period).filter(Q(closed_on__lte=F("due_on")))


# --- evaluation -----------------------------------------------------------------------------


def surveys_ended(place: Place, period: Period) -> QuerySet[Survey]:
    """Satisfaction surveys of homes under `place` (by their scope) ended in the period."""
    return Survey.objects.filter(place.subtree_q("scope__"), period.q("ended_at")).select_related(
        "topic", "scope__parent__parent__parent"
    )


def campaigns_started(place: Place, period: Period) -> QuerySet[Campaign]:
    """Published third-party survey campaigns for places under `place` starting in the period."""
    return (
        Campaign.objects.filter(
            place.subtree_q("place__"), period.days_q("starts_on"), published_at__isnull=False
        )
        .annotate(response_count=Count("responses"))
        .select_related(PLACE_CHAIN)
    )


def feedback_raised(place: Place, period: Period) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(
        place.subtree_q("place__"), period.q("created_at")
    ).select_related(PLACE_CHAIN)


def feedback_closed(place: Place, period: Period) -> QuerySet[FeedbackItem]:
    """Of the items raised in the period, those resolved or handed on as an appeal (by now)."""
    return feedback_raised(place, period).filter(status__in=CLOSED_FEEDBACK)
