"""Simultaneous answers for the same homes from several door-to-door clients, on PostgreSQL:
exactly one response per home, and one feedback item per unsatisfied home."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from qinlin.core.roles import Role
from qinlin.evaluation.models import FeedbackItem, Level, SurveyResponse
from qinlin.evaluation.services import survey_respond
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from tests.evaluation.helpers import surveyed
from tests.factories import PersonFactory, PlaceFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
CLIENTS, HOMES = 8, 15


def test_simultaneous_answers_leave_one_response_per_home(
    places: dict[str, Place], erin: Person
) -> None:
    homes = [
        PlaceFactory.create(kind=PlaceKind.HOME, name=f"{700 + i}", parent=places["unit_a"])
        for i in range(HOMES)
    ]
    survey = surveyed(erin, places)
    clients = []
    for n in range(CLIENTS):
        person = PersonFactory.create(name=f"测评员{n}")
        RoleAssignment.objects.create(
            person=person, role=Role.BUILDING_HEAD, place=places["building_a"]
        )
        clients.append(person)
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS)

    def client(person: Person, n: int) -> None:
        try:
            start.wait()
            for home in homes:
                level = Level.UNSATISFIED if n % 2 else Level.SATISFIED
                survey_respond(
                    actor=person,
                    survey=survey,
                    home=home,
                    level=level,
                    comment=f"第{n}位",
                    channel="door",
                )
        except BaseException as error:  # pragma: no cover - reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(p, n)) for n, p in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    responses = SurveyResponse.objects.filter(survey=survey)
    assert responses.count() == HOMES
    unsatisfied = responses.filter(level=Level.UNSATISFIED).count()
    assert FeedbackItem.objects.filter(survey_response__survey=survey).count() == unsatisfied
