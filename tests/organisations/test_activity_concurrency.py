"""200 residents tapping 报名 for the last place of an activity at once, through the API on
PostgreSQL: one of them gets it, the other 199 are on the waiting list in the order they
came, nobody is registered twice, nobody gets a server error (tests/concurrency.py)."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection, transaction
from django.test import Client

from qinlin.api.services import api_token_issue
from qinlin.organisations.activities import register
from qinlin.organisations.models import Registration, RegistrationStatus
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.concurrency import CLIENTS, ROUNDS, at_once
from tests.factories import resident_of
from tests.organisations.helpers import clinic

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def _tap_twice(url: str, key: str, n: int) -> list[tuple[int, str]]:
    """A resident's phone, on its own address: the tap, and the impatient second tap."""
    phone = Client(REMOTE_ADDR=f"10.0.{n // 200}.{n % 200 + 1}")
    answers = []
    for _tap in range(2):
        response = phone.post(url, headers={"Authorization": f"Bearer {key}"})
        answers.append((response.status_code, response.json().get("status", "")))
    return answers


def test_200_residents_register_for_the_last_place_and_exactly_one_gets_it(
    places: dict[str, Place], erin: Person, alice: Person
) -> None:
    with transaction.atomic():  # one commit for the crowd, not 400
        people = [resident_of(places["home_a2"], name=f"报名{i}") for i in range(CLIENTS)]
        keys = [api_token_issue(actor=None, person=p, name="手机")[1] for p in people]
    for _round in range(ROUNDS):
        activity = clinic(erin, places["compound_a"], capacity=2)
        register(actor=alice, activity=activity)  # one place left
        url = f"/api/v1/activities/{activity.uid}/registration"
        outcome = at_once([partial(_tap_twice, url, k, n) for n, k in enumerate(keys)])
        outcome.report("registrations for the last place")
        assert outcome.errors == []
        assert outcome.peak > 1
        answers = [a for a in outcome.results if a is not None]
        assert {code for a in answers for code, _status in a} == {200}
        assert all(first == second for first, second in answers)
        winners = [n for n, a in enumerate(answers) if a[0][1] == RegistrationStatus.REGISTERED]
        assert len(winners) == 1
        rows = Registration.objects.filter(activity=activity)
        assert rows.count() == CLIENTS + 1
        registered = rows.filter(status=RegistrationStatus.REGISTERED)
        assert {r.person_id for r in registered} == {alice.pk, people[winners[0]].pk}
        assert rows.filter(status=RegistrationStatus.WAITING).count() == CLIENTS - 1
