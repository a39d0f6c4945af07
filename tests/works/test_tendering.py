"""Public tendering: bids before the deadline, publication for comments, award with a reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.people.models import Person
from qinlin.works.models import Tender, TenderStatus
from qinlin.works.tendering import (
    bid_add,
    tender_award,
    tender_comment,
    tender_open,
    tender_publish,
)
from tests.works.helpers import decided as _decided

pytestmark = pytest.mark.django_db

BIDS = [
    ("潍坊安居门业", Decimal("11800.00"), "AJ-600 楼宇对讲防盗门"),
    ("鲁安门窗", Decimal("12400.00"), "LA-9 单元门"),
    ("恒通建材", Decimal("10900.00"), "HT-3 钢质门"),
]


def _tender(erin: Person, places) -> Tender:
    return tender_open(
        actor=erin,
        topic=_decided(erin, places),
        title="3号楼2单元单元门更换",
        requirements="钢质防盗单元门，带门禁，质保三年。",
        deadline=timezone.now() + timedelta(days=5),
    )


def _past_deadline(tender: Tender) -> Tender:
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    tender.refresh_from_db()
    return tender


def test_three_bids_published_commented_and_awarded_with_a_reason(
    erin: Person, alice: Person, places
) -> None:
    tender = _tender(erin, places)
    bids = [bid_add(actor=erin, tender=tender, vendor=v, price=p, product=m) for v, p, m in BIDS]
    with pytest.raises(ConflictError):
        tender_publish(actor=erin, tender=tender)  # bids are still open
    tender = tender_publish(actor=erin, tender=_past_deadline(tender))
    assert tender.status == TenderStatus.PUBLISHED
    tender_comment(actor=alice, tender=tender, text="恒通的门质保只有一年，建议选安居。")
    tender = tender_award(
        actor=erin, tender=tender, bid=bids[0], reason="报价居中，质保三年，居民意见倾向。"
    )
    assert (tender.status, tender.awarded_bid) == (TenderStatus.AWARDED, bids[0])
    verbs = set(tender.topic.steps.values_list("verb", flat=True))
    assert {"tender_opened", "bids_published", "tender_awarded"} <= verbs


def test_fewer_than_three_bids_are_not_published(erin: Person, places) -> None:
    tender = _tender(erin, places)
    for vendor, price, model in BIDS[:2]:
        bid_add(actor=erin, tender=tender, vendor=vendor, price=price, product=model)
    with pytest.raises(DomainError) as refused:
        tender_publish(actor=erin, tender=_past_deadline(tender))
    assert refused.value.code == "too_few_bids"


def test_a_bid_after_the_deadline_or_twice_is_refused(erin: Person, places) -> None:
    tender = _tender(erin, places)
    bid_add(actor=erin, tender=tender, vendor="鲁安门窗", price=Decimal("1"))
    with pytest.raises(ConflictError) as twice:
        bid_add(actor=erin, tender=tender, vendor="鲁安门窗", price=Decimal("2"))
    assert twice.value.code == "vendor_bid_twice"
    with pytest.raises(ConflictError) as late:
        bid_add(actor=erin, tender=_past_deadline(tender), vendor="恒通建材", price=Decimal("3"))
    assert late.value.code == "bids_closed"


def test_an_award_needs_its_reason_and_the_right_role(erin: Person, alice: Person, places) -> None:
    tender = _tender(erin, places)
    bids = [bid_add(actor=erin, tender=tender, vendor=v, price=p) for v, p, _m in BIDS]
    tender = tender_publish(actor=erin, tender=_past_deadline(tender))
    with pytest.raises(DomainError):
        tender_award(actor=erin, tender=tender, bid=bids[1], reason=" ")
    with pytest.raises(ForbiddenError):
        tender_award(actor=alice, tender=tender, bid=bids[1], reason="便宜")
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PUBLISHED
