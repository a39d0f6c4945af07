"""Writes about activities: announcing one, residents registering on their phones (one place
per person, a waiting list beyond the capacity, cancellation moving the next one up), staff
recording attendance, and the volunteer hours attendance earns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.photos import Upload, clean_photos
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client, rate_limit_check
from qinlin.organisations.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Partner,
    Registration,
    RegistrationStatus,
)
from qinlin.people.models import Person
from qinlin.people.selectors import lives_under
from qinlin.places.models import SEGMENT, Place, PlaceKind

MAX_CAPACITY = 10_000


def _required(**texts: str) -> None:
    messages = {
        "title": _("请填写活动名称。"),
        "organiser": _("请填写主办单位。"),
        "location": _("请填写活动地点。"),
    }
    for field, text in texts.items():
        if not text:
            raise DomainError(messages[field], code=f"{field}_required", field=field)


def activity_create(
    *,
    actor: Person,
    place: Place,
    title: str,
    kind: str,
    organiser: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    partners: Sequence[Partner] = (),
    volunteer_hours: Decimal | None = None,
    photos: Sequence[Upload] = (),
) -> Activity:
    """Announce an activity for the residents of `place` (a community, compound or building)."""
    if not can(actor, "organisations.activities", place):
        raise ForbiddenError()
    if place.kind not in (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING):
        raise DomainError(_("活动应面向社区、小区或楼栋。"), code="bad_place", field="place")
    title, organiser, location = title.strip(), organiser.strip(), location.strip()
    _required(title=title, organiser=organiser, location=location)
    if kind not in ActivityKind.values:
        raise DomainError(_("请选择活动类型。"), code="bad_kind", field="kind")
    if ends_at <= starts_at:
        raise DomainError(_("结束时间须晚于开始时间。"), code="bad_times", field="ends_at")
    if starts_at <= timezone.now():
        raise DomainError(_("开始时间须晚于现在。"), code="bad_start", field="starts_at")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(
            _("名额应在 1 到 %(max)s 之间。") % {"max": MAX_CAPACITY},
            code="bad_capacity",
            field="capacity",
        )
    if volunteer_hours is not None and not Decimal("0") < volunteer_hours <= Decimal("24"):
        raise DomainError(
            _("志愿服务时长应在 0 到 24 小时之间。"), code="bad_hours", field="volunteer_hours"
        )
    community_path = place.path[: 2 * SEGMENT]
    wrong = [p.name for p in partners if not p.community.path.startswith(community_path)]
    if wrong:
        raise DomainError(
            _("这些共建单位不在本社区：%(names)s。") % {"names": "、".join(wrong)},
            code="bad_partners",
            field="partners",
        )
    cleaned = clean_photos(photos)
    with transaction.atomic():
        activity = Activity.objects.create(
            place=place,
            title=title[:120],
            kind=kind,
            organiser=organiser[:100],
            location=location[:120],
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            description=description.strip(),
            volunteer_hours=volunteer_hours,
            created_by=actor,
        )
        activity.partners.set(partners)
        for photo in cleaned:
            ActivityPhoto.objects.create(
                activity=activity, image=photo.content, width=photo.width, height=photo.height
            )
        audit_record(
            actor=actor, verb="organisations.activity.created", obj=activity, data={"title": title}
        )
    return activity


def may_register(person: Person, activity: Activity) -> bool:
    """Residents (confirmed) of a home under the activity's place, and the place's staff."""
    return lives_under(person, activity.place.path) or can(
        person, "organisations.activities", activity.place
    )


def _open(activity: Activity) -> Activity:
    """The activity locked: registrations for it are decided one at a time."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.cancelled_at is not None:
        raise ConflictError(_("活动已取消。"), code="cancelled")
    if timezone.now() >= activity.starts_at:
        raise ConflictError(_("活动已经开始，不再接受报名或取消。"), code="started")
    return activity


