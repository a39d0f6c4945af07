"""Building topics through the services, for the topic tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from qinlin.appeals.models import Category
from qinlin.evaluation.models import Survey
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.meeting_services import (
    Invitee,
    meeting_convene,
    meeting_record_minutes,
    participant_sign_in,
    resolution_record,
)
from qinlin.topics.models import Capacity, Meeting, MeetingKind, Option, Topic
from qinlin.topics.services import option_save, topic_create, topic_set_responsible
from qinlin.topics.states import Need, Stage
from qinlin.votes.rules import MeetingRule
from qinlin.works.models import Acceptance


def new_topic(actor: Person, place: Place, title: str = "更换3号楼2单元单元门") -> Topic:
    return topic_create(
        actor=actor,
        title=title,
        description="单元门坏了，关不上。",
        category=Category.objects.get(code="property"),
        place=place,
    )


def two_options(actor: Person, topic: Topic) -> list[Option]:
    return [
        option_save(
            actor=actor,
            topic=topic,
            title="公共维修基金支付",
            estimated_cost=Decimal("12000"),
            funding="公共维修基金",
        ),
        option_save(
            actor=actor,
            topic=topic,
            title="居民自筹 + 物业补贴",
            estimated_cost=Decimal("12000"),
            funding="居民自筹 + 物业补贴",
        ),
    ]


def held_meeting(
    actor: Person,
    topic: Topic,
    kind: str = MeetingKind.LOCAL,
    *,
    attend: int = 4,
    invite: int = 5,
    hands: Iterable[tuple[Option, int]] = (),
) -> Meeting:
    """A meeting with `invite` invited, `attend` signed in, minutes, and hands per option."""
    meeting = meeting_convene(
        actor=actor,
        kind=kind,
        title=f"{topic.title}{MeetingKind(kind).label}",
        place=topic.place,
        starts_at=timezone.now() - timedelta(hours=2),
        location="上河园党群服务站",
        topics=[topic],
        invitees=[Invitee(capacity=Capacity.RESIDENT_REP, name=f"代表{i}") for i in range(invite)],
    )
    for participant in list(meeting.participants.all())[:attend]:
        participant_sign_in(actor=actor, participant=participant)
    meeting_record_minutes(actor=actor, meeting=meeting, minutes="与会人员讨论了两个方案。")
    for option, agree in hands:
        resolution_record(
            actor=actor,
            meeting=meeting,
            option=option,
            rule=MeetingRule.MAJORITY_OF_ATTENDEES,
            agree=agree,
            disagree=attend - agree,
            abstain=0,
        )
    return meeting


TEXT_INPUTS = {
    Need.NOTE: "物业与业委会意见不一，提请社区党委审核。",
    Need.REASON: "属于个人家庭事务，不是公共事项。",
    Need.REFERRED_TO: "区12345热线",
    Need.FINDINGS: "经现场查看，单元门闭门器损坏、门禁失灵，属公共部位维修。",
    Need.TALLY: "入户征求意见：方案B获同意户数与面积均过半。",
    Need.NOTICE_DRAFT: "经协商表决，采用方案B，现予公示。",
    Need.EVALUATION: "满意度测评完成，满意率 100%。",
}


def satisfy(
    actor: Person, topic: Topic, needs: Iterable[Need], *, skip: Need | None = None
) -> dict[str, Any]:
    """Meet every need except `skip`; returns the inputs for `topic_advance`."""
    needs = [n for n in needs if n != skip]
    inputs: dict[str, Any] = {n.value: TEXT_INPUTS[n] for n in needs if n in TEXT_INPUTS}
    options = list(topic.options.all())
    if {Need.TWO_OPTIONS, Need.PASSED_RESOLUTION, Need.TALLY} & set(needs) and len(options) < 2:
        options = _with_options(actor, topic, options)
    kinds = {
        Need.HELD_MEETING: MeetingKind.LOCAL,
        Need.HELD_LOCAL_MEETING: MeetingKind.LOCAL,
        Need.HELD_CONSULTATION: MeetingKind.CONSULTATION,
    }
    for need, kind in kinds.items():
        if need in needs:
            hands = [(options[1], 4)] if Need.PASSED_RESOLUTION in needs else []
            held_meeting(actor, topic, kind, hands=hands)
    if Need.PASSED_RESOLUTION in needs and not any(n in kinds for n in needs):
        held_meeting(actor, topic, MeetingKind.DOOR, hands=[(options[1], 4)])
    if Need.PASSED_RESOLUTION in needs or Need.TALLY in needs:
        inputs["option"] = options[1]
    if Need.RESPONSIBLE in needs:
        topic_set_responsible(actor=actor, topic=topic, people=[actor])
    if Need.SURVEY_DONE in needs:
        # The record alone, ended with every home answering (evaluation.services is tested
        # on its own).
        Survey.objects.create(
            topic=topic,
            scope=topic.place,
            closes_on=timezone.localdate(),
            ended_at=timezone.now(),
            result={"enough": True},
            created_by=actor,
        )
    if Need.ACCEPTED_WORK in needs:
        # The record alone: works.acceptance.work_accept would also take the step itself.
        Acceptance.objects.create(
            topic=topic,
            held_on=timezone.localdate(),
            participants="业委会、物业、居民代表",
            opinion="单元门已更换，现场验收合格。",
            passed=True,
            recorded_by=actor,
        )
    return inputs


def _with_options(actor: Person, topic: Topic, options: list[Option]) -> list[Option]:
    """Options may only be added before a vote: add them while the topic is still open."""
    stage = topic.stage
    if stage not in (Stage.PROPOSED, Stage.LOCAL, Stage.REVIEW, Stage.CONSULTATION):
        Topic.objects.filter(pk=topic.pk).update(stage=Stage.LOCAL)
        topic.refresh_from_db()
    options = two_options(actor, topic)
    Topic.objects.filter(pk=topic.pk).update(stage=stage)
    topic.refresh_from_db()
    return options
