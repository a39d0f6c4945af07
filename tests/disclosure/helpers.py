"""Channels and notices built through the services, for the disclosure tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qinlin.disclosure.models import Channel, ChannelKind, Notice
from qinlin.disclosure.services import channel_create, notice_publish, notice_write
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.works.models import Tender
from qinlin.works.tendering import bid_add, tender_open, tender_publish
from tests.works.helpers import decided
from tests.works.test_tendering import BIDS, _past_deadline


def boards(actor: Person, places: dict[str, Place]) -> list[Channel]:
    return [
        channel_create(
            actor=actor,
            place=places["compound_a"],
            kind=ChannelKind.COMPOUND_BOARD,
            name="上河园公示栏",
        ),
        channel_create(
            actor=actor,
            place=places["building_a"],
            kind=ChannelKind.BUILDING_BOARD,
            name="3号楼公示栏",
        ),
        channel_create(
            actor=actor,
            place=places["compound_a"],
            kind=ChannelKind.OWNERS_GROUP,
            name="上河园业主群",
        ),
    ]


def published(actor: Person, places: dict[str, Place], body: str = "正文") -> Notice:
    notice = notice_write(actor=actor, place=places["compound_a"], title="停水通知", body=body)
    return notice_publish(actor=actor, notice=notice, channels=boards(actor, places))


def tendered(actor: Person, places: dict[str, Place]) -> tuple[Topic, Tender]:
    """A decided topic whose tender has three bids published for comment."""
    topic = decided(actor, places)
    tender = tender_open(
        actor=actor,
        topic=topic,
        title="3号楼2单元单元门更换",
        requirements="钢质防盗单元门，带门禁，质保三年。",
        deadline=timezone.now() + timedelta(days=5),
    )
    for vendor, price, model in BIDS:
        bid_add(actor=actor, tender=tender, vendor=vendor, price=price, product=model)
    return topic, tender_publish(actor=actor, tender=_past_deadline(tender))
