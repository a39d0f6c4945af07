"""200 simultaneous ballots for the same homes from different clients, on PostgreSQL: exactly
one current ballot per home, and every ballot either current or kept in the history."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from qinlin.core.errors import DomainError
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.votes.models import Ballot, SupersededBallot
from qinlin.votes.services import ballot_cast
from tests.factories import PersonFactory, PlaceFactory
from tests.votes.helpers import door_vote

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
CLIENTS, HOMES = 8, 25  # 8 clients × 25 homes = 200 ballots


@pytest.mark.parametrize("changeable", [True, False])
def test_simultaneous_ballots_leave_one_per_home_and_lose_none(
    places: dict[str, Place], frank: Person, changeable: bool
) -> None:
    homes = [
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=f"{900 + i}", parent=places["unit_a"], area=Decimal("80.00")
        )
        for i in range(HOMES)
    ]
    vote = door_vote(frank, places, changeable=changeable)
    clients = []
    for n in range(CLIENTS):
        person = PersonFactory.create(name=f"入户{n}")
        RoleAssignment.objects.create(
            person=person, role=Role.BUILDING_HEAD, place=places["building_a"]
        )
        clients.append(person)
    errors: list[BaseException] = []
    refused: list[str] = []
    start = threading.Barrier(CLIENTS)

    def client(person: Person, n: int) -> None:
        try:
            start.wait()
            for home in homes:
                choice = "agree" if n % 2 else "disagree"
                try:
                    ballot_cast(
                        actor=person,
                        vote=vote,
                        home=home,
                        choices={"A": choice, "B": "abstain"},
                        channel="door",
                    )
                except DomainError as error:
                    refused.append(error.code)
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
    ids = [h.pk for h in homes]
    assert Ballot.objects.filter(vote=vote, home_id__in=ids).count() == HOMES
    kept = SupersededBallot.objects.filter(vote=vote, home_id__in=ids).count()
    if changeable:
        assert (kept, refused) == (CLIENTS * HOMES - HOMES, [])
    else:
        assert kept == 0
        assert refused == ["already_voted"] * (CLIENTS * HOMES - HOMES)
