"""Activity pages: the calendar of one's place, an activity with registration on the phone,
announcing one, the attendance sheet, and one's own registrations and volunteer hours."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.files import private_file
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client
from qinlin.organisations.activities import (
    activity_create,
    attendance_record,
    cancel,
    may_register,
    register,
)
from qinlin.organisations.activity_forms import ActivityForm
from qinlin.organisations.activity_selectors import (
    activity_get,
    calendar_of,
    my_registrations,
    registrations_of,
    volunteer_hours,
    with_registrations,
)
from qinlin.organisations.models import Activity, ActivityPhoto, Partner, RegistrationStatus
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import person_confirmed_homes, places_where
from qinlin.places.models import SEGMENT, Place

# A community's path: the subdistrict's segment and its own.
COMMUNITY = 2 * SEGMENT


def _my_places(person: Person) -> list[Place]:
    """The homes a resident lives in and the places where staff announce activities."""
    return list(person_confirmed_homes(person)) + places_where(person, "organisations.activities")


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    past = request.GET.get("past") == "1"
    activities = list(
        with_registrations(calendar_of(_my_places(person), past_days=30 if past else 0), person)[
            :200
        ]
    )
    return render(
        request,
        "organisations/activity_calendar.html",
        {
            "activities": activities,
            "past": past,
            "can_announce": bool(places_where(person, "organisations.activities")),
        },
    )


def _activity(person: Person, uid: str) -> Activity:
    activity = activity_get(uid)
    if activity is None or not (
        may_register(person, activity) or can(person, "topics.view_board", activity.place)
    ):
        raise Http404
    return activity


@login_required
def activity_detail(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    activity = _activity(person, uid)
    mine = (
        activity.registrations.filter(person=person)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    waiting_before = (
        activity.registrations.filter(
            status=RegistrationStatus.WAITING, registered_at__lt=mine.registered_at
        ).count()
        if mine is not None and mine.status == RegistrationStatus.WAITING
        else 0
    )
    return render(
        request,
        "organisations/activity_detail.html",
        {
            "activity": activity,
            "mine": mine,
            "waiting_before": waiting_before,
            "full": activity.taken >= activity.capacity,  # type: ignore[attr-defined]
            "can_manage": can(person, "organisations.activities", activity.place),
            "uses": list(activity.resource_uses.select_related("resource__partner")),
        },
    )


def _act(request: HttpRequest, uid: str, call: Any, done: str) -> HttpResponse:
    person = current_person(request)
    activity = _activity(person, uid)
    try:
        registration = call(actor=person, activity=activity)
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            done
            if registration.status != "waiting"
            else _("名额已满，您已进入候补名单；有人取消时按顺序递补。"),
        )
    return redirect("organisations:activity", uid=uid)


@login_required
@require_POST
def register_view(request: HttpRequest, uid: str) -> HttpResponse:
    return _act(request, uid, partial(register, client=Client.of(request)), _("报名成功！"))


@login_required
@require_POST
def cancel_view(request: HttpRequest, uid: str) -> HttpResponse:
    return _act(request, uid, cancel, _("已取消报名。"))


@login_required
def attendance(request: HttpRequest, uid: str) -> HttpResponse:
    """The sign-in sheet on the day: one tap per registered person."""
    person = current_person(request)
    activity = _activity(person, uid)
    if not can(person, "organisations.activities", activity.place):
        raise PermissionDenied
    if request.method == "POST":
        chosen = request.POST.get("registration", "")
        registration = (
            activity.registrations.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        )
        if registration is None:
            raise Http404
        try:
            attendance_record(
                actor=person,
                activity=activity,
                registration=registration,
                attended=request.POST.get("attended") == "1",
            )
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("organisations:attendance", uid=uid)
    rows = registrations_of(activity)
    return render(
        request,
        "organisations/activity_attendance.html",
        {
            "activity": activity,
            "registered": [r for r in rows if r.status == RegistrationStatus.REGISTERED],
            "waiting": [r for r in rows if r.status == RegistrationStatus.WAITING],
            "attended": sum(1 for r in rows if r.attended_at),
        },
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    places = {p.uid: p for p in places_where(person, "organisations.activities")}
    if not places:
        raise PermissionDenied
    community_paths = {p.path[:COMMUNITY] for p in places.values()}
    partners = {
        p.uid: p
        for p in Partner.objects.filter(active=True).select_related("community")
        if p.community.path[:COMMUNITY] in community_paths
    }
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        places=[(u, p.address) for u, p in places.items()],
        partners=[(u, p.name) for u, p in partners.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = activity_create(
                actor=person,
                place=places[data["place"]],
                title=data["title"],
                kind=data["kind"],
                organiser=data["organiser"],
                location=data["location"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data["capacity"],
                description=data["description"],
                partners=[partners[u] for u in data["partners"]],
                volunteer_hours=data["volunteer_hours"],
                photos=[(f.name or "", f) for f in data["photos"]],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("活动已发布，居民可以报名了。"))
            return redirect("organisations:activity", uid=activity.uid)
    return render(
        request,
        "organisations/activity_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_activities(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    return render(
        request,
        "organisations/my_activities.html",
        {"registrations": my_registrations(person), "hours": volunteer_hours(person)},
    )


@login_required
def activity_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = ActivityPhoto.objects.select_related("activity__place").filter(pk=pk).first()
    if photo is None:
        raise Http404
    _activity(current_person(request), photo.activity.uid)
    return private_file(photo.image.name)
