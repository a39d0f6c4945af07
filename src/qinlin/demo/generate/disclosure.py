"""Disclosure: a board and an owners' group for every compound and a board and public
account for every community; a notice on every closed topic (its tally, acceptance or
evaluation) published on them with its period; residents' requests, answered by a notice
within their due time or still being handled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from qinlin.demo import history_texts as texts
from qinlin.demo.generate.city import City
from qinlin.demo.generate.places import Community, Compound
from qinlin.demo.generate.topics import Topics
from qinlin.disclosure.models import (
    DEFAULT_PERIOD_DAYS,
    Channel,
    ChannelKind,
    DisclosureRequest,
    Notice,
    NoticeKind,
    NoticeStatus,
    Origin,
    RequestStatus,
)
from qinlin.topics.models import Step

CHANNEL_FIELDS = ["id", "uid", "place", "kind", "name", "active", "created_by", "created_at"]
NOTICE_FIELDS = [
    "id",
    "uid",
    "place",
    "place_path",
    "topic",
    "kind",
    "subject_uid",
    "origin",
    "title",
    "body",
    "period_days",
    "state",
    "published_at",
    "period_ends",
    "created_by",
    "created_at",
    "published_by",
]
REQUEST_FIELDS = [
    "uid",
    "place",
    "requester",
    "text",
    "at",
    "due_on",
    "status",
    "assignee",
    "notice",
    "closed_at",
]
KIND_TEXT = {
    NoticeKind.TALLY: ("表决结果公示", "业主表决已结束，计票结果如下，A 方案获得通过。"),
    NoticeKind.ACCEPTANCE: ("验收结果公示", "工程已完成并经验收合格，现将验收情况公示如下。"),
    NoticeKind.EVALUATION: ("测评结果公示", "满意度测评已结束，现将测评结果公示如下。"),
}


def channels(city: City, place: int, name: str, staff: int, *, compound: bool) -> list[int]:
    kinds = (
        ((ChannelKind.COMPOUND_BOARD, "公示栏"), (ChannelKind.OWNERS_GROUP, "业主群"))
        if compound
        else ((ChannelKind.COMMUNITY_BOARD, "公示栏"), (ChannelKind.WECHAT_ACCOUNT, "微信公众号"))
    )
    made = []
    for kind, suffix in kinds:
        pk = city.new_id(Channel)
        at = city.first_day_moment - timedelta(days=city.rng.randint(20, 60))
        city.add(Channel, pk, city.uid(), place, kind, f"{name}{suffix}"[:80], True, staff, at)
        made.append(pk)
    return made


def publish(
    city: City,
    *,
    place: int,
    path: str,
    topic: int | None,
    kind: str,
    subject: str,
    origin: str,
    title: str,
    body: str,
    at: datetime,
    actor: int,
    on: list[int],
) -> tuple[int, str]:
    pk, uid = city.new_id(Notice), city.uid()
    ends = city.local_date(at) + timedelta(days=DEFAULT_PERIOD_DAYS)
    city.add(
        Notice,
        pk,
        uid,
        place,
        path,
        topic,
        kind,
        subject,
        origin,
        title[:120],
        body,
        DEFAULT_PERIOD_DAYS,
        NoticeStatus.PUBLISHED,
        at,
        ends,
        actor,
        at - timedelta(hours=2),
        actor,
    )
    for channel in on:
        city.add(Notice.channels.through, pk, channel)
    return pk, uid


def topic_notices(city: City, topics: Topics, compound: Compound, on: list[int]) -> None:
    """The closed topics of a compound, each with one proactive notice."""
    rng = city.rng
    secretary = compound.holder("branch_secretary")
    for topic, survey, closed in topics.closed:
        if topic.compound is not compound:
            continue
        kind = (
            NoticeKind.TALLY
            if topic.vote
            else rng.choice([NoticeKind.EVALUATION, NoticeKind.ACCEPTANCE])
        )
        subject = topic.vote or survey
        at = closed + timedelta(days=1)
        if at > city.now:
            continue
        heading, lead = KIND_TEXT[kind]
        body = (
            f"{lead}\n\n议题：{topic.title}\n决定：{topic.decision}\n"
            "公示期内如有异议，请向社区或网格员提出。"
        )
        _pk, uid = publish(
            city,
            place=topic.place,
            path=compound.path_of(topic.place),
            topic=topic.id,
            kind=kind,
            subject=subject,
            origin=Origin.PROACTIVE,
            title=f"{topic.title}{heading}",
            body=body,
            at=at,
            actor=secretary,
            on=on,
        )
        until = city.local_date(at) + timedelta(days=DEFAULT_PERIOD_DAYS)
        data = {"notice": uid, "notice_title": f"{topic.title}{heading}"[:120], "until": str(until)}
        city.add(Step, topic.id, at, secretary, "notice_published", "", "", "", data)
    topics.closed = [c for c in topics.closed if c[0].compound is not compound]


def requests(city: City, compound: Compound, on: list[int]) -> None:
    """About one request a year per compound, answered within 15 days by a notice; those
    of the last fortnight are still being handled."""
    rng = city.rng
    secretary = compound.holder("branch_secretary")
    for _n in range(max(1, city.options.years * len(compound.homes) // 600)):
        asked, subject = rng.choice(texts.REQUESTS)
        filed = city.when(city.day())
        if filed > city.now:
            filed = city.now - timedelta(hours=3)
        requester = rng.choice(compound.residents)
        due = city.local_date(filed) + timedelta(days=15)
        answered = filed + timedelta(days=rng.randint(3, 12), hours=2)
        notice = None
        if answered <= city.now:
            body = (
                f"应居民申请，现将{compound.name}{subject}公开如下，详细材料可到党群服务站查阅。"
                f"\n\n申请内容：{asked}\n答复：经核实，相关账目和材料已整理完毕，公示期内如有异议请提出。"
            )
            notice, _uid = publish(
                city,
                place=compound.id,
                path=compound.path,
                topic=None,
                kind=NoticeKind.OTHER,
                subject="",
                origin=Origin.ON_REQUEST,
                title=f"关于{compound.name}{subject}的公开",
                body=body,
                at=answered,
                actor=secretary,
                on=on,
            )
        city.add(
            DisclosureRequest,
            city.uid(),
            compound.id,
            requester,
            asked,
            filed,
            due,
            RequestStatus.ANSWERED if notice else RequestStatus.ASSIGNED,
            secretary,
            notice,
            answered if notice else None,
        )


def community_channels(city: City, home: Community) -> list[int]:
    return channels(city, home.id, home.name, home.staff[0], compound=False)
