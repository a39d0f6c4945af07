"""Which changes tell whom. Every change already records an audit event in its transaction;
the handlers below listen to those events and write the outbox rows beside them, so a change
and its messages commit together and the event's id makes each message unique."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from qinlin.core.models import AuditEvent
from qinlin.notify.kinds import Kind
from qinlin.notify.outbox import Message, notify_people
from qinlin.people.selectors import nearest_holders, residents_under

logger = logging.getLogger(__name__)

Handler = Callable[[AuditEvent], None]
HANDLERS: dict[str, Handler] = {}


def on(*verbs: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for verb in verbs:
            HANDLERS[verb] = handler
        return handler

    return register


def on_audit_event(sender: object, event: AuditEvent, **kwargs: Any) -> None:
    handler = HANDLERS.get(event.verb)
    if handler is None and event.verb.startswith("topics.topic.") and "to" in event.data:
        handler = topic_stage
    if handler is None:
        return
    # A mistake in telling people must never undo the change they are told about.
    try:
        with transaction.atomic():
            handler(event)
    except Exception:
        logger.exception("notifications for audit event %s (%s) failed", event.pk, event.verb)


def key(event: AuditEvent) -> str:
    return f"audit:{event.pk}"


def others_than(event: AuditEvent) -> list[int]:
    """Whom not to tell: the person who made the change."""
    return [event.actor_id] if event.actor_id is not None else []


def short(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


# --- appeals -------------------------------------------------------------------------------


@on("appeals.appeal.submitted")
def new_appeal(event: AuditEvent) -> None:
    from qinlin.appeals.models import Appeal

    appeal = Appeal.objects.select_related("place", "category").get(uid=event.object_id)
    staff = [p for p in nearest_holders("appeals.triage", appeal.place) if p.pk != event.actor_id]
    link = reverse("appeals:appeal-detail", args=[appeal.uid])

    def compose() -> Message:
        return Message(
            _("新诉求：%(text)s") % {"text": short(appeal.text)},
            _("%(place)s · %(category)s")
            % {"place": appeal.place.address, "category": appeal.category},
            link,
        )

    notify_people(
        kind=Kind.NEW_APPEAL,
        event_key=key(event),
        people=staff,
        compose=compose,
        place=appeal.place,
    )


@on(
    "appeals.appeal.accepted",
    "appeals.appeal.referred",
    "appeals.appeal.rejected",
    "appeals.appeal.resolved",
)
def appeal_status(event: AuditEvent) -> None:
    from qinlin.appeals.models import Appeal

    appeal = Appeal.objects.select_related("reporter", "topic").get(uid=event.object_id)
    if appeal.reporter is None or appeal.reporter_id == event.actor_id:
        return

    def compose() -> Message:
        if appeal.topic is not None:
            return Message(
                _("您反映的“%(text)s”已纳入议题") % {"text": short(appeal.text, 20)},
                _("议题：%(title)s。可在议题页面跟进讨论和表决。") % {"title": appeal.topic.title},
                reverse("topics:topic-detail", args=[appeal.topic.uid]),
            )
        return Message(
            _("您反映的“%(text)s”：%(status)s")
            % {"text": short(appeal.text, 20), "status": appeal.get_status_display()},
            appeal.decision_note,
            reverse("appeals:appeal-detail", args=[appeal.uid]),
        )

    notify_people(
        kind=Kind.APPEAL_STATUS, event_key=key(event), people=[appeal.reporter], compose=compose
    )


# --- topics and votes -----------------------------------------------------------------------


def topic_stage(event: AuditEvent) -> None:
    from qinlin.topics.models import Topic
    from qinlin.topics.states import Stage

    if event.data.get("to") not in (Stage.VOTING, Stage.DECIDED):
        return
    topic = Topic.objects.select_related("place", "decided_option").get(uid=event.object_id)
    people = residents_under(topic.place).exclude(pk__in=others_than(event))

    def compose() -> Message:
        if topic.stage == Stage.VOTING:
            return Message(
                _("议题“%(title)s”进入表决") % {"title": topic.title},
                _("业主表决开始后，您会收到投票通知。"),
                reverse("topics:topic-detail", args=[topic.uid]),
            )
        option = topic.decided_option
        return Message(
            _("议题“%(title)s”已作出决定") % {"title": topic.title},
            _("决定采用方案：%(option)s") % {"option": f"{option.letter}. {option.title}"}
            if option is not None
            else topic.decision,
            reverse("topics:topic-detail", args=[topic.uid]),
        )

    notify_people(
        kind=Kind.TOPIC_STAGE,
        event_key=key(event),
        people=people,
        compose=compose,
        place=topic.place,
    )


@on("votes.vote.opened", "votes.vote.closed")
def vote_changed(event: AuditEvent) -> None:
    from qinlin.votes.models import Vote

    vote = Vote.objects.select_related("topic", "scope").get(uid=event.object_id)
    opened = event.verb == "votes.vote.opened"
    owners = residents_under(vote.scope, owners_only=True).exclude(pk__in=others_than(event))
    link = reverse("votes:vote-detail", args=[vote.uid])

    def compose() -> Message:
        if opened:
            return Message(
                _("业主表决开始：%(title)s") % {"title": vote.topic.title},
                _("请在 %(closes)s 前投票，可在线投票或等候入户表决。")
                % {"closes": vote_deadline(vote)},
                link,
            )
        return Message(
            _("业主表决结束：%(title)s") % {"title": vote.topic.title},
            _("计票结果已公布，请查看。"),
            link,
        )

    notify_people(
        kind=Kind.VOTE_OPENED if opened else Kind.VOTE_CLOSED,
        event_key=key(event),
        people=owners,
        compose=compose,
        place=vote.scope,
    )


def vote_deadline(vote: Any) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(vote.closes_at), "DATETIME_FORMAT")


# --- disclosure ----------------------------------------------------------------------------


@on("disclosure.notice.published")
def notice_published(event: AuditEvent) -> None:
    from qinlin.disclosure.models import DisclosureRequest, Notice

    notice = Notice.objects.select_related("place").get(uid=event.object_id)
    link = reverse("public:notice", args=[notice.uid])
    requesters = [
        r.requester
        for r in DisclosureRequest.objects.filter(notice=notice).select_related("requester")
    ]

    def compose() -> Message:
        return Message(
            _("【公示】%(title)s") % {"title": notice.title}, short(notice.body, 80), link
        )

    def answer() -> Message:
        return Message(
            _("您的公开申请已答复：%(title)s") % {"title": notice.title},
            short(notice.body, 80),
            link,
        )

    notify_people(kind=Kind.ANSWERED, event_key=key(event), people=requesters, compose=answer)
    asked = {p.pk for p in requesters}
    notify_people(
        kind=Kind.NOTICE_PUBLISHED,
        event_key=key(event) + ":residents",
        people=residents_under(notice.place).exclude(pk__in=[*asked, *others_than(event)]),
        compose=compose,
        place=notice.place,
    )


@on("disclosure.objection.answered")
def objection_answered(event: AuditEvent) -> None:
    from qinlin.disclosure.models import Objection

    objection = Objection.objects.select_related("notice", "author").get(pk=event.data["objection"])
    if objection.author is None:
        return

    def compose() -> Message:
        return Message(
            _("您对“%(title)s”的异议已答复") % {"title": objection.notice.title},
            short(objection.answer, 80),
            reverse("public:notice", args=[objection.notice.uid]),
        )

    notify_people(
        kind=Kind.ANSWERED, event_key=key(event), people=[objection.author], compose=compose
    )


@on("disclosure.request.refused")
def request_refused(event: AuditEvent) -> None:
    from qinlin.disclosure.models import DisclosureRequest

    request = DisclosureRequest.objects.select_related("requester").get(uid=event.object_id)

    def compose() -> Message:
        return Message(
            _("您的公开申请未予公开"),
            short(request.refusal_reason, 80),
            reverse("disclosure:request", args=[request.uid]),
        )

    notify_people(
        kind=Kind.ANSWERED, event_key=key(event), people=[request.requester], compose=compose
    )


# --- activities ----------------------------------------------------------------------------


@on("organisations.activity.cancelled", "organisations.registration.promoted")
def activity_changed(event: AuditEvent) -> None:
    from qinlin.organisations.models import Activity, Registration, RegistrationStatus

    activity = Activity.objects.get(uid=event.object_id)
    link = reverse("organisations:activity", args=[activity.uid])
    if event.verb == "organisations.activity.cancelled":
        people = [
            r.person
            for r in Registration.objects.filter(
                activity=activity,
                status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
            )
            .exclude(person_id__in=others_than(event))
            .select_related("person")
        ]

        def compose() -> Message:
            return Message(
                _("活动取消：%(title)s") % {"title": activity.title},
                activity.cancel_reason,
                link,
            )

    else:
        people = [
            Registration.objects.select_related("person").get(pk=event.data["registration"]).person
        ]

        def compose() -> Message:
            return Message(
                _("候补成功：%(title)s") % {"title": activity.title},
                _("有人退出，您已从候补转为正式报名。"),
                link,
            )

    notify_people(kind=Kind.ACTIVITY_CHANGED, event_key=key(event), people=people, compose=compose)
