"""The demo's disclosure in 上河园: its channels, the benches tender's bids published to every
building's board and the owners' group, a resident's objection with its answer, and a
resident's request for the accounts answered by a notice."""

from __future__ import annotations

from qinlin.core.roles import Role
from qinlin.disclosure.drafting import draft
from qinlin.disclosure.models import Channel, ChannelKind, NoticeKind
from qinlin.disclosure.services import (
    channel_create,
    notice_draft,
    notice_publish,
    objection_answer,
    objection_file,
    request_answer_draft,
    request_assign,
    request_file,
)
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic


def _channels(staff: Person, shanghe: Place) -> list[Channel]:
    community = shanghe.parent
    assert community is not None
    made = [
        channel_create(actor=staff, place=community, kind=kind, name=f"{community.name}{label}")
        for kind, label in (
            (ChannelKind.COMMUNITY_BOARD, "公示栏"),
            (ChannelKind.WECHAT_ACCOUNT, "微信公众号"),
            (ChannelKind.SUNSHINE_DAY, "阳光议事日"),
            (ChannelKind.WEB, "网站"),
        )
    ]
    made += [
        channel_create(actor=staff, place=shanghe, kind=kind, name=f"{shanghe.name}{label}")
        for kind, label in (
            (ChannelKind.COMPOUND_BOARD, "公示栏"),
            (ChannelKind.OWNERS_GROUP, "业主群"),
            (ChannelKind.SHOPS_GROUP, "沿街商户群"),
        )
    ]
    made += [
        channel_create(
            actor=staff,
            place=building,
            kind=ChannelKind.BUILDING_BOARD,
            name=f"{shanghe.name}{building.name}公示栏",
        )
        for building in shanghe.children.filter(kind=PlaceKind.BUILDING).order_by("path")
    ]
    return made


def load_disclosure(people: dict[Role, Person], shanghe: Place, benches: Topic) -> None:
    staff, branch = people[Role.COMMUNITY_STAFF], people[Role.BRANCH_SECRETARY]
    resident = people[Role.RESIDENT]
    channels = _channels(staff, shanghe)
    tender = benches.tenders.get()
    bids = notice_draft(actor=branch, topic=benches, subject=f"{NoticeKind.BIDS}:{tender.uid}")
    to = [c for c in channels if c.kind in (ChannelKind.BUILDING_BOARD, ChannelKind.OWNERS_GROUP)]
    bids = notice_publish(actor=branch, notice=bids, channels=to)
    objection = objection_file(
        actor=resident,
        notice=bids,
        text="鑫达的长椅只有 1.5 米，没有扶手，老人起身不方便，建议不要只看价格。",
    )
    objection_answer(
        actor=branch,
        objection=objection,
        answer="意见已转业委会，定标时将把扶手和长度作为条件，结果另行公示。",
    )

    request = request_file(
        actor=resident, place=shanghe, text="请公开广场长椅的资金来源和物业补贴的到账情况。"
    )
    request = request_assign(actor=staff, request=request, assignee=branch)
    title, body = draft(benches, NoticeKind.FUNDING, benches.uid)
    answer = request_answer_draft(actor=branch, request=request, title=title, body=body)
    notice_publish(
        actor=branch,
        notice=answer,
        channels=[c for c in channels if c.kind == ChannelKind.COMPOUND_BOARD],
    )
