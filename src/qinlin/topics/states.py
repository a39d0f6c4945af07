"""The lifecycle of a topic (domain.md §4) as one table: from, to, who may, what it needs.

`topic_advance` (services.py) is the only code that changes `Topic.stage`; it reads this table,
checks the requirements against the topic and the inputs, and records the step. Later stages
(voting, executing, evaluating) start with the minimal inputs listed here; the votes, works
and evaluation apps add requirements to their rows instead of writing a second path.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("待受理")
    LOCAL = "local", _("先行商议")
    REVIEW = "review", _("调查审核")
    CONSULTATION = "consultation", _("协商")
    VOTING = "voting", _("表决")
    DECIDED = "decided", _("已决定")
    EXECUTING = "executing", _("办理中")
    EVALUATING = "evaluating", _("测评中")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予立项")
    REFERRED = "referred", _("已转办")


FINAL_STAGES = (Stage.CLOSED, Stage.REJECTED, Stage.REFERRED)
OPEN_STAGES = [s for s in Stage if s not in FINAL_STAGES]


class Need(models.TextChoices):
    """What a transition requires. Each is checked by `requirements.py` and its refusal names
    what is missing; the label is how the table reads in docs/topics-lifecycle.md."""

    NOTE = "note", pgettext_lazy("requirement", "说明理由")
    REASON = "reason", pgettext_lazy("requirement", "不予立项的理由")
    REFERRED_TO = "referred_to", pgettext_lazy("requirement", "转办单位")
    FINDINGS = "findings", pgettext_lazy("requirement", "调查审核意见")
    HELD_MEETING = "held_meeting", pgettext_lazy("requirement", "至少一次已召开并有纪要的会议")
    HELD_LOCAL_MEETING = (
        "held_local_meeting",
        pgettext_lazy("requirement", "一次已召开并有纪要的先行商议会"),
    )
    HELD_CONSULTATION = (
        "held_consultation",
        pgettext_lazy("requirement", "一次已召开并有纪要的协商会议"),
    )
    TWO_OPTIONS = "two_options", pgettext_lazy("requirement", "至少两个方案")
    PASSED_RESOLUTION = (
        "passed_resolution",
        pgettext_lazy("requirement", "会议对所选方案的表决通过"),
    )
    TALLY = "tally", pgettext_lazy("requirement", "表决结果（所选方案与计票情况）")
    NOTICE_DRAFT = "notice_draft", pgettext_lazy("requirement", "决定公告草稿")
    RESPONSIBLE = "responsible", pgettext_lazy("requirement", "至少一名负责人")
    ACCEPTED_WORK = "accepted_work", pgettext_lazy("requirement", "一次合格的验收（附现场照片）")
    SURVEY_DONE = (
        "survey_done",
        pgettext_lazy("requirement", "一次已结束且参与率达标的满意度测评"),
    )
    EVALUATION = "evaluation", pgettext_lazy("requirement", "测评结论")


class Act(models.TextChoices):
    """The permission each transition asks for (core/permissions.py says which roles hold it)."""

    ACCEPT = "topics.accept", _("受理议题")
    DELIBERATE = "topics.deliberate", _("主持先行商议")
    REVIEW = "topics.review", _("社区党委审核与协商")
    EXECUTE = "topics.execute", _("组织办理")


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    act: Act
    needs: tuple[Need, ...]
    verb: str  # the audit action, `topics.topic.<verb>`
    label: Promise  # the button that takes it
    # The section of the topic page whose own form takes this step (its record and the step in
    # one), instead of the generic form of "next steps".
    via: str = ""


S, N = Stage, Need
DECIDE_BY_RESOLUTION = (N.PASSED_RESOLUTION, N.NOTICE_DRAFT)

TRANSITIONS: tuple[Transition, ...] = (
    # Accepting a topic hands it to the compound for local deliberation first.
    Transition(S.PROPOSED, S.LOCAL, Act.ACCEPT, (), "accepted", _("受理，转入先行商议")),
    Transition(S.PROPOSED, S.REJECTED, Act.ACCEPT, (N.REASON,), "rejected", _("不予立项")),
    Transition(S.PROPOSED, S.REFERRED, Act.ACCEPT, (N.REFERRED_TO,), "referred", _("转办")),
    # Local deliberation (先行商议) settles it, or sends it up with the reason it could not.
    Transition(
        S.LOCAL,
        S.DECIDED,
        Act.DELIBERATE,
        (N.HELD_LOCAL_MEETING, *DECIDE_BY_RESOLUTION),
        "decided",
        _("商议已形成决定"),
    ),
    Transition(S.LOCAL, S.REVIEW, Act.DELIBERATE, (N.NOTE,), "escalated", _("提交社区党委审核")),
    Transition(S.LOCAL, S.REJECTED, Act.DELIBERATE, (N.REASON,), "rejected", _("不予立项")),
    Transition(S.LOCAL, S.REFERRED, Act.DELIBERATE, (N.REFERRED_TO,), "referred", _("转办")),
    # The community party committee investigates (调查审核) and decides whether to consult.
    Transition(
        S.REVIEW,
        S.CONSULTATION,
        Act.REVIEW,
        (N.FINDINGS, N.HELD_MEETING, N.TWO_OPTIONS),
        "consultation_convened",
        _("审核通过，组织协商"),
    ),
    Transition(S.REVIEW, S.REJECTED, Act.REVIEW, (N.FINDINGS, N.REASON), "rejected", _("不予立项")),
    Transition(S.REVIEW, S.REFERRED, Act.REVIEW, (N.REFERRED_TO,), "referred", _("转办")),
    # A consultation decides itself, or puts options that bind owners to every household.
    Transition(
        S.CONSULTATION,
        S.VOTING,
        Act.REVIEW,
        (N.HELD_CONSULTATION, N.TWO_OPTIONS),
        "vote_opened",
        _("提交业主表决"),
    ),
    Transition(
        S.CONSULTATION,
        S.DECIDED,
        Act.REVIEW,
        (N.HELD_CONSULTATION, *DECIDE_BY_RESOLUTION),
        "decided",
        _("协商已形成决定"),
    ),
    Transition(S.CONSULTATION, S.REJECTED, Act.REVIEW, (N.REASON,), "rejected", _("不予立项")),
    Transition(
        S.VOTING, S.DECIDED, Act.REVIEW, (N.TALLY, N.NOTICE_DRAFT), "decided", _("公布表决结果")
    ),
    Transition(
        S.DECIDED, S.EXECUTING, Act.EXECUTE, (N.RESPONSIBLE,), "execution_started", _("开始办理")
    ),
    Transition(
        S.EXECUTING,
        S.EVALUATING,
        Act.EXECUTE,
        (N.ACCEPTED_WORK,),
        "accepted_work",
        _("验收，进入测评"),
        via="acceptance",
    ),
    Transition(
        S.EVALUATING,
        S.CLOSED,
        Act.REVIEW,
        (N.SURVEY_DONE, N.EVALUATION),
        "closed",
        _("测评完成，办结"),
    ),
)


def transitions_from(stage: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == stage]


def transition(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)
