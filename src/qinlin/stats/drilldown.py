"""The list behind each figure: for a figure key, a place, a period and an optional value (a
channel, a category, a stage …), the records the figure counts and how to show one as a row.

The querysets are those of selectors.py, which figures.py aggregates: a list's count is its
figure. Values are checked against the same choices the figures break down by; an unknown
one is refused with a message rather than giving an empty list that looks like a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.models import Channel as AppealChannel
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.masking import mask_name
from qinlin.disclosure.models import Channel, DisclosureRequest, Notice, Origin
from qinlin.evaluation.models import Campaign, FeedbackItem, Survey
from qinlin.evaluation.rates import percent
from qinlin.organisations.models import (
    Activity,
    BranchKind,
    PartyBranch,
    PartyMembership,
    Registration,
)
from qinlin.places.models import Place
from qinlin.stats import selectors as s
from qinlin.stats.figures import topic_days
from qinlin.stats.selectors import Period
from qinlin.topics.models import Meeting, MeetingKind, Topic
from qinlin.topics.states import OPEN_STAGES, Stage
from qinlin.votes.models import Vote


@dataclass(frozen=True)
class Row:
    at: date | datetime | None
    title: str
    place: str
    status: str
    url: str = ""


@dataclass(frozen=True)
class Drill:
    label: Promise
    records: Callable[[Place, Period, str], QuerySet[Any]]
    row: Callable[[Any], Row]
    # The values the list may be narrowed by, with their labels (None: it takes none).
    values: Callable[[], list[tuple[str, str]]] | None = None
    # A resident's own words (an appeal, a request, a feedback item) are shown to those who
    # handle them at the place; others who see the figures (deputies, third parties) see the
    # row without the text.
    private: str = ""


class BadValueError(DomainError):
    code = "bad_value"


def _place(place: Place | None) -> str:
    return place.address if place is not None else ""


def _url(name: str, uid: str) -> str:
    return reverse(name, args=[uid])


# --- rows -----------------------------------------------------------------------------------


def _compound_row(p: Place) -> Row:
    return Row(
        None,
        p.name,
        p.parent.name if p.parent else "",
        p.get_kind_display(),
        _url("places:place-detail", p.uid),
    )


def _branch_row(b: PartyBranch) -> Row:
    return Row(
        b.founded_on,
        b.name,
        b.community.name,
        b.get_kind_display(),
        _url("organisations:branch", b.uid),
    )


def _member_row(m: PartyMembership) -> Row:
    return Row(
        m.joined_on,
        mask_name(m.person.name),
        m.branch.name,
        m.get_role_display(),
        _url("organisations:branch", m.branch.uid),
    )


def _activity_row(a: Activity) -> Row:
    return Row(
        a.starts_at,
        a.title,
        _place(a.place),
        a.get_kind_display(),
        _url("organisations:activity", a.uid),
    )


def _attendance_row(r: Registration) -> Row:
    return Row(
        r.attended_at,
        f"{r.activity.title} · {mask_name(r.person.name)}",
        _place(r.activity.place),
        r.get_status_display(),
        _url("organisations:activity", r.activity.uid),
    )


def _appeal_row(a: Appeal) -> Row:
    status = f"{a.get_status_display()} · {a.get_channel_display()} · {a.category}"
    return Row(
        a.created_at, a.text[:60], _place(a.place), status, _url("appeals:appeal-detail", a.uid)
    )


def _topic_row(t: Topic) -> Row:
    return Row(
        t.created_at,
        t.title,
        _place(t.place),
        f"{t.get_stage_display()} · {t.category}",
        _url("topics:topic-detail", t.uid),
    )


def _reached_row(t: Topic) -> Row:
    days = topic_days(t)
    status = f"{t.get_stage_display()} · {t.category}"
    if days is not None:
        status += " · " + _("%(days)s 天") % {"days": days}
    return Row(
        getattr(t, "reached_at", None),
        t.title,
        _place(t.place),
        status,
        _url("topics:topic-detail", t.uid),
    )


def _meeting_row(m: Meeting) -> Row:
    return Row(
        m.starts_at,
        m.title,
        _place(m.place),
        m.get_kind_display(),
        _url("topics:meeting-detail", m.uid),
    )


def _vote_row(v: Vote) -> Row:
    ballots: int = getattr(v, "ballot_count", 0)
    homes: int = getattr(v, "scope_homes", 0)
    status = _("%(ballots)s/%(homes)s 户参与（%(rate)s）") % {
        "ballots": ballots,
        "homes": homes,
        "rate": percent(ballots, homes),
    }
    return Row(
        v.closed_at, v.topic.title, _place(v.scope), status, _url("votes:vote-detail", v.uid)
    )


def _channel_row(c: Channel) -> Row:
    return Row(c.created_at, c.name, _place(c.place), c.get_kind_display())


def _notice_row(n: Notice) -> Row:
    return Row(
        n.published_at,
        n.title,
        _place(n.place),
        n.get_origin_display(),
        _url("disclosure:notice", n.uid),
    )


def _request_row(r: DisclosureRequest) -> Row:
    status = r.get_status_display()
    closed_on = getattr(r, "closed_on", None)
    if closed_on is not None:
        status += " · " + (_("按期") if closed_on <= r.due_on else _("逾期"))
    return Row(r.at, r.text[:60], _place(r.place), status, _url("disclosure:request", r.uid))


def _survey_row(v: Survey) -> Row:
    result = v.result or {}
    status = _("满意率 %(rate)s（%(n)s 份答卷）") % {
        "rate": percent(int(result.get("satisfied", 0)), int(result.get("responses", 0))),
        "n": result.get("responses", 0),
    }
    return Row(v.ended_at, v.topic.title, _place(v.scope), status, _url("evaluation:survey", v.uid))


def _campaign_row(c: Campaign) -> Row:
    status = f"{c.get_domain_display()} · " + _("%(n)s 份答卷") % {
        "n": getattr(c, "response_count", 0)
    }
    return Row(c.starts_on, c.title, _place(c.place), status, _url("evaluation:campaign", c.uid))


def _feedback_row(f: FeedbackItem) -> Row:
    return Row(
        f.created_at,
        f.text[:60],
        _place(f.place),
        f.get_status_display(),
        _url("evaluation:feedback-item", f.uid),
    )


# --- lists ----------------------------------------------------------------------------------


def _categories() -> list[tuple[str, str]]:
    language = get_language()
    return [(c.code, c.label(language)) for c in Category.objects.all()]


def _choices(choices: list[tuple[str, Any]]) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(str(value), str(label)) for value, label in choices]


def _by(
    field: str, records: Callable[[Place, Period], QuerySet[Any]]
) -> Callable[[Place, Period, str], QuerySet[Any]]:
    def narrowed(place: Place, period: Period, value: str) -> QuerySet[Any]:
        qs = records(place, period)
        return qs.filter(**{field: value}) if value else qs

    return narrowed


def _stock(records: Callable[[Place], QuerySet[Any]]) -> Callable[[Place, Period], QuerySet[Any]]:
    return lambda place, _period: records(place)


DRILLS: dict[str, Drill] = {
    "compounds": Drill(gettext_lazy("小区"), _by("", _stock(s.compounds_under)), _compound_row),
    "branches": Drill(
        gettext_lazy("小区党支部"),
        _by("kind", _stock(s.branches_under)),
        _branch_row,
        _choices(BranchKind.choices),
    ),
    "members": Drill(gettext_lazy("党员"), _by("", _stock(s.memberships_under)), _member_row),
    "activities": Drill(gettext_lazy("开展活动"), _by("", s.activities_held), _activity_row),
    "participants": Drill(gettext_lazy("活动参与人次"), _by("", s.attendances), _attendance_row),
    "appeals": Drill(
        gettext_lazy("收到诉求"),
        _by("", s.appeals_received),
        _appeal_row,
        private="appeals.view_inbox",
    ),
    "appeals_by_channel": Drill(
        gettext_lazy("收到诉求（按渠道）"),
        _by("channel", s.appeals_received),
        _appeal_row,
        _choices(AppealChannel.choices),
        private="appeals.view_inbox",
    ),
    "appeals_by_category": Drill(
        gettext_lazy("收到诉求（按类别）"),
        _by("category__code", s.appeals_received),
        _appeal_row,
        _categories,
        private="appeals.view_inbox",
    ),
    "topics_created": Drill(
        gettext_lazy("新立议题"),
        _by("stage", s.topics_created),
        _topic_row,
        _choices(Stage.choices),
    ),
    "topics_open": Drill(
        gettext_lazy("目前在办议题"),
        _by("stage", _stock(s.topics_open)),
        _topic_row,
        _choices([(v, lbl) for v, lbl in Stage.choices if v in OPEN_STAGES]),
    ),
    "topics_resolved": Drill(
        gettext_lazy("办结议题"),
        _by("category__code", lambda p, d: s.topics_reaching(p, d, Stage.CLOSED)),
        _reached_row,
        _categories,
    ),
    "days_to_decision": Drill(
        gettext_lazy("从诉求到决定的天数"),
        _by("", lambda p, d: s.topics_reaching(p, d, Stage.DECIDED)),
        _reached_row,
    ),
    "days_to_closing": Drill(
        gettext_lazy("从诉求到办结的天数"),
        _by("", lambda p, d: s.topics_reaching(p, d, Stage.CLOSED)),
        _reached_row,
    ),
    "meetings": Drill(
        gettext_lazy("召开议事会议"),
        _by("kind", s.meetings_held),
        _meeting_row,
        _choices(MeetingKind.choices),
    ),
    "votes": Drill(gettext_lazy("业主表决"), _by("", s.votes_closed), _vote_row),
    "channels": Drill(gettext_lazy("公开渠道"), _by("", s.channels_in_use), _channel_row),
    "channels_new": Drill(gettext_lazy("新建公开渠道"), _by("", s.channels_new), _channel_row),
    "notices": Drill(
        gettext_lazy("公开事项"),
        _by("origin", s.notices_published),
        _notice_row,
        _choices(Origin.choices),
    ),
    "requests": Drill(
        gettext_lazy("收到公开申请"),
        _by("", s.requests_received),
        _request_row,
        private="disclosure.requests",
    ),
    "requests_closed": Drill(
        gettext_lazy("已答复或不予公开的申请"),
        _by("", s.requests_closed),
        _request_row,
        private="disclosure.requests",
    ),
    "requests_on_time": Drill(
        gettext_lazy("按期答复的申请"),
        _by("", s.requests_on_time),
        _request_row,
        private="disclosure.requests",
    ),
    "surveys": Drill(gettext_lazy("满意度测评"), _by("", s.surveys_ended), _survey_row),
    "campaigns": Drill(gettext_lazy("第三方问卷调查"), _by("", s.campaigns_started), _campaign_row),
    "feedback": Drill(
        gettext_lazy("反馈问题"),
        _by("", s.feedback_raised),
        _feedback_row,
        private="evaluation.feedback",
    ),
    "feedback_closed": Drill(
        gettext_lazy("已办结的反馈问题"),
        _by("", s.feedback_closed),
        _feedback_row,
        private="evaluation.feedback",
    ),
}


def hide_text(row: Row) -> Row:
    return replace(row, title=_("（内容仅经办人员可见）"))


def drill_get(key: str) -> Drill:
    drill = DRILLS.get(key)
    if drill is None:
        raise NotFoundError(_("没有这项统计数据。"), field="figure")
    return drill


def value_label(drill: Drill, value: str) -> str:
    """The label of `value` among the drill's values; refused when it is not one of them."""
    value = value.strip()
    if not value:
        return ""
    labels = dict(drill.values()) if drill.values is not None else {}
    if value not in labels:
        raise BadValueError(_("无法识别筛选值“%(value)s”。") % {"value": value[:40]}, field="value")
    return labels[value]


def drill_records(key: str, place: Place, period: Period, value: str = "") -> QuerySet[Any]:
    """The records the figure `key` counts for `place` and `period`, narrowed by `value`."""
    drill = drill_get(key)
    value_label(drill, value)
    return drill.records(place, period, value.strip())
