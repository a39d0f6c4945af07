"""What a notice can be about, and its first draft: a title and a text filled in from the
object's data, in the drafter's language, for staff to edit before publishing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.disclosure.models import NoticeKind
from qinlin.evaluation.models import CLOSED_FEEDBACK, Level, Survey
from qinlin.topics.models import Meeting, MeetingStatus, Topic
from qinlin.votes.models import Vote
from qinlin.works.models import Acceptance, Tender, TenderStatus
from qinlin.works.selectors import funding_of


@dataclass(frozen=True)
class Subject:
    kind: NoticeKind
    uid: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.uid}"


def notice_subjects(topic: Topic) -> list[Subject]:
    """The topic's records that may be disclosed now, newest kind of record first."""
    subjects = [
        Subject(NoticeKind.EVALUATION, s.uid, _("%(date)s 满意度测评") % {"date": s.closes_on})
        for s in topic.surveys.exclude(ended_at=None)
    ]
    subjects += [
        Subject(NoticeKind.ACCEPTANCE, a.uid, _("%(date)s 验收") % {"date": a.held_on})
        for a in topic.acceptances.all()
    ]
    if funding_of(topic.pk) is not None:
        subjects.append(Subject(NoticeKind.FUNDING, topic.uid, topic.title))
    subjects += [
        Subject(NoticeKind.BIDS, t.uid, t.title)
        for t in topic.tenders.exclude(status=TenderStatus.OPEN)
    ]
    subjects += [
        Subject(NoticeKind.TALLY, v.uid, _("%(scope)s业主表决") % {"scope": v.scope.name})
        for v in topic.votes.exclude(closed_at=None).select_related("scope")
    ]
    subjects += [
        Subject(NoticeKind.MEETING, m.uid, m.title)
        for m in topic.meetings.filter(status=MeetingStatus.HELD)
    ]
    return subjects


def draft(topic: Topic, kind: str, subject_uid: str) -> tuple[str, str]:
    """(title, body) for a notice about one of `notice_subjects(topic)`."""
    maker = {
        NoticeKind.MEETING: _meeting,
        NoticeKind.TALLY: _tally,
        NoticeKind.BIDS: _bids,
        NoticeKind.FUNDING: _funding,
        NoticeKind.ACCEPTANCE: _acceptance,
        NoticeKind.EVALUATION: _evaluation,
    }[NoticeKind(kind)]
    return maker(topic, subject_uid)


def _meeting(topic: Topic, uid: str) -> tuple[str, str]:
    meeting = Meeting.objects.get(uid=uid, topics=topic, status=MeetingStatus.HELD)
    english = (get_language() or "").startswith("en")
    lines = [
        _("%(date)s，%(kind)s“%(title)s”在%(where)s召开，应到 %(n)s 人，实到 %(a)s 人。")
        % {
            "date": f"{localtime(meeting.starts_at):%Y-%m-%d}",
            "kind": meeting.get_kind_display(),
            "title": meeting.title,
            "where": meeting.location or topic.place.address,
            "n": meeting.participants.count(),
            "a": meeting.participants.exclude(attended_at=None).count(),
        },
        "",
        _("会议纪要："),
        meeting.minutes,
    ]
    resolutions = list(meeting.resolutions.select_related("option"))
    if resolutions:
        lines += ["", _("表决结果：")]
        lines += [
            f"{r.option.letter}. {r.option.title}: "
            + (r.explanation_en if english else r.explanation_zh)
            for r in resolutions
        ]
    return _("关于“%(title)s”会议结果的公示") % {"title": topic.title}, "\n".join(lines)


def _tally(topic: Topic, uid: str) -> tuple[str, str]:
    vote = Vote.objects.select_related("scope").get(uid=uid, topic=topic)
    english = (get_language() or "").startswith("en")
    lines = [
        _("“%(title)s”已由%(scope)s业主表决，%(start)s 至 %(end)s，计票结果如下：")
        % {
            "title": topic.title,
            "scope": vote.scope.name,
            "start": f"{localtime(vote.opens_at):%Y-%m-%d}",
            "end": f"{localtime(vote.closes_at):%Y-%m-%d}",
        },
        "",
    ]
    lines += [str(r.get("en" if english else "zh", "")) for r in vote.result.values()]
    return _("关于“%(title)s”业主表决结果的公示") % {"title": topic.title}, "\n".join(lines)


