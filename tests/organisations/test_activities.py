"""Activities: registration with a waiting list, cancellation moving the next one up,
attendance and volunteer hours, and the pages on a phone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.organisations.activities import (
    activity_cancel,
    attendance_record,
    cancel,
    register,
)
from qinlin.organisations.activity_selectors import volunteer_hours
from qinlin.organisations.models import Activity, Registration, RegistrationStatus
from qinlin.people.models import Person
from tests.factories import resident_of
from tests.organisations.helpers import clinic, volunteering

pytestmark = pytest.mark.django_db


def _residents(places, n: int) -> list[Person]:
    return [resident_of(places["home_a2"], name=f"居民{i}") for i in range(n)]


def test_places_then_a_waiting_list_and_cancellation_moves_the_next_one_up(
    erin: Person, alice: Person, places
) -> None:
    activity = clinic(erin, places["compound_a"], capacity=2)
    first, second, third = _residents(places, 3)
    assert register(actor=first, activity=activity).status == RegistrationStatus.REGISTERED
    assert register(actor=second, activity=activity).status == RegistrationStatus.REGISTERED
    assert register(actor=third, activity=activity).status == RegistrationStatus.WAITING
    assert register(actor=alice, activity=activity).status == RegistrationStatus.WAITING
    again = register(actor=first, activity=activity)  # idempotent
    assert again.status == RegistrationStatus.REGISTERED
    assert Registration.objects.filter(activity=activity).count() == 4
    cancel(actor=second, activity=activity)
    statuses = dict(Registration.objects.values_list("person__name", "status"))
    assert statuses["居民2"] == RegistrationStatus.REGISTERED  # the first on the list
    assert statuses["李爱丽"] == RegistrationStatus.WAITING
    cancel(actor=third, activity=activity)
    assert Registration.objects.get(person=alice).status == RegistrationStatus.REGISTERED
    registered = Registration.objects.filter(activity=activity, status="registered").count()
    assert registered == 2
    with pytest.raises(ConflictError):
        cancel(actor=third, activity=activity)


def test_only_residents_of_the_place_register(erin: Person, bob: Person, places) -> None:
    activity = clinic(erin, places["compound_a"])
    with pytest.raises(ForbiddenError):
        register(actor=bob, activity=activity)
    assert not Registration.objects.exists()


def test_announcing_checks_the_times_capacity_and_place(erin: Person, bob: Person, places) -> None:
    with pytest.raises(ForbiddenError):
        clinic(bob, places["compound_a"])
    with pytest.raises(DomainError):
        clinic(erin, places["compound_a"], capacity=0)
    with pytest.raises(DomainError):
        clinic(erin, places["compound_a"], starts_at=timezone.now() - timedelta(hours=1))
    assert not Activity.objects.exists()


def test_attendance_credits_volunteer_hours(erin: Person, alice: Person, places) -> None:
    activity = volunteering(erin, places["compound_a"])
    registration = register(actor=alice, activity=activity)
    with pytest.raises(ConflictError):  # not the day yet
        attendance_record(actor=erin, activity=activity, registration=registration, attended=True)
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now())
    activity.refresh_from_db()
    attendance_record(actor=erin, activity=activity, registration=registration, attended=True)
    assert volunteer_hours(alice) == Decimal("2.5")
    with pytest.raises(ForbiddenError):
        attendance_record(actor=alice, activity=activity, registration=registration, attended=True)


def test_a_cancelled_activity_takes_no_registrations(erin: Person, alice: Person, places) -> None:
    activity = clinic(erin, places["compound_a"])
    with pytest.raises(DomainError):
        activity_cancel(actor=erin, activity=activity, reason=" ")
    activity_cancel(actor=erin, activity=activity, reason="医生临时有手术")
    with pytest.raises(ConflictError):
        register(actor=alice, activity=activity)


def test_the_pages_on_a_phone(client: Client, erin: Person, alice: Person, places) -> None:
    client.force_login(erin)
    starts = timezone.localtime() + timedelta(days=2)
    response = client.post(
        "/organisations/activities/new/",
        {
            "place": places["compound_a"].uid,
            "title": "口腔义诊",
            "kind": "clinic",
            "organiser": "北苑社区党委",
            "location": "上河园党群服务站",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "1",
        },
    )
    assert response.status_code == 400
    assert "结束时间须晚于开始时间" in response.content.decode()
    assert not Activity.objects.exists()
    activity = clinic(erin, places["compound_a"], capacity=1)

    client.force_login(alice)
    calendar = client.get("/organisations/activities/").content.decode()
    assert "口腔义诊" in calendar
    assert "余 1 名" in calendar
    client.post(f"/organisations/activities/{activity.uid}/register/")
    page = client.get(f"/organisations/activities/{activity.uid}/").content.decode()
    assert "您已报名" in page
    other = _residents(places, 1)[0]
    client.force_login(other)
    client.post(f"/organisations/activities/{activity.uid}/register/")
    assert (
        "候补名单第 1 位"
        in client.get(f"/organisations/activities/{activity.uid}/").content.decode()
    )
    assert client.get(f"/organisations/activities/{activity.uid}/attendance/").status_code == 403

    client.force_login(erin)
    sheet = client.get(f"/organisations/activities/{activity.uid}/attendance/").content.decode()
    assert "李爱丽" in sheet
    assert "候补名单" in sheet


def test_the_calendar_and_activity_pages_read_in_a_fixed_number_of_queries(
    client: Client, erin: Person, alice: Person, places
) -> None:
    client.force_login(alice)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    activity = clinic(erin, places["compound_a"], capacity=3)
    register(actor=alice, activity=activity)
    few = (count("/organisations/activities/"), count(f"/organisations/activities/{activity.uid}/"))
    for _ in range(4):
        clinic(erin, places["compound_a"])
    for person in _residents(places, 5):
        register(actor=person, activity=activity)
    assert (
        count("/organisations/activities/"),
        count(f"/organisations/activities/{activity.uid}/"),
    ) == few


def test_the_api_lists_registers_idempotently_and_cancels(
    client: Client, erin: Person, alice: Person, bob: Person, places
) -> None:
    activity = clinic(erin, places["compound_a"], capacity=1)
    client.force_login(alice)
    listed = client.get("/api/v1/activities").json()
    assert [a["uid"] for a in listed] == [activity.uid]
    assert listed[0]["capacity"] == 1
    url = f"/api/v1/activities/{activity.uid}/registration"
    first = client.post(url)
    assert first.status_code == 200
    assert first.json()["status"] == "registered"
    assert client.post(url).json() == first.json()
    assert Registration.objects.count() == 1
    assert client.delete(url).json()["status"] == "cancelled"
    assert client.delete(url).status_code == 409
    client.force_login(bob)
    assert client.post(url).status_code == 404
    assert client.get(f"/api/v1/activities/{activity.uid}").status_code == 404


def test_registering_for_too_many_activities_within_the_hour_is_refused_with_429(
    client: Client, erin: Person, alice: Person, places, settings
) -> None:
    settings.QINLIN_RATE_LIMITS = {"organisations.register": (2, 0, 3600)}
    activities = [clinic(erin, places["compound_a"], title=f"讲座{i}") for i in range(3)]
    client.force_login(alice)
    urls = [f"/api/v1/activities/{a.uid}/registration" for a in activities]
    assert [client.post(url).status_code for url in urls[:2]] == [200, 200]
    assert client.post(urls[0]).status_code == 200  # the same registration again is free
    refused = client.post(urls[2])
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    page = client.post(f"/organisations/activities/{activities[2].uid}/register/", follow=True)
    assert "提交太频繁" in page.content.decode()
    assert not Registration.objects.filter(activity=activities[2]).exists()
