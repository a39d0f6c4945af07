"""/api/v1/topics and /api/v1/meetings: read topics with their timeline, advance a topic
through `topic_advance` (the same table, the same refusals), and read meetings."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from qinlin.api.pagination import Pages
from qinlin.appeals.models import Category
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.places.schemas import ErrorOut
from qinlin.topics.models import Meeting, Topic
from qinlin.topics.schemas import (
    AdvanceIn,
    MeetingFilters,
    MeetingOut,
    TopicFilters,
    TopicListOut,
    TopicOut,
)
from qinlin.topics.selectors import (
    TopicFilters as TopicQuery,
)
from qinlin.topics.selectors import (
    meeting_get,
    meetings_visible_to,
    topic_get,
    topic_get_for,
    topics_listed,
)
from qinlin.topics.services import advance_inputs, topic_advance

router = Router(tags=["topics"])
meetings_router = Router(tags=["meetings"])


def _place(uid: str) -> Place:
    place = Place.objects.filter(uid=uid.strip()).first()
    if place is None:
        raise NotFoundError(_("找不到编号为“%(uid)s”的地点。") % {"uid": uid}, field="place")
    return place


def _readable(request: HttpRequest, uid: str) -> Topic:
    """The topic, or 404 for a caller who may not read it: a 403 would confirm the uid."""
    return topic_get_for(current_person(request), uid)


def _inputs(topic: Topic, payload: AdvanceIn) -> dict[str, Any]:
    inputs = advance_inputs(payload.dict())
    if payload.option:
        letter = payload.option.strip().upper()
        option = next((o for o in topic.options.all() if o.letter == letter), None)
        if option is None:
            raise DomainError(
                _("这个议题没有方案“%(letter)s”。") % {"letter": payload.option},
                code="bad_option",
                field="option",
            )
        inputs["option"] = option
    if payload.responsible:
        uids = list(dict.fromkeys(u.strip() for u in payload.responsible))
        people = {p.uid: p for p in Person.objects.filter(uid__in=uids, is_active=True)}
        unknown = [u for u in uids if u not in people]
        if unknown:
            raise DomainError(
                _("找不到编号为“%(uid)s”的人员。") % {"uid": unknown[0]},
                code="bad_responsible",
                field="responsible",
            )
        inputs["responsible"] = [people[u] for u in uids]
    return inputs


# --- topics ----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[TopicListOut], 400: ErrorOut, 404: ErrorOut},
    summary="Topics the caller may read: the board's for staff, their compound's for residents",
)
@paginate(Pages)
def list_topics(request: HttpRequest, filters: Query[TopicFilters]) -> QuerySet[Topic]:
    category = (filters.category or "").strip()
    if category and not Category.objects.filter(code=category).exists():
        raise DomainError(
            _("没有代码为“%(code)s”的诉求类别。") % {"code": category},
            code="bad_category",
            field="category",
        )
    return topics_listed(
        current_person(request),
        TopicQuery(
            place=_place(filters.place) if filters.place else None,
            stage=filters.stage or "",
            category_code=category,
        ),
    )


@router.get(
    "/{uid}",
    response={200: TopicOut, 404: ErrorOut},
    summary="One topic with its options, public timeline and meetings",
)
def get_topic(request: HttpRequest, uid: str) -> Topic:
    return _readable(request, uid)


@router.post(
    "/{uid}/advance",
    response={200: TopicOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Move a topic to its next stage, as the lifecycle table allows",
)
def advance_topic(request: HttpRequest, uid: str, payload: AdvanceIn) -> Topic:
    topic = _readable(request, uid)
    topic_advance(
        topic=topic, to=payload.to, actor=current_person(request), **_inputs(topic, payload)
    )
    return topic_get(uid)


# --- meetings --------------------------------------------------------------------------------


@meetings_router.get(
    "",
    response={200: list[MeetingOut], 404: ErrorOut},
    summary="Meetings on the topics the caller may read, newest first",
)
@paginate(Pages)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    place = _place(filters.place) if filters.place else None
    return meetings_visible_to(current_person(request), place)


@meetings_router.get(
    "/{uid}",
    response={200: MeetingOut, 404: ErrorOut},
    summary="One meeting: agenda, attendance counts, minutes and show-of-hands results",
)
def get_meeting(request: HttpRequest, uid: str) -> Meeting:
    return meeting_get(current_person(request), uid)