def _bids(topic: Topic, uid: str) -> tuple[str, str]:
    tender = Tender.objects.select_related("awarded_bid").get(uid=uid, topic=topic)
    lines = [
        _("“%(title)s”公开招标，投标已于 %(deadline)s 截止，共收到 %(n)s 家投标：")
        % {
            "title": tender.title,
            "deadline": f"{localtime(tender.deadline):%Y-%m-%d %H:%M}",
            "n": tender.bids.count(),
        },
        "",
    ]
    for i, bid in enumerate(tender.bids.all(), start=1):
        lines.append(
            _("%(i)s. %(vendor)s，报价 %(price)s 元，产品型号：%(model)s")
            % {"i": i, "vendor": bid.vendor, "price": bid.price, "model": bid.product or "—"}
        )
    lines += ["", _("招标要求："), tender.requirements]
    if tender.awarded_bid is not None:
        lines += [
            "",
            _("定标结果：%(vendor)s，理由：%(reason)s")
            % {"vendor": tender.awarded_bid.vendor, "reason": tender.award_reason},
        ]
    return _("关于“%(title)s”投标情况的公示") % {"title": tender.title}, "\n".join(lines)


def _funding(topic: Topic, uid: str) -> tuple[str, str]:
    plan = funding_of(topic.pk)
    if plan is None or uid != topic.uid:
        raise LookupError(uid)
    lines = [
        _("“%(title)s”总费用 %(total)s 元，资金来源：")
        % {"title": topic.title, "total": plan.total_yuan}
    ]
    lines += [
        _("· %(source)s %(amount)s 元")
        % {"source": line.get_source_display(), "amount": line.amount_yuan}
        for line in plan.lines.all()
    ]
    homes = getattr(plan, "homes", 0)
    if homes:
        lines += [
            "",
            _("居民自筹部分%(mode)s，%(scope)s共 %(n)s 户分摊；")
            % {"mode": plan.get_share_mode_display(), "scope": plan.scope.address, "n": homes}
            + _("已缴 %(paid)s 户，减免 %(exempt)s 户。")
            % {"paid": getattr(plan, "paid", 0), "exempt": getattr(plan, "exempt", 0)},
        ]
    return _("关于“%(title)s”资金方案与收支情况的公示") % {"title": topic.title}, "\n".join(lines)


def _acceptance(topic: Topic, uid: str) -> tuple[str, str]:
    acceptance = Acceptance.objects.get(uid=uid, topic=topic)
    lines = [
        _("%(date)s，“%(title)s”组织验收，结论：%(result)s。")
        % {
            "date": acceptance.held_on,
            "title": topic.title,
            "result": _("合格") if acceptance.passed else _("不合格"),
        },
        "",
        _("验收人员：%(people)s") % {"people": acceptance.participants},
        _("验收意见：%(opinion)s") % {"opinion": acceptance.opinion},
    ]
    return _("关于“%(title)s”验收结果的公示") % {"title": topic.title}, "\n".join(lines)


def _evaluation(topic: Topic, uid: str) -> tuple[str, str]:
    """The survey's figures, the audits' verdicts and what became of the problems raised."""
    survey = Survey.objects.select_related("scope").get(uid=uid, topic=topic)
    result = survey.result
    lines = [
        _("“%(title)s”满意度测评（%(scope)s）已结束：")
        % {"title": topic.title, "scope": survey.scope.address},
        _("参与 %(n)s/%(homes)s 户（%(rate)s），满意率 %(sat)s。")
        % {
            "n": result.get("responses", 0),
            "homes": result.get("homes", 0),
            "rate": result.get("response_rate", "—"),
            "sat": result.get("satisfaction_rate", "—"),
        },
    ]
    counts = result.get("counts", {})
    lines += [
        _("· %(level)s %(n)s 户") % {"level": label, "n": counts.get(value, 0)}
        for value, label in Level.choices
    ]
    for audit in topic.audits.all():
        lines += [
            "",
            _("%(date)s 审计评估结论：%(verdict)s。%(findings)s")
            % {
                "date": audit.held_on,
                "verdict": audit.get_verdict_display(),
                "findings": audit.findings,
            },
        ]
    items = topic.feedback.aggregate(
        total=Count("id"), closed=Count("id", filter=Q(status__in=CLOSED_FEEDBACK))
    )
    if items["total"]:
        lines += [
            "",
            _("收到反馈问题 %(total)s 条，已办结 %(closed)s 条。")
            % {"total": items["total"], "closed": items["closed"]},
        ]
    return _("关于“%(title)s”测评结果的公示") % {"title": topic.title}, "\n".join(lines)
