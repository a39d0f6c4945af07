"""/api/v1/notifications: the caller's in-app notifications (the bell), the unread count, and
marking them read. Every caller sees only their own."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from qinlin.api.pagination import Pages
from qinlin.notify.models import Notification
from qinlin.notify.schemas import NotificationOut, ReadIn, ReadOut, UnreadOut
from qinlin.notify.selectors import notifications_of, unread_count
from qinlin.notify.services import notifications_read
from qinlin.people.current import current_person
from qinlin.places.schemas import ErrorOut

router = Router(tags=["notifications"])


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


@router.get(
    "",
    response=list[NotificationOut],
    summary="The caller's in-app notifications, newest first",
    description="The messages the bell shows, read and unread. A message is written in the "
    "language the caller had chosen when it was written.",
)
@paginate(Pages)
def list_notifications(request: HttpRequest) -> QuerySet[Notification]:
    return notifications_of(current_person(request))


@router.get("/unread", response=UnreadOut, summary="How many of the caller's are unread")
def get_unread(request: HttpRequest) -> dict[str, int]:
    return {"unread": unread_count(current_person(request))}


@router.post(
    "/read",
    response={200: ReadOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Mark the caller's notifications read: the ones named, or all",
    description="With `uids`, marks those (already read ones stay as they are); a uid that "
    "is not one of the caller's notifications answers 404 and marks nothing. With `{}` (no "
    "`uids`), marks all of the caller's notifications read.",
)
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    caller = current_person(request)
    marked = notifications_read(actor=caller, uids=payload.uids)
    return {"marked": marked, "unread": unread_count(caller)}


@router.post(
    "/{uid}/read",
    response={200: ReadOut, 404: ErrorOut},
    summary="Mark one of the caller's notifications read",
    description="A uid that is not one of the caller's notifications answers 404.",
)
def mark_one_read(request: HttpRequest, uid: str) -> dict[str, int]:
    caller = current_person(request)
    marked = notifications_read(actor=caller, uids=[uid])
    return {"marked": marked, "unread": unread_count(caller)}
