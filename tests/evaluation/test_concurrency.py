"""200 residents answering the same survey at once through the API, on PostgreSQL: exactly
one response per home (the residents of a home share one answer), every answer accepted and
none a server error, and one feedback item per unsatisfied home (tests/concurrency.py)."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection, transaction
from django.test import Client

from qinlin.api.services import api_token_issue
from qinlin.evaluation.models import FeedbackItem, Level, SurveyResponse
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from tests.concurrency import CLIENTS, ROUNDS, at_once
from tests.evaluation.helpers import surveyed
from tests.factories import PlaceFactory, resident_of

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
PER_HOME = 5
HOMES = CLIENTS // PER_HOME


def _answer(url: str, key: str, home: Place, n: int) -> int:
    level = Level.UNSATISFIED if n % 2 else Level.SATISFIED
    response = Client().post(
        url,
        {"home": home.uid, "level": level, "comment": f"第{n}位"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    return response.status_code


def test_200_residents_answering_at_once_leave_one_response_per_home(
    places: dict[str, Place], erin: Person
) -> None:
    homes = [
        PlaceFactory.create(kind=PlaceKind.HOME, name=f"{700 + i}", parent=places["unit_a"])
        for i in range(HOMES)
    ]
    with transaction.atomic():  # one commit for the crowd, not 400
        residents = [(resident_of(homes[n % HOMES]), homes[n % HOMES]) for n in range(CLIENTS)]
        keys = [api_token_issue(actor=None, person=p, name="手机")[1] for p, _home in residents]
    for _round in range(ROUNDS):
        survey = surveyed(erin, places)
        url = f"/api/v1/evaluation/surveys/{survey.uid}/responses"
        outcome = at_once(
            [
                partial(_answer, url, key, home, n)
                for n, (key, (_person, home)) in enumerate(zip(keys, residents, strict=True))
            ]
        )
        outcome.report("survey answers")
        assert outcome.errors == []
        assert outcome.peak > 1
        # The first answer of each home creates its response; the others replace it.
        codes = sorted(code for code in outcome.results if code is not None)
        assert codes == [200] * (CLIENTS - HOMES) + [201] * HOMES
        responses = SurveyResponse.objects.filter(survey=survey)
        assert responses.count() == HOMES
        by_home = {home.pk: {p.pk for p, h in residents if h == home} for home in homes}
        for response in responses:
            assert response.respondent_id in by_home[response.home_id]
        unsatisfied = responses.filter(level=Level.UNSATISFIED).count()
        assert FeedbackItem.objects.filter(survey_response__survey=survey).count() == unsatisfied
