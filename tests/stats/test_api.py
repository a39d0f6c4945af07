"""GET /api/v1/stats/{place}: the dashboard's figures as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qinlin.api.services import api_token_issue
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.figures import stats_for
from qinlin.stats.selectors import Period
from tests.stats.helpers import YEAR, build

pytestmark = pytest.mark.django_db


def _url(place: Place, query: str = f"from={YEAR}-01-01&to={YEAR}-12-31") -> str:
    return f"/api/v1/stats/{place.uid}?{query}"


def _bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="测试")
    return {"Authorization": f"Bearer {key}"}


def test_the_api_answers_the_same_figures_as_the_dashboard(
    client: Client, places: dict[str, Place], frank: Person, django_assert_max_num_queries: Any
) -> None:
    build(places, frank)
    with django_assert_max_num_queries(40):
        response = client.get(_url(places["community"]), headers=_bearer(frank))
    assert response.status_code == 200
    body = response.json()
    stats = stats_for(places["community"], Period.year(YEAR))
    assert body["place"] == {
        "uid": places["community"].uid,
        "kind": "community",
        "name": "北苑社区",
    }
    assert body["period"] == {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    assert body["appeals"]["received"]["count"] == stats.appeals.received.count == 6
    channels = {f["value"]: f["count"] for f in body["appeals"]["by_channel"]}
    assert channels == {"online": 3, "phone": 1, "visit": 2}
    assert body["evaluation"]["satisfaction_rate"] == {
        "label": "满意率",
        "numerator": 2,
        "denominator": 3,
        "percent": "66.7%",
        "href": stats.evaluation.surveys.href,
    }
    assert body["timing"]["to_closing"]["days"] == "237.8"
    assert body["topics"]["resolved"]["href"].startswith(
        f"/stats/{places['community'].uid}/list/topics_resolved/"
    )


def test_the_api_defaults_to_this_year_and_refuses_bad_periods(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    client.force_login(frank)
    assert client.get(f"/api/v1/stats/{places['community'].uid}").status_code == 200
    backwards = client.get(_url(places["community"], "from=2025-12-31&to=2025-01-01"))
    assert backwards.status_code == 400
    assert backwards.json()["code"] == "bad_period"
    assert client.get(_url(places["community"], "from=2025-01-01")).json()["code"] == (
        "half_period"
    )
    assert client.get(_url(places["community"], "from=nope&to=2025-01-01")).status_code == 422


def test_the_api_checks_who_asks_and_where(
    client: Client, places: dict[str, Place], dave: Person, alice: Person
) -> None:
    assert client.get(_url(places["compound_a"])).status_code == 401
    assert client.get(_url(places["compound_a"]), headers=_bearer(dave)).status_code == 200
    refused = client.get(_url(places["compound_b"]), headers=_bearer(dave))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert client.get(_url(places["compound_a"]), headers=_bearer(alice)).status_code == 403
    assert client.get(_url(places["home_a"]), headers=_bearer(dave)).status_code == 404
