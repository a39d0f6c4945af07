"""Phones are masked on every page, API answer and export that names a person, for every
role; only the audited reveal and the audited register export show them whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinlin.api.services import api_token_issue
from qinlin.appeals.models import Category, Channel
from qinlin.appeals.services import appeal_submit
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person

pytestmark = pytest.mark.django_db

WALK_IN_PHONE = "13598761234"
# Where the masked number itself appears, so that the check above is not vacuous.
SHOWN_MASKED = {
    "people register": "alice",
    "API people": "alice",
    "API person": "alice",
    "appeal": "walk-in",
    "API appeal": "walk-in",
}


def _urls(places: dict[str, Any], alice: Person, dave: Person) -> dict[str, str]:
    appeal, _created = appeal_submit(
        actor=dave,
        text="楼道灯坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
        channel=Channel.PHONE,
        reporter_name="王女士",
        reporter_phone=WALK_IN_PHONE,
    )
    compound = places["compound_a"].uid
    return {
        "people register": reverse("people:people-list", args=[compound]),
        "workspace": reverse("core:workspace"),
        "appeal": reverse("appeals:appeal-detail", args=[appeal.uid]),
        "inbox": reverse("appeals:inbox"),
        "API people": f"/api/v1/people?place={compound}",
        "API person": f"/api/v1/people/{alice.uid}",
        "API appeals": f"/api/v1/appeals?place={compound}",
        "API appeal": f"/api/v1/appeals/{appeal.uid}",
    }


@pytest.fixture
def urls(places: dict[str, Any], alice: Person, dave: Person) -> dict[str, str]:
    return _urls(places, alice, dave)


@pytest.fixture
def staff(dave: Person, frank: Person, grace: Person) -> list[Person]:
    return [dave, frank, grace]


def test_no_page_or_api_answer_shows_a_whole_phone_to_any_staff_role(
    client: Client, urls: dict[str, str], alice: Person, staff: list[Person]
) -> None:
    assert alice.phone
    for viewer in staff:
        client.force_login(viewer)
        _token, key = api_token_issue(actor=None, person=viewer, name="测试")
        for where, url in urls.items():
            headers = {"Authorization": f"Bearer {key}"} if url.startswith("/api/") else {}
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (viewer.name, where)
            body = response.content.decode()
            for phone in (alice.phone, WALK_IN_PHONE):
                assert phone not in body, (viewer.name, where)
            shown = SHOWN_MASKED.get(where)
            if shown:
                assert (alice.phone_masked if shown == "alice" else "135****1234") in body, where
    assert not AuditEvent.objects.filter(verb="people.phone.revealed").exists()


def test_the_whole_number_only_comes_from_the_audited_reveal(
    client: Client, places: dict[str, Any], alice: Person, frank: Person
) -> None:
    client.force_login(frank)
    response = client.post(reverse("people:phone-reveal", args=[alice.uid]))
    assert alice.phone
    assert alice.phone in response.content.decode()
    _token, key = api_token_issue(actor=None, person=frank, name="测试")
    answer = client.post(
        f"/api/v1/people/{alice.uid}/phone", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.json()["phone"] == alice.phone
    revealed = AuditEvent.objects.filter(verb="people.phone.revealed", object_id=alice.uid)
    assert revealed.count() == 2
    assert set(revealed.values_list("actor", flat=True)) == {frank.pk}
