"""The figures of a place and a period (domain.md §1, headline figures), computed from the
records and never stored.

Each figure is one aggregate query (or a few) over the querysets of selectors.py, and carries
its drill-down: the key of the list (drilldown.py) and the value that narrows it, so the list
of the records it counts is one link away. The result is plain frozen dataclasses, so a page,
the API, a chart or a workbook can render it without knowing how it was counted.

Definitions (one line each; the period is local days, both ends included):
- compounds: compounds under the place (as things stand).
- branches: party branches of the communities under the place or covering a compound under it;
  single (单建) and joint (联建) separately. members: their memberships.
- activities: activities started in the period, not cancelled; participants: attendances
  (sign-ins) at them, person-times.
- appeals: appeals made in the period, by channel and by category.
- topics created: topics created in the period, by their stage today; topics open: topics not
  closed, rejected or referred today, by stage (not bound to the period).
- topics resolved: topics whose timeline records the step into 已办结 (closed) in the period,
  by category.
- meetings: meetings held (minutes recorded) whose start falls in the period, by kind.
- votes: owners' votes closed in the period; participation = ballots / homes in their scopes,
  and the ballots' exclusive area / the scopes' area (each vote's scope counted once per vote).
- channels: channels in use now that were set up by the end of the period; new channels: set
  up in the period.
- notices: notices published in the period, proactive (主动公开) and on request (依申请公开).
- requests: disclosure requests made in the period; closed = answered or refused in the period;
  on time = closed on or before the due day.
- surveys: satisfaction surveys ended in the period (by their scope); the satisfaction rate is
  the sum of the satisfied answers over the sum of the answers, from each survey's frozen
  result (evaluation/rates.py), so a survey of 100 homes weighs more than one of 5.
- campaigns: published third-party survey campaigns starting in the period, and their answers.
- feedback: feedback items raised in the period; resolution rate = those resolved or handed on
  as an appeal (by now) / those raised.
- days to decision / to closing: for topics that reached 已决定 / 已办结 in the period, the days
  from their first appeal (the topic's creation when it had none) to that step; the median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from qinlin.appeals.models import Channel as AppealChannel
from qinlin.disclosure.models import Origin
from qinlin.evaluation.models import CLOSED_FEEDBACK, CampaignResponse
from qinlin.evaluation.rates import percent
from qinlin.organisations.models import BranchKind
from qinlin.places.models import Place
from qinlin.stats import selectors as s
from qinlin.stats.selectors import Period
from qinlin.topics.models import MeetingKind, Topic
from qinlin.topics.states import OPEN_STAGES, Stage


@dataclass(frozen=True)
class Figure:
    """A count, and the list of what it counts: `key` (and `value`, when it narrows the list)."""

    key: str
    label: str
    count: int
    value: str = ""
    href: str = ""


@dataclass(frozen=True)
class Rate:
    """A share, kept as numerator and denominator; `percent` to one decimal, "—" for 0/0."""

    label: str
    numerator: int
    denominator: int
    href: str = ""
    unit: str = ""  # "area": the counts are hundredths of a m²

    @property
    def percent(self) -> str:
        return percent(self.numerator, self.denominator)

    @property
    def parts(self) -> str:
        """ "12 / 40"; for an area share (kept in hundredths of a m²), "89.50 / 120.00 ㎡"."""
        if self.unit == "area":
            n, d = (Decimal(v) / 100 for v in (self.numerator, self.denominator))
            return f"{n:.2f} / {d:.2f} ㎡"
        return f"{self.numerator} / {self.denominator}"


@dataclass(frozen=True)
class Median:
    """The median of a number of days over `count` topics; None when there are none."""

    label: str
    days: Decimal | None
    count: int
    key: str
    href: str = ""


@dataclass(frozen=True)
class Organisation:
    compounds: Figure
    branches: Figure
    branches_single: Figure
    branches_joint: Figure
    members: Figure


@dataclass(frozen=True)
class Activities:
    held: Figure
    participants: Figure


@dataclass(frozen=True)
class Appeals:
    received: Figure
    by_channel: list[Figure]
    by_category: list[Figure]


@dataclass(frozen=True)
class Topics:
    created: Figure
    created_by_stage: list[Figure]
    open_now: Figure
    open_by_stage: list[Figure]
    resolved: Figure
    resolved_by_category: list[Figure]


@dataclass(frozen=True)
class Meetings:
    held: Figure
    by_kind: list[Figure]


@dataclass(frozen=True)
class Votes:
    held: Figure
    ballots: int
    homes: int
    participation: Rate
    area_participation: Rate


@dataclass(frozen=True)
class Disclosure:
    channels: Figure
    new_channels: Figure
    notices: Figure
    proactive: Figure
    on_request: Figure
    requests_received: Figure
    requests_closed: Figure
    requests_on_time: Figure
    on_time_rate: Rate


@dataclass(frozen=True)
class Evaluation:
    surveys: Figure
    responses: int
    satisfied: int
    satisfaction_rate: Rate
    response_rate: Rate
    campaigns: Figure
    campaign_responses: int
    feedback: Figure
    feedback_closed: Figure
    resolution_rate: Rate


@dataclass(frozen=True)
class Timing:
    to_decision: Median
    to_closing: Median


@dataclass(frozen=True)
class Stats:
    place: Place
    period: Period
    organisation: Organisation
    activities: Activities
    appeals: Appeals
    topics: Topics
    meetings: Meetings
    votes: Votes
    disclosure: Disclosure
    evaluation: Evaluation
    timing: Timing
    figures: list[Figure] = field(default_factory=list)

    def all_figures(self) -> list[Figure]:
        """Every count with a drill-down list, in the order of the page."""
        return list(self.figures)


class _Builder:
    """Makes figures for one place and period, and keeps each for `Stats.all_figures`."""

    def __init__(self, place: Place, period: Period) -> None:
        self.place = place
        self.period = period
        self.made: list[Figure] = []

    def href(self, key: str, value: str = "") -> str:
        query = {"from": f"{self.period.start:%Y-%m-%d}", "to": f"{self.period.end:%Y-%m-%d}"}
        if value:
            query["value"] = value
        return reverse("stats:list", args=[self.place.uid, key]) + "?" + urlencode(query)

    def figure(self, key: str, label: str, count: int, value: str = "") -> Figure:
        made = Figure(
            key=key, label=label, count=int(count), value=value, href=self.href(key, value)
        )
        self.made.append(made)
        return made

    def breakdown(
        self, key: str, counts: dict[str, int], labels: list[tuple[str, str]]
    ) -> list[Figure]:
        """One figure per value in the order of `labels`, leaving out the values with none."""
        return [
            self.figure(key, str(label), counts[value], value)
            for value, label in labels
            if counts.get(value)
        ]


def _counts(qs: QuerySet[Any], field_name: str) -> dict[str, int]:
    return {
        str(value): n
        for value, n in qs.order_by().values_list(field_name).annotate(n=Count("pk"))
        if value is not None
    }


def _category_labels(qs: QuerySet[Any]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts by category code, and the categories' labels in their order: one query."""
    english = (get_language() or "").startswith("en")
    rows = (
        qs.order_by()
        .values_list("category__code", "category__name", "category__name_en", "category__order")
        .annotate(n=Count("pk"))
        .order_by("category__order", "category__code")
    )
    counts: dict[str, int] = {}
    labels: list[tuple[str, str]] = []
    for code, name, name_en, _order, n in rows:
        counts[code] = n
        labels.append((code, name_en if english and name_en else name))
    return counts, labels


