"""The demo's appeals and topics in 上河园, made through the services as people would.

The unit-door story (domain.md §1) stands at the owners' vote: two options, a local
deliberation meeting whose show of hands did not carry, the community's review findings, a
consultation, and the unit's vote with most households collected door to door. Beside it, a
topic awaiting acceptance, one decided locally and now being carried out (execution.py), a
referral and a fresh appeal, so that every page of the issues so far has something to show.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.services import appeal_accept, appeal_refer, appeal_submit
from qinlin.core.roles import Role
from qinlin.demo.activities import load_activities
from qinlin.demo.campaign import load_campaign
from qinlin.demo.disclosure import load_disclosure
from qinlin.demo.evaluation import load_evaluation
from qinlin.demo.execution import load_execution
from qinlin.demo.meetings import hands, held
from qinlin.people.models import Person, Residency
from qinlin.places.models import Place
from qinlin.topics.meeting_services import (
    Invitee,
    meeting_record_minutes,
)
from qinlin.topics.models import Capacity, MeetingKind, Topic
from qinlin.topics.services import option_save, topic_advance
from qinlin.topics.states import Stage
from qinlin.votes.models import BallotChannel
from qinlin.votes.services import ballot_cast, vote_open

# (category, text, reporter name for an offline channel or "" for the resident login, channel)
APPEALS = [
    ("property", "3号楼2单元的单元门坏了，关不上，晚上谁都能进。", "", Channel.ONLINE),
    (
        "property",
        "单元门的闭门器坏了，门一直敞着，冬天楼道特别冷。",
        "王阿姨",
        Channel.DOOR_MEETING,
    ),
    ("property", "我们单元的楼门锁坏了，门禁卡刷了也没反应。", "张先生", Channel.CHAT_GROUP),
    ("property", "防盗门关不严，上周有推销的直接上楼敲门。", "刘奶奶", Channel.VISIT),
    ("facilities", "小区广场没有座椅，老人遛弯没地方歇脚。", "赵大爷", Channel.DOOR_MEETING),
    (
        "facilities",
        "希望在广场边上放几条长椅，带孩子的也能坐一会儿。",
        "孙女士",
        Channel.CHAT_GROUP,
    ),
    ("parking", "楼道里有人给电动车充电，太危险了，希望装充电桩。", "李先生", Channel.CHAT_GROUP),
    ("parking", "小区没有电动自行车充电的地方，只能从楼上拉线。", "陈女士", Channel.PHONE),
    ("complaints", "楼上卫生间漏水，把我家天花板泡坏了。", "周先生", Channel.PHONE),
    ("environment", "2号楼后面的树太密了，挡光，夏天蚊子特别多。", "吴阿姨", Channel.DOOR_MEETING),
]


def load_deliberation(people: dict[Role, Person], shanghe: Place) -> dict[str, int]:
    resident = people[Role.RESIDENT]
    grid, branch = people[Role.GRID_WORKER], people[Role.BRANCH_SECRETARY]
    community = people[Role.COMMUNITY_STAFF]
    home = Residency.objects.select_related("home__parent").get(person=resident).home
    unit = home.parent
    assert unit is not None
    categories = {c.code: c for c in Category.objects.all()}
    appeals: list[Appeal] = []
    for code, text, name, channel in APPEALS:
        own = not name
        appeal, _created = appeal_submit(
            actor=resident if own else grid,
            reporter=resident if own else None,
            reporter_name=name,
            text=text,
            category=categories[code],
            place=home if own else (unit if code == "property" else shanghe),
            channel=channel,
        )
        appeals.append(appeal)

    door = appeal_accept(actor=grid, appeals=appeals[:4], title="更换3号楼2单元单元门")
    door = topic_advance(topic=door, to=Stage.LOCAL, actor=grid)
    option_save(
        actor=branch,
        topic=door,
        title="公共维修基金支付",
        estimated_cost=Decimal("12000"),
        funding="公共维修基金",
        description="从本楼公共维修基金列支，需业主表决同意使用。",
    )
    plan_b = option_save(
        actor=branch,
        topic=door,
        title="居民自筹 + 物业补贴",
        estimated_cost=Decimal("12000"),
        funding="居民自筹 + 物业补贴",
        description="物业补贴 3000 元，其余按面积由本单元住户分摊。",
    )
    local = held(
        branch,
        door,
        kind=MeetingKind.LOCAL,
        title="单元门先行商议会",
        absent=1,
        invited=[
            Invitee(Capacity.OWNERS_COMMITTEE, people[Role.OWNERS_COMMITTEE]),
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
            Invitee(Capacity.BUILDING_HEAD, people[Role.BUILDING_HEAD]),
            Invitee(Capacity.RESIDENT_REP, people[Role.BACKBONE]),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
        ],
    )
    meeting_record_minutes(
        actor=branch,
        meeting=local,
        minutes="物业认为应使用维修基金，业委会认为维修基金手续太慢；两方案均有人支持，未能达成一致。",
    )
    hands(branch, local, plan_b, 2, 2)
    topic_advance(
        topic=door,
        to=Stage.REVIEW,
        actor=branch,
        note="物业与业委会对资金来源意见不一，提请社区党委调查审核。",
    )
    topic_advance(
        topic=door,
        to=Stage.CONSULTATION,
        actor=community,
        findings="经现场查看，单元门闭门器损坏、门禁失灵，属公共部位维修，同意组织协商。",
    )
    _unit_door_vote(people, door, unit, resident)

    benches = appeal_accept(actor=grid, appeals=appeals[4:6], title="广场增设休息座椅")
    benches = topic_advance(topic=benches, to=Stage.LOCAL, actor=grid)
    bench = option_save(
        actor=branch,
        topic=benches,
        title="物业出资增设 6 条长椅",
        estimated_cost=Decimal("3600"),
        funding="物业补贴",
    )
    square = held(
        branch,
        benches,
        kind=MeetingKind.DOOR,
        title="广场座椅楼头会",
        absent=0,
        invited=[
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
            Invitee(Capacity.BUILDING_HEAD, people[Role.BUILDING_HEAD]),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
        ],
    )
    meeting_record_minutes(actor=branch, meeting=square, minutes="物业同意出资，位置定在广场东侧。")
    hands(branch, square, bench, 3, 0)
    _local_meeting = held(
        branch,
        benches,
        kind=MeetingKind.LOCAL,
        title="广场座椅先行商议会",
        absent=0,
        invited=[
            Invitee(Capacity.OWNERS_COMMITTEE, people[Role.OWNERS_COMMITTEE]),
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
        ],
    )
    meeting_record_minutes(actor=branch, meeting=_local_meeting, minutes="确认楼头会意见。")
    benches = topic_advance(
        topic=benches,
        to=Stage.DECIDED,
        actor=branch,
        option=bench,
        notice_draft="经先行商议，物业出资在广场东侧增设 6 条长椅，现予公示。",
    )
    load_execution(people, benches, resident)
    load_disclosure(people, shanghe, benches)
    load_evaluation(people, shanghe)
    load_campaign(people, shanghe)
    load_activities(people, shanghe)

    appeal_accept(actor=grid, appeals=appeals[6:8], title="增设电动自行车充电桩")
    appeal_refer(
        actor=grid, appeals=[appeals[8]], to="物业公司", note="属相邻住户漏水，物业上门查看。"
    )
    return {"appeals": len(appeals), "topics": Topic.objects.count()}


def _unit_door_vote(people: dict[Role, Person], door: Topic, unit: Place, resident: Person) -> None:
    """The consultation sends both options to the unit's owners; the building head has been
    door to door, and the resident login's household has still to vote (online, in the demo)."""
    community, head = people[Role.COMMUNITY_STAFF], people[Role.BUILDING_HEAD]
    consultation = held(
        community,
        door,
        kind=MeetingKind.CONSULTATION,
        title="单元门更换协商议事会",
        absent=0,
        invited=[
            Invitee(Capacity.DEPUTY, people[Role.DEPUTY]),
            Invitee(Capacity.LEGAL_ADVISER, people[Role.LEGAL_ADVISER]),
            Invitee(Capacity.OWNERS_COMMITTEE, people[Role.OWNERS_COMMITTEE]),
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
        ],
    )
    meeting_record_minutes(
        actor=community,
        meeting=consultation,
        minutes="两个方案涉及本单元业主的共同决定，付诸本单元业主入户征求意见。",
    )
    door = topic_advance(topic=door, to=Stage.VOTING, actor=community)
    option_a, option_b = door.options.order_by("letter")
    vote = vote_open(
        actor=community,
        topic=door,
        items={option_a: 5, option_b: 9},
        scope=unit,
        closes_at=timezone.now() + timedelta(days=7),
    )
    own = set(Residency.objects.filter(person=resident).values_list("home_id", flat=True))
    homes = [h for h in Place.objects.filter(unit.subtree_q(), kind="home") if h.pk not in own]
    for number, home in enumerate(homes[:8], start=1):
        ballot_cast(
            actor=head,
            vote=vote,
            home=home,
            choices={"A": "agree" if number % 4 == 0 else "disagree", "B": "agree"},
            channel=BallotChannel.DOOR,
            paper_no=f"3-2-{number:03d}",
        )
