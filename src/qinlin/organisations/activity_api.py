"""/api/v1/activities: the activities for the caller's homes and places, one activity, and
registering for it (idempotent) or cancelling."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from qinlin.core.errors import NotFoundError
from qinlin.core.ratelimit import Client
from qinlin.organisations.activities import cancel, may_register, register
from qinlin.organisations.activity_selectors import activity_get, calendar_of
from qinlin.organisations.models import Activity, Registration
from qinlin.people.current import current_person
from qinlin.people.selectors import person_confirmed_homes, places_where
from qinlin.places.schemas import ErrorOut

router = Router(tags=["activities"])


class ActivityOut(Schema):
    uid: str
    title: str
    kind: str
    kind_label: str
    organiser: str
    partners: list[str]
    place: str
    location: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    waiting: int
    volunteer_hours: Decimal | None
    cancelled: bool
    description: str

    @staticmethod
    def resolve_kind_label(obj: Activity) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_partners(obj: Activity) -> list[str]:
        return [p.name for p in obj.partners.all()]

    @staticmethod
    def resolve_place(obj: Activity) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_cancelled(obj: Activity) -> bool:
        return obj.cancelled_at is not None


class RegistrationOut(Schema):
    activity: str
    status: str
    status_label: str
    registered_at: datetime
    attended_at: datetime | None

    @staticmethod
    def resolve_activity(obj: Registration) -> str:
        return obj.activity.uid

    @staticmethod
    def resolve_status_label(obj: Registration) -> str:
        return str(obj.get_status_display())


def _activity(request: HttpRequest, uid: str) -> Activity:
    activity = activity_get(uid)
    if activity is None or not may_register(current_person(request), activity):
        raise NotFoundError(_("找不到这个活动。"))
    return activity


@router.get(
    "",
    response=list[ActivityOut],
    summary="Activities for the caller",
    description="Upcoming activities for the caller's confirmed homes (a community's, a "
    "compound's or a building's) and, for staff, the places where they announce activities; "
    "the soonest first, with the places taken and the waiting list.",
)
def list_activities(request: HttpRequest) -> list[Activity]:
    person = current_person(request)
    places = list(person_confirmed_homes(person)) + places_where(person, "organisations.activities")
    return list(calendar_of(places)[:200])


@router.get(
    "/{uid}",
    response={200: ActivityOut, 404: ErrorOut},
    summary="One activity",
    description="An activity the caller may register for; 404 otherwise.",
)
def get_activity(request: HttpRequest, uid: str) -> Activity:
    return _activity(request, uid)


@router.post(
    "/{uid}/registration",
    response={200: RegistrationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="Register for an activity (idempotent)",
    description="A place while the capacity lasts, otherwise the waiting list (`waiting`). "
    "Repeating the call returns the same registration and changes nothing. 409 when the "
    "activity is cancelled or has started; 429 `rate_limited` (with Retry-After, in seconds) "
    "after too many registrations from the caller or their address within the hour.",
)
def register_for(request: HttpRequest, uid: str) -> Registration:
    return register(
        actor=current_person(request),
        activity=_activity(request, uid),
        client=Client.of(request),
    )


@router.delete(
    "/{uid}/registration",
    response={200: RegistrationOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cancel one's registration",
    description="The first on the waiting list takes the place given up. 409 when the caller "
    "is not registered or the activity has started.",
)
def cancel_registration(request: HttpRequest, uid: str) -> Registration:
    return cancel(actor=current_person(request), activity=_activity(request, uid))