def _labels(choices: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


# Annotations of selectors.py, named through variables: django-stubs checks only literals.
REACHED = ("reached_at", "first_appeal_at", "created_at")
VOTE_FIGURES = ("ballot_count", "scope_homes", "voted_area", "scope_area")


def _days(reached: datetime | None, started: datetime | None) -> Decimal | None:
    if reached is None or started is None:
        return None
    seconds = Decimal((reached - started).total_seconds())
    return (seconds / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def topic_days(topic: Topic) -> Decimal | None:
    """Days from a topic's first appeal (or its creation) to `reached_at` (see selectors)."""
    reached: datetime | None = getattr(topic, "reached_at", None)
    first: datetime | None = getattr(topic, "first_appeal_at", None)
    return _days(reached, first or topic.created_at)


def _median(b: _Builder, key: str, label: str, stage: Stage) -> Median:
    rows = s.topics_reaching(b.place, b.period, stage).values_list(*REACHED)
    days = [d for reached, first, made in rows if (d := _days(reached, first or made)) is not None]
    value = Decimal(median(days)).quantize(Decimal("0.1"), ROUND_HALF_UP) if days else None
    return Median(label=label, days=value, count=len(days), key=key, href=b.href(key))


def stats_for(place: Place, period: Period) -> Stats:
    """Every figure of `place` (everything under it) for `period`: about 25 queries."""
    b = _Builder(place, period)

    # Organisation: stock figures, as things stand today.
    branch_counts = s.branches_under(place).aggregate(
        all=Count("pk"),
        single=Count("pk", filter=Q(kind=BranchKind.SINGLE)),
        joint=Count("pk", filter=Q(kind=BranchKind.JOINT)),
    )
    organisation = Organisation(
        compounds=b.figure(
            "compounds", pgettext("figure", "小区"), s.compounds_under(place).count()
        ),
        branches=b.figure("branches", pgettext("figure", "小区党支部"), branch_counts["all"]),
        branches_single=b.figure(
            "branches", pgettext("figure", "单建"), branch_counts["single"], BranchKind.SINGLE
        ),
        branches_joint=b.figure(
            "branches", pgettext("figure", "联建"), branch_counts["joint"], BranchKind.JOINT
        ),
        members=b.figure("members", pgettext("figure", "党员"), s.memberships_under(place).count()),
    )

    activities = Activities(
        held=b.figure(
            "activities", pgettext("figure", "开展活动"), s.activities_held(place, period).count()
        ),
        participants=b.figure(
            "participants", pgettext("figure", "参与人次"), s.attendances(place, period).count()
        ),
    )

    appeals_qs = s.appeals_received(place, period)
    by_channel = _counts(appeals_qs, "channel")
    appeal_categories, appeal_labels = _category_labels(appeals_qs)
    appeals = Appeals(
        received=b.figure("appeals", pgettext("figure", "收到诉求"), sum(by_channel.values())),
        by_channel=b.breakdown("appeals_by_channel", by_channel, _labels(AppealChannel.choices)),
        by_category=b.breakdown("appeals_by_category", appeal_categories, appeal_labels),
    )

    created = _counts(s.topics_created(place, period), "stage")
    open_now = _counts(s.topics_open(place), "stage")
    resolved_categories, resolved_labels = _category_labels(
        s.topics_with_step(place, period, Stage.CLOSED)
    )
    stages = _labels(Stage.choices)
    topics = Topics(
        created=b.figure("topics_created", pgettext("figure", "新立议题"), sum(created.values())),
        created_by_stage=b.breakdown("topics_created", created, stages),
        open_now=b.figure(
            "topics_open", pgettext("figure", "目前在办议题"), sum(open_now.values())
        ),
        open_by_stage=b.breakdown(
            "topics_open", open_now, [(v, lbl) for v, lbl in stages if v in OPEN_STAGES]
        ),
        resolved=b.figure(
            "topics_resolved", pgettext("figure", "办结议题"), sum(resolved_categories.values())
        ),
        resolved_by_category=b.breakdown("topics_resolved", resolved_categories, resolved_labels),
    )

    meeting_kinds = _counts(s.meetings_held(place, period), "kind")
    meetings = Meetings(
        held=b.figure("meetings", pgettext("figure", "召开议事会议"), sum(meeting_kinds.values())),
        by_kind=b.breakdown("meetings", meeting_kinds, _labels(MeetingKind.choices)),
    )

    vote_rows = list(s.votes_closed(place, period).order_by().values_list(*VOTE_FIGURES))
    ballots = sum(r[0] for r in vote_rows)
    homes = sum(r[1] or 0 for r in vote_rows)
    # Areas in hundredths of a m², so the rate is an exact fraction of integers.
    voted_area = sum(int((r[2] or 0) * 100) for r in vote_rows)
    scope_area = sum(int((r[3] or 0) * 100) for r in vote_rows)
    votes = Votes(
        held=b.figure("votes", pgettext("figure", "业主表决"), len(vote_rows)),
        ballots=ballots,
        homes=homes,
        participation=Rate(pgettext("figure", "参与户数比例"), ballots, homes, b.href("votes")),
        area_participation=Rate(
            pgettext("figure", "参与面积比例"), voted_area, scope_area, b.href("votes"), "area"
        ),
    )

    origins = _counts(s.notices_published(place, period), "origin")
    requests = s.requests_closed(place, period).aggregate(
        closed=Count("pk"), on_time=Count("pk", filter=Q(closed_on__lte=F("due_on")))
    )
    on_time = b.figure("requests_on_time", pgettext("figure", "按期答复"), requests["on_time"])
    closed = b.figure("requests_closed", pgettext("figure", "已答复或不予公开"), requests["closed"])
    disclosure = Disclosure(
        channels=b.figure(
            "channels", pgettext("figure", "公开渠道"), s.channels_in_use(place, period).count()
        ),
        new_channels=b.figure(
            "channels_new",
            pgettext("figure", "新建公开渠道"),
            s.channels_new(place, period).count(),
        ),
        notices=b.figure("notices", pgettext("figure", "公开事项"), sum(origins.values())),
        proactive=b.figure(
            "notices",
            pgettext("figure", "主动公开"),
            origins.get(Origin.PROACTIVE, 0),
            Origin.PROACTIVE,
        ),
        on_request=b.figure(
            "notices",
            pgettext("figure", "依申请公开"),
            origins.get(Origin.ON_REQUEST, 0),
            Origin.ON_REQUEST,
        ),
        requests_received=b.figure(
            "requests",
            pgettext("figure", "收到公开申请"),
            s.requests_received(place, period).count(),
        ),
        requests_closed=closed,
        requests_on_time=on_time,
        on_time_rate=Rate(
            pgettext("figure", "按期答复率"), on_time.count, closed.count, on_time.href
        ),
    )

    responses = satisfied = surveyed_homes = 0
    surveys = 0
    for (result,) in s.surveys_ended(place, period).order_by().values_list("result"):
        surveys += 1
        responses += int(result.get("responses", 0))
        satisfied += int(result.get("satisfied", 0))
        surveyed_homes += int(result.get("homes", 0))
    survey_figure = b.figure("surveys", pgettext("figure", "满意度测评"), surveys)
    campaigns_qs = s.campaigns_started(place, period)
    feedback = s.feedback_raised(place, period).aggregate(
        all=Count("pk"), closed=Count("pk", filter=Q(status__in=CLOSED_FEEDBACK))
    )
    feedback_closed = b.figure("feedback_closed", pgettext("figure", "已办结"), feedback["closed"])
    evaluation = Evaluation(
        surveys=survey_figure,
        responses=responses,
        satisfied=satisfied,
        satisfaction_rate=Rate(
            pgettext("figure", "满意率"), satisfied, responses, survey_figure.href
        ),
        response_rate=Rate(
            pgettext("figure", "参与率"), responses, surveyed_homes, survey_figure.href
        ),
        campaigns=b.figure("campaigns", pgettext("figure", "第三方问卷调查"), campaigns_qs.count()),
        campaign_responses=CampaignResponse.objects.filter(
            campaign__in=campaigns_qs.values("pk")
        ).count(),
        feedback=b.figure("feedback", pgettext("figure", "反馈问题"), feedback["all"]),
        feedback_closed=feedback_closed,
        resolution_rate=Rate(
            pgettext("figure", "办结率"), feedback["closed"], feedback["all"], feedback_closed.href
        ),
    )

    timing = Timing(
        to_decision=_median(b, "days_to_decision", _("从诉求到决定（天，中位数）"), Stage.DECIDED),
        to_closing=_median(b, "days_to_closing", _("从诉求到办结（天，中位数）"), Stage.CLOSED),
    )

    return Stats(
        place=place,
        period=period,
        organisation=organisation,
        activities=activities,
        appeals=appeals,
        topics=topics,
        meetings=meetings,
        votes=votes,
        disclosure=disclosure,
        evaluation=evaluation,
        timing=timing,
        figures=b.made,
    )
