"""Writes about meetings: convene with an agenda and invitations, sign in, minutes, hands.

A meeting is held once its minutes are recorded; the lifecycle counts only held meetings.
Each change writes a line on the timeline of every topic on the agenda.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import (
    Capacity,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Option,
    Participant,
    Resolution,
    Topic,
)
from qinlin.topics.services import MAX_TEXT, step_record
from qinlin.topics.states import OPEN_STAGES
from qinlin.votes.rules import Hands, HandsError, MeetingRule, meeting_result


@dataclass(frozen=True)
class Invitee:
    capacity: str
    person: Person | None = None
    name: str = ""


def _check_runner(actor: Person, meeting: Meeting) -> None:
    if not can(actor, "topics.run_meetings", meeting.place):
        raise ForbiddenError()


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("place").get(pk=meeting.pk)


def _add(meeting: Meeting, invitee: Invitee) -> Participant:
    if invitee.capacity not in Capacity.values:
        raise DomainError(_("请选择参会身份。"), code="bad_capacity", field="capacity")
    name = (invitee.person.name if invitee.person else invitee.name).strip()
    if not name:
        raise DomainError(_("请填写参会人员姓名。"), code="name_required", field="name")
    try:
        with transaction.atomic():
            return Participant.objects.create(
                meeting=meeting, person=invitee.person, name=name[:50], capacity=invitee.capacity
            )
    except IntegrityError:
        raise ConflictError(
            _("%(name)s 已在参会名单中。") % {"name": name}, code="already_invited"
        ) from None


def meeting_convene(
    *,
    actor: Person,
    kind: str,
    title: str,
    place: Place,
    starts_at: datetime,
    topics: Sequence[Topic],
    location: str = "",
    invitees: Sequence[Invitee] = (),
) -> Meeting:
    """Call a meeting at a grid with one or more open topics of that grid on its agenda."""
    if not can(actor, "topics.run_meetings", place):
        raise ForbiddenError()
    if kind not in MeetingKind.values:
        raise DomainError(_("请选择会议类型。"), code="bad_kind", field="kind")
    title = title.strip()
    if not title:
        raise DomainError(_("请填写会议名称。"), code="title_required", field="title")
    if not topics:
        raise DomainError(_("议程中至少要有一个议题。"), code="no_topics", field="topics")
    for topic in topics:
        if not topic.place.path.startswith(place.path) or topic.stage not in OPEN_STAGES:
            raise DomainError(
                _("议题“%(title)s”不在本网格或已结束，不能列入议程。") % {"title": topic.title},
                code="bad_topic",
                field="topics",
            )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title[:120],
            place=place,
            location=location.strip()[:120],
            starts_at=starts_at,
            convened_by=actor,
        )
        meeting.topics.set(topics)
        for invitee in invitees:
            _add(meeting, invitee)
        for topic in topics:
            step_record(
                topic=topic,
                actor=actor,
                verb="meeting_convened",
                meeting=meeting.uid,
                title=meeting.title,
                kind=kind,
                starts_at=starts_at.isoformat(),
            )
        audit_record(
            actor=actor,
            verb="topics.meeting.convened",
            obj=meeting,
            data={"kind": kind, "topics": [t.uid for t in topics], "invited": len(invitees)},
        )
    return meeting


def participant_invite(*, actor: Person, meeting: Meeting, invitee: Invitee) -> Participant:
    _check_runner(actor, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise ConflictError(_("会议已取消。"), code="meeting_cancelled")
        participant = _add(meeting, invitee)
        audit_record(
            actor=actor,
            verb="topics.meeting.invited",
            obj=meeting,
            data={"name": participant.name, "capacity": participant.capacity},
        )
    return participant


def participant_sign_in(
    *, actor: Person, participant: Participant, attended: bool = True
) -> Participant:
    """Mark someone present (or correct a mistaken sign-in) until the hands are recorded."""
    meeting = participant.meeting
    _check_runner(actor, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise ConflictError(_("会议已取消。"), code="meeting_cancelled")
        if meeting.resolutions.exists():
            raise ConflictError(_("已记录表决结果，签到不能再改。"), code="attendance_frozen")
        participant = Participant.objects.get(pk=participant.pk, meeting=meeting)
        participant.attended_at = timezone.now() if attended else None
        participant.save(update_fields=["attended_at"])
        audit_record(
            actor=actor,
            verb="topics.meeting.signed_in" if attended else "topics.meeting.sign_in_undone",
            obj=meeting,
            data={"name": participant.name},
        )
    return participant


def meeting_record_minutes(*, actor: Person, meeting: Meeting, minutes: str) -> Meeting:
    """The minutes make the meeting held; correcting them later is recorded too."""
    _check_runner(actor, meeting)
    minutes = minutes.strip()
    if not minutes:
        raise DomainError(_("请填写会议纪要。"), code="minutes_required", field="minutes")
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise ConflictError(_("会议已取消。"), code="meeting_cancelled")
        if not meeting.participants.filter(attended_at__isnull=False).exists():
            raise DomainError(
                _("请先为到会人员签到，再记录纪要。"), code="no_attendance", field="minutes"
            )
        first = meeting.status == MeetingStatus.PLANNED
        meeting.minutes = minutes[: MAX_TEXT * 4]
        meeting.status = MeetingStatus.HELD
        meeting.held_at = meeting.held_at or timezone.now()
        meeting.save(update_fields=["minutes", "status", "held_at"])
        attended = meeting.participants.filter(attended_at__isnull=False).count()
        for topic in meeting.topics.all():
            step_record(
                topic=topic,
                actor=actor,
                verb="meeting_held" if first else "minutes_corrected",
                text=meeting.minutes,
                meeting=meeting.uid,
                title=meeting.title,
                kind=meeting.kind,
                invited=meeting.participants.count(),
                attended=attended,
            )
        audit_record(
            actor=actor,
            verb="topics.meeting.held" if first else "topics.meeting.minutes_corrected",
            obj=meeting,
            data={"attended": attended},
        )
    return meeting


def resolution_record(
    *,
    actor: Person,
    meeting: Meeting,
    option: Option,
    rule: str,
    agree: int,
    disagree: int,
    abstain: int,
) -> Resolution:
    """The show of hands on one option: attendance is the sign-in list, the rule decides
    whether the meeting was quorate and the option carried (votes/rules.py)."""
    _check_runner(actor, meeting)
    if rule not in MeetingRule.__members__.values():
        raise DomainError(_("请选择表决规则。"), code="bad_rule", field="rule")
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == MeetingStatus.CANCELLED:
            raise ConflictError(_("会议已取消。"), code="meeting_cancelled")
        if not meeting.topics.filter(pk=option.topic_id).exists():
            raise DomainError(
                _("这个方案的议题不在本次会议议程中。"), code="bad_option", field="option"
            )
        if meeting.resolutions.filter(option=option).exists():
            raise ConflictError(
                _("方案 %(letter)s 已经表决过。") % {"letter": option.letter},
                code="already_resolved",
            )
        hands = Hands(
            invited=meeting.participants.count(),
            attendees=meeting.participants.filter(attended_at__isnull=False).count(),
            agree=agree,
            disagree=disagree,
            abstain=abstain,
        )
        try:
            result = meeting_result(MeetingRule(rule), hands)
        except HandsError:
            raise DomainError(
                _("同意、不同意、弃权合计 %(sum)s，超过了实到人数 %(n)s，或有负数。请核对。")
                % {"sum": agree + disagree + abstain, "n": hands.attendees},
                code="bad_hands",
                field="agree",
            ) from None
        resolution = Resolution.objects.create(
            meeting=meeting,
            option=option,
            rule=rule,
            invited=hands.invited,
            attendees=hands.attendees,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            passed=result.passed,
            explanation_zh=result.explanation_zh,
            explanation_en=result.explanation_en,
            recorded_by=actor,
        )
        step_record(
            topic=option.topic,
            actor=actor,
            verb="resolution",
            meeting=meeting.uid,
            title=meeting.title,
            option=f"{option.letter}. {option.title}",
            passed=result.passed,
            zh=result.explanation_zh,
            en=result.explanation_en,
        )
        audit_record(
            actor=actor,
            verb="topics.meeting.resolved",
            obj=meeting,
            data={
                "option": option.letter,
                "rule": rule,
                "hands": [hands.invited, hands.attendees, agree, disagree, abstain],
                "passed": result.passed,
            },
        )
    return resolution


def meeting_cancel(*, actor: Person, meeting: Meeting, reason: str) -> Meeting:
    _check_runner(actor, meeting)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明取消的原因。"), code="reason_required", field="reason")
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status != MeetingStatus.PLANNED:
            raise ConflictError(_("只能取消尚未召开的会议。"), code="not_planned")
        meeting.status = MeetingStatus.CANCELLED
        meeting.save(update_fields=["status"])
        for topic in meeting.topics.all():
            step_record(
                topic=topic,
                actor=actor,
                verb="meeting_cancelled",
                text=reason,
                meeting=meeting.uid,
                title=meeting.title,
            )
        audit_record(
            actor=actor, verb="topics.meeting.cancelled", obj=meeting, data={"reason": reason}
        )
    return meeting
