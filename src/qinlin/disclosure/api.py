"""/api/v1/disclosure: the public notices of a place, one notice with its objections, and for
those who publish there: drafting a notice, publishing it to channels, the channels to use."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from qinlin.api.auth import OptionalTokenAuth
from qinlin.api.pagination import Pages
from qinlin.core.errors import DomainError, ForbiddenError, NotFoundError
from qinlin.core.permissions import can
from qinlin.disclosure.models import Channel, Notice, NoticeStatus
from qinlin.disclosure.schemas import (
    ChannelOut,
    ChannelPlaceFilters,
    NoticeFilters,
    NoticeIn,
    NoticeListOut,
    NoticeOut,
    PublishIn,
)
from qinlin.disclosure.selectors import channels_for, notice_get, notices_public_under
from qinlin.disclosure.services import (
    notice_draft,
    notice_publish,
    notice_update,
    notice_write,
)
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.places.schemas import ErrorOut
from qinlin.topics.selectors import topic_get_for

router = Router(tags=["disclosure"])

PUBLIC = (
    "Anyone may call this without logging in; a bearer token is recognised when given. "
    "Titles and bodies were masked when the notice was published (phone and ID numbers, the "
    "names of the place's people), and objection authors are masked (张*明)."
)
NOT_READABLE = (
    "A notice that does not exist and a draft the caller may not read both answer 404: a 403 "
    "would confirm that it exists. Drafts are read by those who publish notices at the "
    "notice's place (`disclosure.publish`)."
)


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


def _caller(request: HttpRequest) -> Person | None:
    user = request.user
    return user if isinstance(user, Person) else None


def _place(uid: str) -> Place:
    # Homes are not public places: their notices, if any, are listed under the unit.
    place = Place.objects.exclude(kind=PlaceKind.HOME).filter(uid=uid.strip()).first()
    if place is None:
        raise NotFoundError(_("找不到编号为“%(uid)s”的地点。") % {"uid": uid}, field="place")
    return place


def _readable(caller: Person | None, uid: str) -> Notice:
    """The notice, or 404 for a draft the caller may not see: a 403 would confirm the uid."""
    notice = notice_get(uid)
    if notice is None or (
        notice.state == NoticeStatus.DRAFT and not can(caller, "disclosure.publish", notice.place)
    ):
        raise NotFoundError(_("找不到这份公示。"))
    return notice


def _channels(uids: list[str]) -> list[Channel]:
    wanted = list(dict.fromkeys(u.strip() for u in uids))
    found = {c.uid: c for c in Channel.objects.filter(uid__in=wanted).select_related("place")}
    unknown = [u for u in wanted if u not in found]
    if unknown:
        raise DomainError(
            _("找不到编号为“%(uid)s”的公开渠道。") % {"uid": unknown[0]},
            code="bad_channels",
            field="channels",
        )
    return [found[u] for u in wanted]


@router.get(
    "/notices",
    response={200: list[NoticeListOut], 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="The public notices at or under a place, newest first",
    description="Published notices (within their notice period or past it) and withdrawn "
    "ones — a withdrawal is itself disclosed — at the place or anywhere under it. Drafts are "
    "never listed. An unknown place, or a home, answers 404. " + PUBLIC,
)
@paginate(Pages)
def list_notices(request: HttpRequest, filters: Query[NoticeFilters]) -> QuerySet[Notice]:
    return notices_public_under(_place(filters.place)).prefetch_related("channels")


@router.get(
    "/notices/{uid}",
    response={200: NoticeOut, 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="One notice with its text and the objections to it",
    description="The notice's text as published, its channels and every objection with its "
    f"answer, oldest first. {PUBLIC} {NOT_READABLE}",
)
def get_notice(request: HttpRequest, uid: str) -> Notice:
    return _readable(_caller(request), uid)


@router.post(
    "/notices",
    response={
        201: NoticeOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Draft a notice, from one of a topic's records or written freely",
    description="Either `topic` and `subject` (`kind:uid`, one of the topic's records that "
    "may be disclosed now: the title and text are filled in from the record) or `place`, "
    "`title` and `body` (a notice on any other matter); anything else is refused with 422. "
    "Answers with the draft, which only those who publish notices at its place see until it "
    "is published. Needs `disclosure.publish` at the place (403 otherwise); a topic the "
    "caller may not read, or an unknown place, answers 404.",
)
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status[Notice]:
    caller = current_person(request)
    if payload.topic is not None and payload.subject is not None:
        topic = topic_get_for(caller, payload.topic)
        notice = notice_draft(actor=caller, topic=topic, subject=payload.subject.strip())
    else:
        notice = notice_write(
            actor=caller,
            place=_place(payload.place or ""),
            title=payload.title or "",
            body=payload.body or "",
        )
    return Status(201, _readable(caller, notice.uid))


@router.post(
    "/notices/{uid}/publish",
    response={200: NoticeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Publish a draft notice to channels for its notice period",
    description="Sets the notice period first when `period_days` is given (1 to 90 days), then "
    "publishes: the text is masked, the period starts today, and the notice goes to the "
    "chosen channels — each at the notice's place, above it or below it, never another "
    "compound's (400 `bad_channels` otherwise). A refusal changes nothing, the period "
    "included. Needs `disclosure.publish` at the notice's place; a notice already published "
    f"answers 409. {NOT_READABLE}",
)
def publish_notice(request: HttpRequest, uid: str, payload: PublishIn) -> Notice:
    caller = current_person(request)
    notice = _readable(caller, uid)
    channels = _channels(payload.channels)
    # One transaction: a refused publication must not leave a changed period behind.
    with transaction.atomic():
        if payload.period_days is not None:
            notice = notice_update(
                actor=caller,
                notice=notice,
                title=notice.title,
                body=notice.body,
                period_days=payload.period_days,
            )
        notice_publish(actor=caller, notice=notice, channels=channels)
    return _readable(caller, uid)


@router.get(
    "/channels",
    response={200: list[ChannelOut], 403: ErrorOut, 404: ErrorOut},
    summary="The channels a notice at a place may be published to",
    description="The active channels at the place, above it (the community's board) or below "
    "it (a building's board or chat group), ordered by place, kind and name. Needs "
    "`disclosure.publish` at the place (403 otherwise); an unknown place answers 404.",
)
def list_channels(request: HttpRequest, filters: Query[ChannelPlaceFilters]) -> list[Channel]:
    place = _place(filters.place)
    if not can(current_person(request), "disclosure.publish", place):
        raise ForbiddenError()
    return list(channels_for(place))