def register(*, actor: Person, activity: Activity, client: Client | None = None) -> Registration:
    """Register the actor: a place while the capacity lasts, otherwise the waiting list.
    Registering again changes nothing (the same registration comes back, and is not counted
    against the rate limits of `client`); registering after cancelling takes a new place in
    the queue. The row lock on the activity keeps the count of places exact under
    simultaneous registrations."""
    if not may_register(actor, activity):
        raise ForbiddenError(_("只有本地居民可以报名这个活动。"))
    with transaction.atomic():
        activity = _open(activity)
        existing = Registration.objects.filter(activity=activity, person=actor).first()
        if existing is not None and existing.status != RegistrationStatus.CANCELLED:
            return existing
        rate_limit_check("organisations.register", person=actor, client=client)
        taken = activity.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        status = (
            RegistrationStatus.REGISTERED
            if taken < activity.capacity
            else RegistrationStatus.WAITING
        )
        if existing is not None:
            existing.status = status
            existing.registered_at = timezone.now()
            existing.save(update_fields=["status", "registered_at"])
            registration = existing
        else:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        activity=activity, person=actor, status=status
                    )
            except IntegrityError:  # pragma: no cover - the activity lock serialises this
                return Registration.objects.get(activity=activity, person=actor)
        audit_record(
            actor=actor,
            verb="organisations.activity.registered",
            obj=activity,
            data={"status": status},
        )
    return registration


def cancel(*, actor: Person, activity: Activity) -> Registration:
    """Give up one's place; the first on the waiting list takes it."""
    with transaction.atomic():
        activity = _open(activity)
        registration = (
            Registration.objects.filter(activity=activity, person=actor)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        if registration is None:
            raise ConflictError(_("您没有报名这个活动。"), code="not_registered")
        had_place = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status"])
        if had_place:
            first = (
                activity.registrations.filter(status=RegistrationStatus.WAITING)
                .order_by("registered_at", "id")
                .first()
            )
            if first is not None:
                first.status = RegistrationStatus.REGISTERED
                first.save(update_fields=["status"])
                audit_record(
                    actor=actor,
                    verb="organisations.registration.promoted",
                    obj=activity,
                    data={"registration": first.pk},
                )
        audit_record(
            actor=actor, verb="organisations.registration.cancelled", obj=activity, data={}
        )
    return registration


def attendance_record(
    *, actor: Person, activity: Activity, registration: Registration, attended: bool
) -> Registration:
    """Sign a registered person in (or undo it) on the day; volunteer hours follow attendance."""
    if not can(actor, "organisations.activities", activity.place):
        raise ForbiddenError()
    if registration.activity_id != activity.pk:
        raise DomainError(_("报名记录不属于这个活动。"), code="bad_registration")
    if registration.status != RegistrationStatus.REGISTERED:
        raise ConflictError(_("只有已报名的人可以签到。"), code="not_registered")
    if timezone.localdate() < timezone.localdate(activity.starts_at):
        raise ConflictError(_("活动当天才能签到。"), code="too_early")
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.attended_at = timezone.now() if attended else None
        registration.hours = (
            (activity.volunteer_hours or Decimal("0")) if attended else Decimal("0")
        )
        registration.save(update_fields=["attended_at", "hours"])
        audit_record(
            actor=actor,
            verb="organisations.activity.attendance",
            obj=activity,
            data={"person": registration.person_id, "attended": attended},
        )
    return registration


def activity_cancel(*, actor: Person, activity: Activity, reason: str) -> Activity:
    if not can(actor, "organisations.activities", activity.place):
        raise ForbiddenError()
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明取消原因。"), code="reason_required", field="reason")
    with transaction.atomic():
        activity = _open(activity)
        activity.cancelled_at = timezone.now()
        activity.cancel_reason = reason[:200]
        activity.save(update_fields=["cancelled_at", "cancel_reason"])
        audit_record(
            actor=actor,
            verb="organisations.activity.cancelled",
            obj=activity,
            data={"reason": reason},
        )
    return activity
