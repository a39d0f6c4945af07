"""The Atom feed of a place's public notices: the same notices as the public list, newest
first, with absolute links, masked text and no author."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.disclosure.models import Channel, ChannelKind, Notice
from qinlin.disclosure.services import (
    channel_create,
    notice_publish,
    notice_withdraw,
    notice_write,
)
from qinlin.people.models import Person
from qinlin.places.models import Place

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(place: Place) -> str:
    return reverse("public:feed", args=[place.uid])


def board(actor: Person, place: Place, name: str = "上河园公示栏") -> Channel:
    return channel_create(actor=actor, place=place, kind=ChannelKind.COMPOUND_BOARD, name=name)


def published(
    actor: Person, place: Place, channel: Channel, title: str, body: str = "正文"
) -> Notice:
    notice = notice_write(actor=actor, place=place, title=title, body=body)
    return notice_publish(actor=actor, notice=notice, channels=[channel])


def xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 — our own feed, rendered by the test client


def parsed(client: Client, place: Place) -> ET.Element:
    response = client.get(feed_url(place))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return xml(response.content)


def test_the_feed_lists_a_places_notices_newest_first_with_absolute_links(
    client: Client, places, erin
) -> None:
    channel = board(erin, places["compound_a"])
    first = published(erin, places["compound_a"], channel, "第一份公示")
    second = published(erin, places["unit_a"], channel, "第二份公示")
    notice_write(actor=erin, place=places["compound_a"], title="还在起草", body="草稿")

    feed = parsed(client, places["compound_a"])

    assert feed.findtext(f"{ATOM}title") == "上河园公示"
    assert feed.find(f"{ATOM}link").get("href") == (  # type: ignore[union-attr]
        f"http://testserver/n/places/{places['compound_a'].uid}/"
    )
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["第二份公示", "第一份公示"]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert links == [f"http://testserver/n/{n.uid}/" for n in (second, first)]
    assert [e.findtext(f"{ATOM}id") for e in entries] == links
    published_at = entries[0].findtext(f"{ATOM}published")
    assert published_at is not None
    # The same instant, whatever the zone it is written in (UTC on PostgreSQL).
    assert datetime.fromisoformat(published_at) == second.published_at
    assert entries[0].findtext(f"{ATOM}updated") is not None
    # Notices are published by an office; no person is named as their author.
    assert feed.find(f".//{ATOM}author") is None


def test_a_withdrawn_notice_says_so_in_its_title(client: Client, places, erin) -> None:
    channel = board(erin, places["compound_a"])
    notice = published(erin, places["compound_a"], channel, "资金方案公示")
    notice_withdraw(actor=erin, notice=notice, reason="金额有误，更正后重新公示")

    [entry] = parsed(client, places["compound_a"]).findall(f"{ATOM}entry")

    assert entry.findtext(f"{ATOM}title") == "［已撤回］资金方案公示"


def test_the_body_is_masked_escaped_and_keeps_its_line_breaks(
    client: Client, places, erin, alice
) -> None:
    published(
        erin,
        places["compound_a"],
        board(erin, places["compound_a"]),
        "关于更换单元门的公示",
        body="联系人：李爱丽 13812345678\n报价 <12000> 元\n\n公示期内如有异议请提出。",
    )

    response = client.get(feed_url(places["compound_a"]))
    [entry] = xml(response.content).findall(f"{ATOM}entry")

    summary = entry.find(f"{ATOM}summary")
    assert summary is not None
    assert summary.get("type") == "html"
    assert summary.text == (
        "<p>联系人：李*丽 138****5678<br>报价 &lt;12000&gt; 元</p>\n\n"
        "<p>公示期内如有异议请提出。</p>"
    )
    assert "13812345678" not in response.content.decode()
    assert "李爱丽" not in response.content.decode()


def test_the_feed_of_a_community_includes_its_compounds_and_no_other_place(
    client: Client, places, erin, frank
) -> None:
    published(erin, places["compound_a"], board(erin, places["compound_a"]), "上河园的公示")
    published(
        frank,
        places["compound_b"],
        board(frank, places["compound_b"], "锦绣苑公示栏"),
        "锦绣苑的公示",
    )

    community = parsed(client, places["community"])
    compound_b = parsed(client, places["compound_b"])

    assert community.findtext(f"{ATOM}title") == "北苑社区公示"
    assert len(community.findall(f"{ATOM}entry")) == 2
    assert [e.findtext(f"{ATOM}title") for e in compound_b.findall(f"{ATOM}entry")] == [
        "锦绣苑的公示"
    ]


def test_an_unknown_place_or_a_home_has_no_feed(client: Client, places) -> None:
    assert client.get(reverse("public:feed", args=["nosuchplace"])).status_code == 404
    assert client.get(feed_url(places["home_a"])).status_code == 404


def test_the_feed_costs_the_same_queries_for_2_or_6_notices(client: Client, places, erin) -> None:
    channel = board(erin, places["compound_a"])
    url = feed_url(places["community"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for n in range(2):
        published(erin, places["unit_a"], channel, f"公示{n}")
    few = queries()
    for n in range(2, 6):
        published(erin, places["building_a"], channel, f"公示{n}")
    assert len(xml(client.get(url).content).findall(f"{ATOM}entry")) == 6
    assert queries() == few
    assert few <= 3


def test_the_feed_keeps_only_the_latest_notices(
    client: Client, places, erin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qinlin.disclosure.feeds.LATEST", 2)
    channel = board(erin, places["compound_a"])
    for n in range(3):
        published(erin, places["compound_a"], channel, f"公示{n}")
    Notice.objects.filter(title="公示0").update(published_at=timezone.now() - timedelta(days=1))

    entries = parsed(client, places["compound_a"]).findall(f"{ATOM}entry")

    assert sorted(e.findtext(f"{ATOM}title") or "" for e in entries) == ["公示1", "公示2"]
