"""The funding plan: sources add up to the cost; the residents' part is shared to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from qinlin.core.errors import ConflictError, DomainError
from qinlin.people.models import Person
from qinlin.places.models import PlaceKind
from qinlin.works.funding import funding_plan_set, payment_record
from qinlin.works.models import HomeShare, PaymentStatus
from tests.factories import PlaceFactory
from tests.works.helpers import decided

pytestmark = pytest.mark.django_db

# Option B of the story: 12,000 yuan, 3,000 from the property company, the rest from residents.
LINES = {"residents": 900_000, "property_subsidy": 300_000}


def test_the_residents_part_is_shared_by_area_to_the_last_fen(erin: Person, places) -> None:
    PlaceFactory.create(
        kind=PlaceKind.HOME, name="201", parent=places["unit_a"], area=Decimal("96.33")
    )
    plan = funding_plan_set(
        actor=erin,
        topic=decided(erin, places),
        total_fen=1_200_000,
        lines=LINES,
        scope=places["unit_a"],
        share_mode="area",
    )
    shares = {s.home.name: s.amount_fen for s in plan.shares.select_related("home")}
    assert sum(shares.values()) == 900_000
    # 89.50, 120.00 and 96.33 m² of 305.83: exact 263,381.62, 353,137.36 and 283,481.02 fen;
    # the floors add up to 899,999 and the odd fen goes to the largest remainder (101's .62).
    assert shares == {"101": 263_382, "102": 353_137, "201": 283_481}
    assert plan.topic.steps.filter(verb="funding_set").exists()


def test_sources_that_do_not_add_up_are_refused(erin: Person, places) -> None:
    with pytest.raises(DomainError) as refused:
        funding_plan_set(
            actor=erin,
            topic=decided(erin, places),
            total_fen=1_200_000,
            lines={"residents": 900_000},
            scope=places["unit_a"],
            share_mode="equal",
        )
    assert str(refused.value) == "各项资金合计 9000.00 元，与总费用 12000.00 元不符。"
    assert not HomeShare.objects.exists()


def test_an_exemption_needs_its_reason_and_freezes_the_plan(erin: Person, places) -> None:
    topic = decided(erin, places)
    plan = funding_plan_set(
        actor=erin,
        topic=topic,
        total_fen=1_200_000,
        lines=LINES,
        scope=places["unit_a"],
        share_mode="equal",
    )
    share = plan.shares.first()
    assert share is not None
    with pytest.raises(DomainError):
        payment_record(actor=erin, share=share, status=PaymentStatus.EXEMPT)
    payment_record(actor=erin, share=share, status=PaymentStatus.EXEMPT, reason="低保户")
    with pytest.raises(ConflictError):
        funding_plan_set(
            actor=erin,
            topic=topic,
            total_fen=1_200_000,
            lines=LINES,
            scope=places["unit_a"],
            share_mode="area",
        )
    assert [s.amount_fen for s in plan.shares.all()] == [450_000, 450_000]


def test_the_plan_is_set_on_the_topic_page_and_collected_per_building(
    client: Client, erin: Person, places
) -> None:
    topic = decided(erin, places)
    client.force_login(erin)
    response = client.post(
        f"/works/topics/{topic.uid}/funding/",
        {
            "funding-total": "12000.00",
            "funding-scope": places["unit_a"].uid,
            "funding-share_mode": "area",
            "funding-line_residents": "9000.00",
            "funding-line_property_subsidy": "3000.00",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert "总费用 12000.00 元" in page
    sheet = client.get(f"/works/topics/{topic.uid}/collection/").content.decode()
    # 9,000 yuan over 89.50 and 120.00 m²: 3,844.868… and 5,155.131…; the odd fen to 101.
    assert "3844.87" in sheet
    assert "5155.13" in sheet
    share = HomeShare.objects.get(home=places["home_a"])
    client.post(f"/works/shares/{share.pk}/", {"status": "exempt", "reason": "低保户"})
    share.refresh_from_db()
    assert (share.status, share.exempt_reason) == ("exempt", "低保户")


def test_a_plan_that_does_not_add_up_keeps_the_figures(
    client: Client, erin: Person, places
) -> None:
    topic = decided(erin, places)
    client.force_login(erin)
    response = client.post(
        f"/works/topics/{topic.uid}/funding/",
        {
            "funding-total": "12000.00",
            "funding-scope": places["unit_a"].uid,
            "funding-share_mode": "equal",
            "funding-line_residents": "9000.00",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "与总费用 12000.00 元不符" in body
    assert 'value="9000.00"' in body
