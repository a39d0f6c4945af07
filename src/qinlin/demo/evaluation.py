"""The demo's finished topic: 上河园 2号楼's stairwell lights, decided at a local deliberation
meeting, carried out, accepted, audited, surveyed door to door in most of the building's homes,
closed, and its results published; so that every evaluation page has something to show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qinlin.appeals.models import Category
from qinlin.core.roles import Role
from qinlin.demo.meetings import hands, held
from qinlin.demo.photos import photo
from qinlin.disclosure.models import Channel, ChannelKind, NoticeKind
from qinlin.disclosure.services import notice_draft, notice_publish
from qinlin.evaluation.models import Level
from qinlin.evaluation.services import (
    audit_add,
    feedback_answer,
    survey_end,
    survey_open,
    survey_respond,
)
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under
from qinlin.topics.meeting_services import Invitee, meeting_record_minutes
from qinlin.topics.models import Capacity, MeetingKind, Topic
from qinlin.topics.services import option_save, topic_advance, topic_create
from qinlin.topics.states import Stage
from qinlin.works.acceptance import work_accept
from qinlin.works.models import TaskStatus
from qinlin.works.services import task_create, task_report

# How the building answered, one level per home in order, repeating: mostly satisfied.
LEVELS = [Level.VERY, Level.SATISFIED, Level.VERY, Level.BASIC, Level.SATISFIED, Level.VERY]
COMMENTS = {7: "3单元二楼的灯有时不亮。", 19: "希望楼梯扶手也修一修。"}


LIGHTS = (236, 222, 160)


def load_evaluation(people: dict[Role, Person], shanghe: Place) -> Topic:
    grid, branch = people[Role.GRID_WORKER], people[Role.BRANCH_SECRETARY]
    community, property_staff = people[Role.COMMUNITY_STAFF], people[Role.PROPERTY_STAFF]
    building = shanghe.children.get(kind=PlaceKind.BUILDING, name="2号楼")
    topic = topic_create(
        actor=grid,
        title="2号楼楼道灯改为声控灯",
        description="2号楼楼道灯常亮费电，部分损坏，老人夜里上下楼看不清。",
        category=Category.objects.get(code="property"),
        place=building,
    )
    topic = topic_advance(topic=topic, to=Stage.LOCAL, actor=grid)
    lights = option_save(
        actor=branch,
        topic=topic,
        title="更换为声控 LED 灯，物业出资",
        estimated_cost=Decimal("2400"),
        funding="物业补贴",
    )
    meeting = held(
        branch,
        topic,
        kind=MeetingKind.LOCAL,
        title="2号楼楼道灯先行商议会",
        absent=0,
        invited=[
            Invitee(Capacity.PROPERTY_COMPANY, property_staff),
            Invitee(Capacity.RESIDENT_REP, people[Role.RESIDENT_REP]),
            Invitee(Capacity.RESIDENT_REP, people[Role.BACKBONE]),
        ],
    )
    minutes = "楼栋居民代表与物业商议，物业同意出资更换声控灯。"
    meeting_record_minutes(actor=branch, meeting=meeting, minutes=minutes)
    hands(branch, meeting, lights, 3, 0)
    topic = topic_advance(
        topic=topic,
        to=Stage.DECIDED,
        actor=branch,
        option=lights,
        notice_draft="经楼头会商议，物业出资将2号楼楼道灯更换为声控 LED 灯。",
    )
    topic = topic_advance(
        topic=topic, to=Stage.EXECUTING, actor=branch, responsible=[property_staff]
    )
    task = task_create(
        actor=branch,
        topic=topic,
        title="更换 2号楼 36 盏楼道灯",
        responsible=property_staff,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    task_report(
        actor=property_staff,
        task=task,
        text="36 盏声控灯已全部更换。",
        status=TaskStatus.DONE,
        photos=[("lights.jpg", photo("lights.jpg", LIGHTS))],
    )
    work_accept(
        actor=branch,
        topic=topic,
        held_on=timezone.localdate(),
        participants="业委会 周德明、居民代表 罗凤英、物业 孙立新",
        opinion="声控灵敏，亮度合适，36 盏全部正常。",
        passed=True,
        photos=[("lights.jpg", photo("lights.jpg", LIGHTS))],
    )
    audit = audit_add(
        actor=community,
        topic=topic,
        held_on=timezone.localdate(),
        panel="党员代表 宋淑珍、居民代表 罗凤英、第三方机构 吴海燕",
        findings="工程按方案完成，费用由物业承担，与公示一致。",
        verdict="with_issues",
        problems=["3单元二楼声控灯感应不灵敏"],
    )
    survey = survey_open(
        actor=branch,
        topic=topic,
        scope=building,
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=60,
    )
    homes = list(homes_under(building).order_by("path"))
    # Most homes answer, door to door; one in six is not at home.
    for n, home in enumerate(homes):
        if n % 6 == 5:
            continue
        level = Level.UNSATISFIED if n in COMMENTS else LEVELS[n % len(LEVELS)]
        survey_respond(
            actor=grid,
            survey=survey,
            home=home,
            level=level,
            comment=COMMENTS.get(n, ""),
            channel="door",
        )
    survey_end(actor=branch, survey=survey)
    for item in audit.feedback.all():
        feedback_answer(
            actor=property_staff, item=item, answer="已更换感应器，复查正常。", resolved=True
        )
    topic_advance(
        topic=topic,
        to=Stage.CLOSED,
        actor=community,
        evaluation="审计评估基本合格，满意度测评参与率与满意率达标，办结。",
    )
    notice = notice_draft(
        actor=branch, topic=topic, subject=f"{NoticeKind.EVALUATION}:{survey.uid}"
    )
    boards = Channel.objects.filter(
        place__in=[shanghe, building],
        kind__in=(ChannelKind.COMPOUND_BOARD, ChannelKind.BUILDING_BOARD),
    )
    notice_publish(actor=branch, notice=notice, channels=list(boards))
    return topic
