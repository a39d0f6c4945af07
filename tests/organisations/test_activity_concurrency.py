"""Simultaneous registrations for a small activity on PostgreSQL: never more places taken than
the capacity, everyone else on the waiting list, one registration per person."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from qinlin.organisations.activities import register
from qinlin.organisations.models import Registration, RegistrationStatus
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.factories import resident_of
from tests.organisations.helpers import clinic

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
PEOPLE, CAPACITY = 24, 5


def test_simultaneous_registrations_never_overbook(places: dict[str, Place], erin: Person) -> None:
    activity = clinic(erin, places["compound_a"], capacity=CAPACITY)
    people = [resident_of(places["home_a2"], name=f"报名{i}") for i in range(PEOPLE)]
    errors: list[BaseException] = []
    start = threading.Barrier(PEOPLE)

    def client(person: Person) -> None:
        try:
            start.wait()
            register(actor=person, activity=activity)
            register(actor=person, activity=activity)  # a double tap changes nothing
        except BaseException as error:  # pragma: no cover - reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = Registration.objects.filter(activity=activity)
    assert rows.count() == PEOPLE
    assert rows.filter(status=RegistrationStatus.REGISTERED).count() == CAPACITY
    assert rows.filter(status=RegistrationStatus.WAITING).count() == PEOPLE - CAPACITY
