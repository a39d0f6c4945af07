"""200 clients casting ballots for the same homes at once, on PostgreSQL: exactly one current
ballot per home, every ballot a client was given a receipt for is stored (current, or kept in
the history when replaced), and a refused client hears why (tests/concurrency.py)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection, transaction

from qinlin.core.errors import DomainError
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.votes.models import Ballot, SupersededBallot, Vote
from qinlin.votes.services import ballot_cast
from tests.concurrency import CLIENTS, ROUNDS, SOAK_ROUNDS, at_once
from tests.factories import PersonFactory, PlaceFactory
from tests.votes.helpers import door_vote

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
HOMES = 10 if SOAK_ROUNDS else 3


def _door_to_door(
    person: Person, n: int, vote: Vote, homes: list[Place]
) -> tuple[list[str], list[str]]:
    """One collector's round of the homes, starting at a different door than the next one;
    returns the receipts handed out and the codes of the refusals."""
    receipts, refusals = [], []
    start = n % len(homes)
    for home in homes[start:] + homes[:start]:
        try:
            ballot = ballot_cast(
                actor=person,
                vote=vote,
                home=home,
                choices={"A": "agree" if n % 2 else "disagree", "B": "abstain"},
                channel="door",
            )
        except DomainError as error:
            refusals.append(error.code)
        else:
            receipts.append(ballot.receipt)
    return receipts, refusals


@pytest.mark.parametrize("changeable", [True, False])
def test_200_clients_casting_for_the_same_homes_leave_one_ballot_each_and_lose_none(
    places: dict[str, Place], frank: Person, changeable: bool
) -> None:
    homes = [
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=f"{900 + i}", parent=places["unit_a"], area=Decimal("80.00")
        )
        for i in range(HOMES)
    ]
    with transaction.atomic():  # one commit for the crowd, not 200
        collectors = PersonFactory.create_batch(CLIENTS)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(person=p, role=Role.BUILDING_HEAD, place=places["building_a"])
            for p in collectors
        )
    ids = [h.pk for h in homes]
    for _round in range(ROUNDS):
        vote = door_vote(frank, places, changeable=changeable)
        outcome = at_once(
            [partial(_door_to_door, p, n, vote, homes) for n, p in enumerate(collectors)]
        )
        outcome.report(f"ballots (changeable={changeable})")
        assert outcome.errors == []
        assert outcome.peak > 1
        receipts = [r for got in outcome.results if got for r in got[0]]
        refusals = [code for got in outcome.results if got for code in got[1]]
        current = set(
            Ballot.objects.filter(vote=vote, home_id__in=ids).values_list("receipt", flat=True)
        )
        kept = set(
            SupersededBallot.objects.filter(vote=vote, home_id__in=ids).values_list(
                "receipt", flat=True
            )
        )
        assert len(current) == HOMES
        assert set(receipts) == current | kept
        if changeable:
            assert (len(receipts), refusals) == (CLIENTS * HOMES, [])
        else:
            assert kept == set()
            assert refusals == ["already_voted"] * (CLIENTS * HOMES - HOMES)
