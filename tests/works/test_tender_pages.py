"""The tender page: bids entered and sealed, published after the deadline, commented, awarded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qinlin.people.models import Person
from qinlin.works.models import Bid, BidComment, Tender, TenderStatus
from tests.works.helpers import decided, photo
from tests.works.test_tendering import BIDS, _past_deadline

pytestmark = pytest.mark.django_db


def _open(client: Client, erin: Person, places) -> Tender:
    topic = decided(erin, places)
    client.force_login(erin)
    deadline = timezone.localtime() + timedelta(days=3)
    response = client.post(
        f"/works/topics/{topic.uid}/tenders/",
        {
            "tender-title": "3号楼2单元单元门更换",
            "tender-requirements": "钢质防盗单元门，带门禁，质保三年。",
            "tender-deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    tender = Tender.objects.get()
    assert response["Location"] == f"/works/tenders/{tender.uid}/"
    return tender


def test_the_tender_from_bids_to_award(
    client: Client, erin: Person, alice: Person, bob: Person, places
) -> None:
    tender = _open(client, erin, places)
    url = f"/works/tenders/{tender.uid}/"
    for i, (vendor, price, model) in enumerate(BIDS):
        form: dict[str, Any] = {"bid-vendor": vendor, "bid-price": str(price), "bid-product": model}
        if i == 0:
            form["bid-documents"] = [photo("quote.jpg")]
        assert client.post(f"{url}bids/", form).status_code == 302
    assert "潍坊安居门业" in client.get(url).content.decode()

    client.force_login(alice)
    sealed = client.get(url).content.decode()
    assert "潍坊安居门业" not in sealed
    assert "投标（3 家）" in sealed
    document = f"/works/bid-documents/{Bid.objects.get(vendor='潍坊安居门业').documents.get().pk}/"
    assert client.get(document).status_code == 404  # sealed papers too

    client.force_login(erin)
    client.post(f"{url}publish/")
    assert Tender.objects.get().status == TenderStatus.OPEN  # the deadline has not passed
    _past_deadline(tender)
    client.post(f"{url}publish/")
    assert Tender.objects.get().status == TenderStatus.PUBLISHED

    client.force_login(alice)
    page = client.get(url).content.decode()
    assert all(vendor in page for vendor, _, _ in BIDS)
    assert b"".join(client.get(document).streaming_content)  # type: ignore[attr-defined]
    client.post(f"{url}comments/", {"text": "恒通的门质保只有一年，建议选安居。"})
    assert BidComment.objects.count() == 1
    chosen = Bid.objects.get(vendor="潍坊安居门业")
    refused = client.post(f"{url}award/", {"award-bid": str(chosen.pk), "award-reason": "x"})
    assert refused.status_code == 403

    client.force_login(bob)  # another compound
    assert client.get(url).status_code == 404
    assert client.post(f"{url}comments/", {"text": "?"}).status_code == 404

    client.force_login(erin)
    empty = client.post(f"{url}award/", {"award-bid": str(chosen.pk), "award-reason": " "})
    assert empty.status_code == 400
    client.post(f"{url}award/", {"award-bid": str(chosen.pk), "award-reason": "质保三年。"})
    tender.refresh_from_db()
    assert tender.awarded_bid == chosen
    topic_page = client.get(f"/topics/{tender.topic.uid}/").content.decode()
    assert "中标：潍坊安居门业" in topic_page


def test_a_bad_bid_is_refused_with_the_form_kept(client: Client, erin: Person, places) -> None:
    tender = _open(client, erin, places)
    response = client.post(
        f"/works/tenders/{tender.uid}/bids/",
        {"bid-vendor": "鲁安门窗", "bid-price": "-5", "bid-product": "LA-9 单元门"},
    )
    assert response.status_code == 400
    assert "LA-9 单元门" in response.content.decode()
    assert not Bid.objects.exists()


def test_the_tender_page_reads_in_a_fixed_number_of_queries(
    client: Client, erin: Person, alice: Person, places, django_assert_max_num_queries
) -> None:
    tender = _open(client, erin, places)
    url = f"/works/tenders/{tender.uid}/"
    for vendor, price, model in BIDS:
        client.post(
            f"{url}bids/",
            {
                "bid-vendor": vendor,
                "bid-price": str(price),
                "bid-product": model,
                "bid-documents": [photo()],
            },
        )
    _past_deadline(tender)
    client.post(f"{url}publish/")
    client.force_login(alice)
    for i in range(5):
        client.post(f"{url}comments/", {"text": f"意见{i}"})
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
