"""The reference story (domain.md §1), played once on the demo data: `qinlin demo --story`.

上河园 5号楼1单元's door is broken. Its residents file appeals; the grid worker accepts them
into a topic; the branch secretary's local deliberation cannot agree and escalates; the
community reviews and convenes a consultation with two options; the unit's owners vote, door
to door and online, and option B (residents pay, the property company subsidises) carries
under Civil Code Art. 278; the owners' committee tenders, publishes three bids, answers an
objection and awards; the cost is shared by area; the door is replaced, accepted, audited and
surveyed; the results are published and the topic closes.

Every step goes through the services, as the people of each role would take it. Where the
story needs time to have passed (a tender's bidding period), it backdates that one field after
the service call, as the other demo loaders do; the audit chain is untouched by that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.services import appeal_accept, appeal_submit
from qinlin.core.roles import Role
from qinlin.demo.data import demo_logins
from qinlin.demo.meetings import hands, held
from qinlin.demo.photos import photo
from qinlin.disclosure.models import Channel as DisclosureChannel
from qinlin.disclosure.models import ChannelKind, NoticeKind
from qinlin.disclosure.services import (
    notice_draft,
    notice_publish,
    objection_answer,
    objection_file,
)
from qinlin.evaluation.models import Level, ResponseChannel, Verdict
from qinlin.evaluation.services import (
    audit_add,
    feedback_answer,
    survey_end,
    survey_open,
    survey_respond,
)
from qinlin.people.models import Person, Relation, Residency, ResidencyStatus, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under
from qinlin.topics.meeting_services import Invitee, meeting_record_minutes
from qinlin.topics.models import Capacity, MeetingKind, Topic
from qinlin.topics.services import option_save, topic_advance
from qinlin.topics.states import Stage
from qinlin.votes.models import BallotChannel, Vote
from qinlin.votes.services import ballot_cast, vote_close, vote_open
from qinlin.works.acceptance import work_accept
from qinlin.works.funding import funding_plan_set
from qinlin.works.models import FundingSource, ShareMode, TaskStatus, Tender
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import (
    bid_add,
    tender_award,
    tender_comment,
    tender_open,
    tender_publish,
)

COMPOUND = "上河园"
BUILDING = "5号楼"
UNIT = "1单元"
TITLE = "更换5号楼1单元单元门"
# Art. 278 items: A uses the maintenance fund (item 5); B is another major matter (item 9).
ITEM_A, ITEM_B = 5, 9
BIDS = [
    ("潍坊安居门业有限公司", Decimal("12600.00"), "楼宇对讲防盗单元门，304 不锈钢，质保三年"),
    ("鑫达门窗工程", Decimal("11800.00"), "钢质单元门 + 液压闭门器 + 刷卡门禁，质保两年"),
    ("永固智能门控", Decimal("13200.00"), "人脸识别单元门，铝合金门体，质保两年"),
]
AWARDED = 1  # 鑫达: the lowest price, and the residents' objection was about the warranty
TOTAL_FEN = 1_180_000
SUBSIDY_FEN = 300_000
LEVELS = [Level.VERY, Level.SATISFIED, Level.VERY, Level.BASIC, Level.SATISFIED]

Say = Callable[[str], object]


@dataclass
class StoryResult:
    created: bool
    topic: Topic
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return reverse("topics:topic-detail", args=[self.topic.uid])


DOOR = (120, 140, 160)


def story_topic() -> Topic | None:
    return Topic.objects.filter(title=TITLE, place__path__startswith=_unit().path).first()


def _unit() -> Place:
    return Place.objects.get(
        kind=PlaceKind.UNIT,
        name=UNIT,
        parent__name=BUILDING,
        parent__parent__name=COMPOUND,
    )


@dataclass
class _Cast:
    """Who plays the story: the demo logins, and the people of 5号楼1单元."""

    people: dict[Role, Person]
    unit: Place
    building: Place
    compound: Place
    building_head: Person
    # (owner, home) of the unit's homes that have one, in register order.
    owners: list[tuple[Person, Place]]

    @classmethod
    def find(cls) -> _Cast:
        by_phone = {login.phone: login.role for login in demo_logins()}
        people = {
            by_phone[p.phone or ""]: p for p in Person.objects.filter(phone__in=list(by_phone))
        }
        unit = _unit()
        building = unit.parent
        assert building is not None
        compound = building.parent
        assert compound is not None
        head = (
            RoleAssignment.objects.filter(role=Role.BUILDING_HEAD, place=building)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        building_head = head.person if head is not None else people[Role.BUILDING_HEAD]
        residencies = (
            Residency.objects.filter(
                home__in=homes_under(unit),
                relation=Relation.OWNER,
                status=ResidencyStatus.CONFIRMED,
            )
            .select_related("person", "home")
            .order_by("home__path", "pk")
        )
        owners: list[tuple[Person, Place]] = []
        seen: set[int] = set()
        for residency in residencies:
            if residency.home_id not in seen:
                seen.add(residency.home_id)
                owners.append((residency.person, residency.home))
        return cls(people, unit, building, compound, building_head, owners)


def play_story(*, stdout: Say | None = None) -> StoryResult:
    """Play the reference story once on the loaded demo; a second call changes nothing."""
    say = stdout or (lambda _text: None)
    existing = story_topic()
    if existing is not None:
        return StoryResult(created=False, topic=existing)
    with transaction.atomic():
        cast = _Cast.find()
        topic = _deliberate(cast, say)
        vote = _vote(cast, topic, say)
        _execute(cast, topic, vote, say)
        _evaluate(cast, topic, say)
        topic.refresh_from_db()
    return StoryResult(
        created=True,
        topic=topic,
        counts={
            "appeals": topic.appeals.count(),
            "meetings": topic.meetings.count(),
            "ballots": vote.ballots.count(),
            "bids": sum(t.bids.count() for t in topic.tenders.all()),
            "notices": topic.notices.count(),
            "steps": topic.steps.count(),
        },
    )


def _deliberate(cast: _Cast, say: Say) -> Topic:
    people = cast.people
    grid, branch = people[Role.GRID_WORKER], people[Role.BRANCH_SECRETARY]
    community = people[Role.COMMUNITY_STAFF]
    property_ = Category.objects.get(code="property")

    say("居民反映单元门损坏 / Residents report the broken unit door")
    texts = [
        "5号楼1单元的单元门锁坏了，门推一下就开，晚上不安全。",
        "单元门闭门器漏油，门关不上，楼道里全是风。",
        "门禁刷卡没反应，老人带着孙子进不了门。",
    ]
    appeals: list[Appeal] = []
    for (owner, home), text in zip(cast.owners, texts, strict=False):
        appeal, _created = appeal_submit(
            actor=owner,
            reporter=owner,
            text=text,
            category=property_,
            place=home,
            channel=Channel.ONLINE,
        )
        appeals.append(appeal)
    appeal, _created = appeal_submit(
        actor=grid,
        reporter_name="刘奶奶",
        text="5号楼1单元的门坏了好几天了，上周有推销的直接上楼敲门。",
        category=property_,
        place=cast.unit,
        channel=Channel.DOOR_MEETING,
    )
    appeals.append(appeal)
    say(f"  {len(appeals)} 条诉求 / appeals filed")

    say("网格员受理诉求，形成议题 / The grid worker accepts them into a topic")
    topic = appeal_accept(
        actor=grid,
        appeals=appeals,
        title=TITLE,
        description="5号楼1单元单元门门锁、闭门器和门禁均已损坏，居民多次反映。",
    )
    topic = topic_advance(topic=topic, to=Stage.LOCAL, actor=grid)

    say("支部书记主持先行商议，未能达成一致 / Local deliberation: no agreement")
    option_save(
        actor=branch,
        topic=topic,
        title="公共维修基金支付",
        estimated_cost=Decimal("12000"),
        funding="公共维修基金",
        description="从本单元公共维修基金列支，须本单元业主表决同意使用。",
    )
    plan_b = option_save(
        actor=branch,
        topic=topic,
        title="居民自筹 + 物业补贴",
        estimated_cost=Decimal("12000"),
        funding="居民自筹 + 物业补贴",
        description="物业补贴 3000 元，其余按专有部分面积由本单元住户分摊。",
    )
    local = held(
        branch,
        topic,
        kind=MeetingKind.LOCAL,
        title="5号楼1单元单元门先行商议会",
        absent=0,
        invited=[
            Invitee(Capacity.OWNERS_COMMITTEE, people[Role.OWNERS_COMMITTEE]),
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
            Invitee(Capacity.BUILDING_HEAD, cast.building_head),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
        ],
    )
    meeting_record_minutes(
        actor=branch,
        meeting=local,
        minutes="物业主张动用维修基金，业委会认为维修基金申请周期长；两方案各有支持，未能达成一致。",
    )
    hands(branch, local, plan_b, 2, 2)
    topic_advance(
        topic=topic,
        to=Stage.REVIEW,
        actor=branch,
        note="资金来源意见不一，提请社区党委调查审核。",
    )

    say("社区调查审核并召开协商会议 / Community review and consultation")
    consultation = held(
        community,
        topic,
        kind=MeetingKind.CONSULTATION,
        title="5号楼1单元单元门协商议事会",
        absent=1,
        invited=[
            Invitee(Capacity.STAFF, community),
            Invitee(Capacity.PARTY_MEMBER, people[Role.PARTY_MEMBER]),
            Invitee(Capacity.DEPUTY, people[Role.DEPUTY]),
            Invitee(Capacity.LEGAL_ADVISER, people[Role.LEGAL_ADVISER]),
            Invitee(Capacity.OWNERS_COMMITTEE, people[Role.OWNERS_COMMITTEE]),
            Invitee(Capacity.PROPERTY_COMPANY, people[Role.PROPERTY_STAFF]),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
            Invitee(Capacity.INTERESTED_PARTY, cast.owners[0][0]),
            Invitee(Capacity.THIRD_PARTY, people[Role.THIRD_PARTY]),
        ],
    )
    topic_advance(
        topic=topic,
        to=Stage.CONSULTATION,
        actor=community,
        findings="经现场查看，单元门锁体、闭门器损坏，门禁失灵，属公共部位维修，同意组织协商。",
    )
    meeting_record_minutes(
        actor=community,
        meeting=consultation,
        minutes="与会人员比较两方案：A 动用维修基金，B 居民自筹加物业补贴 3000 元。"
        "法律顾问说明两方案均须本单元业主共同决定，付诸本单元业主入户征求意见。",
    )
    hands(community, consultation, plan_b, 6, 2)
    return topic


def _vote(cast: _Cast, topic: Topic, say: Say) -> Vote:
    community = cast.people[Role.COMMUNITY_STAFF]
    say("提交本单元业主表决 / The options go to the unit's owners")
    topic = topic_advance(topic=topic, to=Stage.VOTING, actor=community)
    option_a, option_b = topic.options.order_by("letter")
    vote = vote_open(
        actor=community,
        topic=topic,
        items={option_a: ITEM_A, option_b: ITEM_B},
        scope=cast.unit,
        closes_at=timezone.now() + timedelta(days=7),
    )
    # Most homes answer on paper at the door, three owners online; one home is not reached.
    homes = list(homes_under(cast.unit).order_by("path"))
    online = {home.pk: owner for owner, home in cast.owners[:3]}
    paper = 0
    for n, home in enumerate(homes[:-1]):
        # One buyer's homes (or the developer's) answer alike: choose by owner, not by home.
        key = home.owner_key or ("developer" if home.developer_unsold else str(home.pk))
        against_b = key == str(home.pk) and n in (4, 9)
        choices = {
            "A": "agree" if key == str(home.pk) and n in (2, 6) else "disagree",
            "B": "disagree" if against_b else "agree",
        }
        owner = online.get(home.pk)
        if owner is not None:
            ballot_cast(
                actor=owner, vote=vote, home=home, choices=choices, channel=BallotChannel.ONLINE
            )
        else:
            paper += 1
            ballot_cast(
                actor=cast.building_head,
                vote=vote,
                home=home,
                choices=choices,
                channel=BallotChannel.DOOR,
                paper_no=f"5-1-{paper:03d}",
            )
    say(
        f"  楼长入户收回纸质票 {paper} 张，业主网上投票 {len(online)} 票"
        f" / {paper} paper ballots, {len(online)} online"
    )

    say("表决结束并计票 / The vote is closed and tallied")
    vote = vote_close(actor=community, vote=vote)
    b = vote.result["B"]
    say(f"  {b['zh']}")
    say(f"  {b['en']}")

    say("公布表决结果：采用方案 B / Decided: option B")
    topic_advance(
        topic=topic,
        to=Stage.DECIDED,
        actor=community,
        option=option_b,
        tally=f"方案 A 未通过；方案 B 通过。{b['zh']}",
        notice_draft="经本单元业主表决，采用方案 B：居民自筹 + 物业补贴更换单元门，现予公示。",
    )
    return vote


def _boards(cast: _Cast) -> list[DisclosureChannel]:
    """The unit's building board, the compound's board and the owners' group: a unit's notice
    goes to the channels at or above it (disclosure's rule), not to other buildings' boards."""
    return [
        channel
        for channel in DisclosureChannel.objects.filter(
            place__path__startswith=cast.compound.path,
            kind__in=(
                ChannelKind.BUILDING_BOARD,
                ChannelKind.COMPOUND_BOARD,
                ChannelKind.OWNERS_GROUP,
            ),
        )
        .select_related("place")
        .order_by("pk")
        if cast.unit.path.startswith(channel.place.path)
    ]


def _execute(cast: _Cast, topic: Topic, vote: Vote, say: Say) -> None:
    people = cast.people
    branch, committee = people[Role.BRANCH_SECRETARY], people[Role.OWNERS_COMMITTEE]
    property_staff = people[Role.PROPERTY_STAFF]
    topic = topic_advance(
        topic=topic, to=Stage.EXECUTING, actor=branch, responsible=[committee, property_staff]
    )

    say("业委会公开招标，收到三份投标 / The owners' committee tenders; three bids")
    tender = tender_open(
        actor=committee,
        topic=topic,
        title="5号楼1单元单元门采购安装",
        requirements="钢质或不锈钢单元门一樘，含闭门器、刷卡门禁及安装，质保不少于两年。",
        deadline=timezone.now() + timedelta(days=1),
    )
    bids = [
        bid_add(actor=committee, tender=tender, vendor=vendor, price=price, product=product)
        for vendor, price, product in BIDS
    ]
    # The bidding period has run its course in the story.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(hours=1))
    tender.refresh_from_db()

    say(
        "投标截止，在楼栋公示栏、小区公示栏和业主群公示"
        " / Bids published on the boards and in the owners' group"
    )
    tender = tender_publish(actor=committee, tender=tender)
    notice = notice_draft(actor=branch, topic=topic, subject=f"{NoticeKind.BIDS}:{tender.uid}")
    notice = notice_publish(actor=branch, notice=notice, channels=_boards(cast))
    resident = cast.owners[1][0]
    tender_comment(actor=resident, tender=tender, text="希望门禁能兼容现在的卡，不要再花钱换卡。")

    say("居民提出异议并得到答复 / A resident objects; the objection is answered")
    objection = objection_file(
        actor=resident,
        notice=notice,
        text="鑫达的质保只有两年，比安居门业少一年，建议要求延长质保。",
    )
    objection_answer(
        actor=branch,
        objection=objection,
        answer="已与鑫达门窗工程协商，同意质保延长至三年并写入合同，兼容现有门禁卡。",
    )

    say("定标并说明理由 / The tender is awarded, with its reason")
    tender_award(
        actor=committee,
        tender=tender,
        bid=bids[AWARDED],
        reason="报价最低，承诺质保三年并兼容现有门禁卡，已回应居民异议。",
    )

    say("资金方案：居民按面积分摊 + 物业补贴 / Funding: residents by area + property subsidy")
    funding_plan_set(
        actor=branch,
        topic=topic,
        total_fen=TOTAL_FEN,
        lines={
            FundingSource.RESIDENTS: TOTAL_FEN - SUBSIDY_FEN,
            FundingSource.PROPERTY_SUBSIDY: SUBSIDY_FEN,
        },
        scope=vote.scope,
        share_mode=ShareMode.AREA,
    )

    say("办理任务与进度 / Tasks and progress")
    for title, steps in (
        ("拆除旧门并安装新单元门", ["旧门已拆除，门框加固。", "新单元门已安装，闭门器调试完毕。"]),
        ("调试门禁并登记住户门卡", ["门禁已调试，12 户门卡全部可用。"]),
    ):
        task = task_create(
            actor=branch,
            topic=topic,
            title=title,
            responsible=property_staff,
            due_on=timezone.localdate() + timedelta(days=14),
        )
        for number, text in enumerate(steps, start=1):
            last = number == len(steps)
            task_report(
                actor=property_staff,
                task=task,
                text=text,
                status=TaskStatus.DONE if last else TaskStatus.DOING,
                photos=[("door.jpg", photo("door.jpg", DOOR))] if last else [],
            )

    say("验收合格（附现场照片） / Acceptance passed, with a photo")
    work_accept(
        actor=branch,
        topic=topic,
        held_on=timezone.localdate(),
        participants=f"业委会 {committee.name}、楼长 {cast.building_head.name}、"
        f"物业 {property_staff.name}",
        opinion="单元门开关顺畅，闭门器、门禁正常，与中标型号一致。",
        passed=True,
        photos=[("door.jpg", photo("door.jpg", DOOR))],
    )


def _evaluate(cast: _Cast, topic: Topic, say: Say) -> None:
    people = cast.people
    grid, branch = people[Role.GRID_WORKER], people[Role.BRANCH_SECRETARY]
    community = people[Role.COMMUNITY_STAFF]

    say("审计评估 / The audit")
    audit = audit_add(
        actor=community,
        topic=topic,
        held_on=timezone.localdate(),
        panel=f"党员代表 {people[Role.PARTY_MEMBER].name}、"
        f"居民代表 {people[Role.RESIDENT_REP].name}、第三方机构 {people[Role.THIRD_PARTY].name}",
        findings="按中标方案完成，费用 11800 元，居民分摊与物业补贴与公示一致。",
        verdict=Verdict.WITH_ISSUES,
        problems=["门禁卡登记表未张贴在单元门口"],
    )
    for item in audit.feedback.all():
        feedback_answer(actor=branch, item=item, answer="已在单元门口张贴登记表。", resolved=True)

    say("满意度测评 / The satisfaction survey")
    survey = survey_open(
        actor=branch,
        topic=topic,
        scope=cast.unit,
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=60,
    )
    online = {home.pk: owner for owner, home in cast.owners[:2]}
    homes = list(homes_under(cast.unit).order_by("path"))
    answered = 0
    for n, home in enumerate(homes):
        if n % 6 == 5:
            continue  # not at home
        owner = online.get(home.pk)
        survey_respond(
            actor=owner or grid,
            survey=survey,
            home=home,
            level=LEVELS[n % len(LEVELS)],
            channel=ResponseChannel.ONLINE if owner else ResponseChannel.DOOR,
        )
        answered += 1
    survey = survey_end(actor=branch, survey=survey)
    say(f"  {answered}/{len(homes)} 户参与 / homes answered")

    say("公布测评结果 / The evaluation notice is published")
    notice = notice_draft(
        actor=branch, topic=topic, subject=f"{NoticeKind.EVALUATION}:{survey.uid}"
    )
    notice_publish(actor=branch, notice=notice, channels=_boards(cast))

    say("议题办结 / The topic closes")
    topic_advance(
        topic=topic,
        to=Stage.CLOSED,
        actor=community,
        evaluation="审计评估基本合格、问题已整改，满意度测评参与率与满意率达标，办结。",
    )
