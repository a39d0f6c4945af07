"""A topic's public timeline as people read it: each step with its heading and its details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qinlin.core.masking import mask_name
from qinlin.topics.models import MeetingKind, Step, Topic
from qinlin.topics.states import TRANSITIONS, Need, Stage

STEP_TITLES: dict[str, Promise] = {
    "created": _("形成议题"),
    "option_added": _("新增方案"),
    "option_changed": _("修改方案"),
    "responsible_set": _("确定负责人"),
    "meeting_convened": _("发出会议通知"),
    "meeting_held": _("会议已召开，纪要公开"),
    "minutes_corrected": _("更正会议纪要"),
    "meeting_cancelled": _("会议取消"),
    "resolution": _("会议表决"),
    "owners_vote_opened": _("发起业主表决"),
    "owners_vote_closed": _("业主表决结束"),
    "task_created": _("安排办理任务"),
    "task_done": _("任务完成"),
    "tender_opened": _("发布招标"),
    "bids_published": _("投标公示"),
    "tender_awarded": _("定标"),
    "funding_set": _("制定资金方案"),
    "acceptance": _("验收"),
    "notice_published": _("发布公示"),
    "notice_withdrawn": _("撤回公示"),
    "audit": _("审计评估"),
    "survey_opened": _("发起满意度测评"),
    "survey_ended": _("满意度测评结束"),
}
DETAIL_LABELS: dict[str, Promise] = {
    "option": _("方案"),
    "cost": _("预计费用（元）"),
    "funding": _("资金来源设想"),
    "title": _("会议"),
    "scope": _("表决范围"),
    "passed": _("通过的方案"),
    "task": _("任务"),
    "due": _("完成期限"),
    "tender": _("招标项目"),
    "vendor": _("中标单位"),
    "price": _("报价（元）"),
    "bids": _("投标数"),
    "total": _("总费用（元）"),
    "sources": _("资金来源"),
    "participants": _("验收人员"),
    "notice_title": _("公示"),
    "until": _("截止"),
    "panel": _("评估组"),
    "verdict": _("结论"),
    "problems": _("提出问题"),
    "survey_scope": _("测评范围"),
    "responses": _("参与户数"),
    "satisfaction": _("满意率"),
    "held_on": _("验收日期"),
}


@dataclass
class Entry:
    at: datetime
    title: str
    actor: str
    stage: str = ""
    stage_label: str = ""
    text: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)
    ok: bool | None = None
    link: str = ""


def _title(step: Step) -> str:
    if step.verb in STEP_TITLES:
        return str(STEP_TITLES[step.verb])
    for t in TRANSITIONS:
        if (t.verb, t.source, t.target) == (step.verb, step.source, step.target):
            return str(t.label)
    return step.verb


def _lines(step: Step, english: bool) -> list[tuple[str, str]]:
    data: dict[str, Any] = step.data or {}
    lines: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in Need.values and value:
            lines.append((capfirst(str(Need(key).label)), str(value)))
        elif key in DETAIL_LABELS and value and not isinstance(value, bool):
            lines.append((str(DETAIL_LABELS[key]), str(value)))
    if step.verb in ("meeting_convened", "meeting_held") and data.get("kind"):
        lines.append((str(_("类型")), str(MeetingKind(data["kind"]).label)))
    if step.verb == "meeting_held":
        lines.append((str(_("到会")), f"{data.get('attended', 0)}/{data.get('invited', 0)}"))
    if step.verb in ("resolution", "owners_vote_closed"):
        lines.append((str(_("结果")), str(data.get("en" if english else "zh", ""))))
    return lines


def topic_timeline(topic: Topic, *, full_names: bool = False) -> list[Entry]:
    """Oldest first. Names are masked unless the reader is staff of the place. The topic is
    as `topic_get` gives it: its steps prefetched with their actors."""
    english = (get_language() or "").startswith("en")
    entries = []
    for step in topic.steps.all():
        name = step.actor.name if step.actor else ""
        entries.append(
            Entry(
                at=step.at,
                title=_title(step),
                actor=name if full_names else mask_name(name),
                stage=step.target,
                stage_label=str(Stage(step.target).label) if step.target else "",
                text=step.text,
                lines=_lines(step, english),
                ok=step.data.get("passed") if step.verb in ("resolution", "acceptance") else None,
                link=reverse("public:notice", args=[step.data["notice"]])
                if step.data.get("notice")
                else "",
            )
        )
    return entries
