"""Writes about disclosure: channels, notices and their period, objections, requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client, rate_limit_check
from qinlin.disclosure.drafting import draft, notice_subjects
from qinlin.disclosure.models import (
    MAX_PERIOD_DAYS,
    OPEN_REQUEST,
    Channel,
    ChannelKind,
    DisclosureRequest,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    ObjectionChannel,
    Origin,
    RequestStatus,
)
from qinlin.disclosure.privacy import known_names, masked
from qinlin.people.models import Person
from qinlin.people.selectors import lives_under
from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.services import step_record


def channel_create(*, actor: Person, place: Place, kind: str, name: str) -> Channel:
    if not can(actor, "disclosure.channels", place):
        raise ForbiddenError()
    if kind not in ChannelKind.values:
        raise DomainError(_("请选择渠道类型。"), code="bad_kind", field="kind")
    name = name.strip()
    if not name:
        raise DomainError(_("请填写渠道名称。"), code="name_required", field="name")
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                place=place, kind=kind, name=name[:80], created_by=actor
            )
            audit_record(
                actor=actor, verb="disclosure.channel.created", obj=channel, data={"name": name}
            )
    except IntegrityError:
        raise ConflictError(
            _("%(place)s已有名为“%(name)s”的渠道。") % {"place": place.name, "name": name},
            code="channel_exists",
        ) from None
    return channel


def notice_draft(*, actor: Person, topic: Topic, subject: str) -> Notice:
    """A draft notice about one of the topic's records (`kind:uid`, see drafting.py), with its
    text filled in from the record for the drafter to edit."""
    if not can(actor, "disclosure.publish", topic.place):
        raise ForbiddenError()
    available = {s.key: s for s in notice_subjects(topic)}
    if subject not in available:
        raise DomainError(_("请选择要公开的事项。"), code="bad_subject", field="subject")
    chosen = available[subject]
    title, body = draft(topic, chosen.kind, chosen.uid)
    with transaction.atomic():
        notice = Notice.objects.create(
            place=topic.place,
            topic=topic,
            kind=chosen.kind,
            subject_uid=chosen.uid,
            title=title[:120],
            body=body,
            created_by=actor,
        )
        audit_record(
            actor=actor, verb="disclosure.notice.drafted", obj=notice, data={"subject": subject}
        )
    return notice


def notice_write(
    *,
    actor: Person,
    place: Place,
    title: str,
    body: str,
    request: DisclosureRequest | None = None,
) -> Notice:
    """A draft notice written from scratch: any other matter, or the answer to a request."""
    if not can(actor, "disclosure.publish", place):
        raise ForbiddenError()
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DomainError(_("请填写标题和正文。"), code="required", field="title")
    with transaction.atomic():
        notice = Notice.objects.create(
            place=place,
            kind=NoticeKind.OTHER,
            origin=Origin.ON_REQUEST if request is not None else Origin.PROACTIVE,
            title=title[:120],
            body=body,
            created_by=actor,
        )
        if request is not None:
            DisclosureRequest.objects.filter(pk=request.pk).update(notice=notice)
        audit_record(actor=actor, verb="disclosure.notice.drafted", obj=notice, data={})
    return notice


def _locked(actor: Person, notice: Notice) -> Notice:
    if not can(actor, "disclosure.publish", notice.place):
        raise ForbiddenError()
    return (
        Notice.objects.select_for_update(of=("self",))
        .select_related("place", "topic")
        .get(pk=notice.pk)
    )


def _period(days: int) -> int:
    if not 1 <= days <= MAX_PERIOD_DAYS:
        raise DomainError(
            _("公示期应为 1 至 %(max)s 天。") % {"max": MAX_PERIOD_DAYS},
            code="bad_period",
            field="period_days",
        )
    return days


def notice_update(
    *, actor: Person, notice: Notice, title: str, body: str, period_days: int
) -> Notice:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DomainError(_("请填写标题和正文。"), code="required", field="title")
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeStatus.DRAFT:
            raise ConflictError(_("已发布的公示不能修改，可以撤回后重新发布。"), code="not_draft")
        notice.title, notice.body = title[:120], body
        notice.period_days = _period(period_days)
        notice.save(update_fields=["title", "body", "period_days"])
    return notice


def _reachable(notice: Notice, channel: Channel) -> bool:
    """A channel at the notice's place, above it (the community's board) or below it (a
    building's board or group) — never another compound's."""
    return notice.place.path.startswith(channel.place.path) or channel.place.path.startswith(
        notice.place.path
    )


def notice_publish(*, actor: Person, notice: Notice, channels: Sequence[Channel]) -> Notice:
    """Publish a draft to the chosen channels for its notice period. The text is masked first
    (phone and ID numbers, the names of the place's people), so no rendering shows more."""
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeStatus.DRAFT:
            raise ConflictError(_("这份公示已经发布过了。"), code="not_draft")
        if not channels:
            raise DomainError(
                _("请至少选择一个公开渠道。"), code="channels_required", field="channels"
            )
        wrong = [c.name for c in channels if not c.active or not _reachable(notice, c)]
        if wrong:
            raise DomainError(
                _("这些渠道不能发布本地的公示：%(names)s。") % {"names": "、".join(wrong)},
                code="bad_channels",
                field="channels",
            )
        names = known_names(notice.place)
        notice.title = masked(notice.title, names)
        notice.body = masked(notice.body, names)
        notice.state = NoticeStatus.PUBLISHED
        notice.published_at = timezone.now()
        notice.period_ends = timezone.localdate() + timedelta(days=notice.period_days)
        notice.published_by = actor
        notice.save(
            update_fields=["title", "body", "state", "published_at", "period_ends", "published_by"]
        )
        notice.channels.set(channels)
        if notice.topic is not None:
            step_record(
                topic=notice.topic,
                actor=actor,
                verb="notice_published",
                notice=notice.uid,
                notice_title=notice.title,
                until=notice.period_ends.isoformat(),
            )
        answered = DisclosureRequest.objects.filter(notice=notice, status__in=OPEN_REQUEST)
        answered.update(status=RequestStatus.ANSWERED, closed_at=timezone.now())
        audit_record(
            actor=actor,
            verb="disclosure.notice.published",
            obj=notice,
            data={"channels": [c.uid for c in channels], "until": notice.period_ends.isoformat()},
        )
    return notice


def notice_withdraw(*, actor: Person, notice: Notice, reason: str) -> Notice:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明撤回的理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        notice = _locked(actor, notice)
        if notice.state != NoticeStatus.PUBLISHED:
            raise ConflictError(_("只有已发布的公示可以撤回。"), code="not_published")
        notice.state = NoticeStatus.WITHDRAWN
        # The reason is shown on the public page beside the withdrawn notice: masked too.
        notice.withdrawn_reason = masked(reason[:300], known_names(notice.place))
        notice.withdrawn_at = timezone.now()
        notice.save(update_fields=["state", "withdrawn_reason", "withdrawn_at"])
        if notice.topic is not None:
            step_record(
                topic=notice.topic,
                actor=actor,
                verb="notice_withdrawn",
                notice=notice.uid,
                notice_title=notice.title,
                text=notice.withdrawn_reason,
            )
        audit_record(
            actor=actor, verb="disclosure.notice.withdrawn", obj=notice, data={"reason": reason}
        )
    return notice


def may_object(person: Person, notice: Notice) -> bool:
    """Any confirmed resident of the notice's compound: a unit's notice is posted compound-wide
    (its board, the owners' group), and so are the neighbours who may question it."""
    return lives_under(person, notice.place.path[: 3 * SEGMENT])


def _open_for_objections(notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update().select_related("place").get(pk=notice.pk)
    if not notice.in_period():
        raise ConflictError(_("只能在公示期内提出异议。"), code="not_in_period")
    return notice


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(_("请写下异议的内容。"), code="text_required", field="text")
    return text[:2000]


def objection_file(
    *, actor: Person, notice: Notice, text: str, client: Client | None = None
) -> Objection:
    """A resident's objection, online, during the notice period."""
    if not may_object(actor, notice):
        raise ForbiddenError(_("本小区居民才能对这份公示提出异议。"))
    text = _text(text)
    rate_limit_check("disclosure.objection", person=actor, client=client)
    with transaction.atomic():
        notice = _open_for_objections(notice)
        objection = Objection.objects.create(
            notice=notice,
            author=actor,
            author_name=actor.name,
            text=masked(text, known_names(notice.place)),
            recorded_by=actor,
        )
        audit_record(actor=actor, verb="disclosure.objection.filed", obj=notice, data={})
    return objection


def objection_record(*, actor: Person, notice: Notice, author_name: str, text: str) -> Objection:
    """An objection made in person (at the board, on the sunshine deliberation day), written
    down by staff."""
    if not can(actor, "disclosure.publish", notice.place):
        raise ForbiddenError()
    author_name = author_name.strip()
    if not author_name:
        raise DomainError(_("请填写提出人。"), code="author_required", field="author_name")
    text = _text(text)
    with transaction.atomic():
        notice = _open_for_objections(notice)
        objection = Objection.objects.create(
            notice=notice,
            author_name=author_name[:40],
            channel=ObjectionChannel.IN_PERSON,
            text=masked(text, known_names(notice.place)),
            recorded_by=actor,
        )
        audit_record(actor=actor, verb="disclosure.objection.recorded", obj=notice, data={})
    return objection


def objection_answer(*, actor: Person, objection: Objection, answer: str) -> Objection:
    """The answer is public beside the objection; it may be corrected later, on the record."""
    if not can(actor, "disclosure.publish", objection.notice.place):
        raise ForbiddenError()
    answer = answer.strip()
    if not answer:
        raise DomainError(_("请填写答复。"), code="answer_required", field="answer")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        objection.answer = masked(answer[:4000], known_names(objection.notice.place))
        objection.answered_by = actor
        objection.answered_at = timezone.now()
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        audit_record(
            actor=actor,
            verb="disclosure.objection.answered",
            obj=objection.notice,
            data={"objection": objection.pk},
        )
    return objection


def request_file(
    *, actor: Person, place: Place, text: str, client: Client | None = None
) -> DisclosureRequest:
    """A resident asks for information about their compound (or a place in it); the answer
    is due within QINLIN_DISCLOSURE_DUE_DAYS days."""
    if place.kind in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY) or not lives_under(
        actor, place.path
    ):
        raise ForbiddenError(_("只能就自己居住的小区申请公开。"))
    text = text.strip()
    if not text:
        raise DomainError(_("请写下希望公开的内容。"), code="text_required", field="text")
    rate_limit_check("disclosure.request", person=actor, client=client)
    with transaction.atomic():
        request = DisclosureRequest.objects.create(
            place=place,
            requester=actor,
            text=text[:4000],
            due_on=timezone.localdate() + timedelta(days=settings.QINLIN_DISCLOSURE_DUE_DAYS),
        )
        audit_record(actor=actor, verb="disclosure.request.filed", obj=request, data={})
    return request


def _open_request(actor: Person, request: DisclosureRequest) -> DisclosureRequest:
    if not can(actor, "disclosure.requests", request.place):
        raise ForbiddenError()
    request = (
        DisclosureRequest.objects.select_for_update().select_related("place").get(pk=request.pk)
    )
    if request.status not in OPEN_REQUEST:
        raise ConflictError(_("这份申请已经办结。"), code="request_closed")
    return request


def request_assign(
    *, actor: Person, request: DisclosureRequest, assignee: Person
) -> DisclosureRequest:
    with transaction.atomic():
        request = _open_request(actor, request)
        if not can(assignee, "disclosure.requests", request.place):
            raise DomainError(
                _("承办人须能在本地办理公开申请。"), code="bad_assignee", field="assignee"
            )
        request.assignee = assignee
        request.status = RequestStatus.ASSIGNED
        request.save(update_fields=["assignee", "status"])
        audit_record(
            actor=actor, verb="disclosure.request.assigned", obj=request, data={"to": assignee.uid}
        )
    return request


def request_answer_draft(
    *, actor: Person, request: DisclosureRequest, title: str, body: str
) -> Notice:
    """Draft the notice that answers the request; publishing it answers the request."""
    with transaction.atomic():
        request = _open_request(actor, request)
        if request.notice is not None and request.notice.state == NoticeStatus.DRAFT:
            raise ConflictError(_("答复公示的草稿已经有了。"), code="draft_exists")
        return notice_write(
            actor=actor, place=request.place, title=title, body=body, request=request
        )


def request_refuse(*, actor: Person, request: DisclosureRequest, reason: str) -> DisclosureRequest:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明不予公开的理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        request = _open_request(actor, request)
        request.status = RequestStatus.REFUSED
        request.refusal_reason = reason[:4000]
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "refusal_reason", "closed_at"])
        audit_record(
            actor=actor, verb="disclosure.request.refused", obj=request, data={"reason": reason}
        )
    return request
