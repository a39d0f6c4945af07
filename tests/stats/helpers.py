"""A year of hand-built records in compounds A and B (2025), with records just outside it,
for the stats tests. Records are made directly with explicit timestamps: the services stamp
`now`, and the figures are about when things happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from qinlin.appeals.models import Appeal, AppealStatus, Category
from qinlin.disclosure.models import (
    Channel,
    ChannelKind,
    DisclosureRequest,
    Notice,
    NoticeKind,
    NoticeStatus,
    Origin,
    RequestStatus,
)
from qinlin.evaluation.models import (
    Campaign,
    CampaignResponse,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    ServiceDomain,
    Survey,
)
from qinlin.organisations.models import (
    Activity,
    ActivityKind,
    BranchKind,
    PartyBranch,
    PartyMembership,
    Registration,
    RegistrationStatus,
)
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Meeting, MeetingKind, MeetingStatus, Step, Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, BallotChannel, Vote
from tests.factories import PersonFactory

YEAR = 2025


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0, *, s: int = 0) -> datetime:
    """A local (Asia/Shanghai) time, aware."""
    return datetime(y, m, d, h, mi, s, tzinfo=timezone.get_default_timezone())


def appeal(
    place: Place,
    when: datetime,
    *,
    channel: str = "online",
    code: str = "property",
    topic: Topic | None = None,
) -> Appeal:
    return Appeal.objects.create(
        text="单元门坏了",
        category=Category.objects.get(code=code),
        place=place,
        reporter_name="张三",
        channel=channel,
        created_at=when,
        topic=topic,
        status=AppealStatus.ACCEPTED if topic else AppealStatus.NEW,
    )


def topic(
    place: Place,
    created: datetime,
    *,
    stage: str = Stage.LOCAL,
    code: str = "property",
    steps: dict[str, datetime] | None = None,
) -> Topic:
    made = Topic.objects.create(
        title=f"议题{created:%m%d}",
        category=Category.objects.get(code=code),
        place=place,
        stage=stage,
        created_at=created,
        stage_changed_at=created,
    )
    for target, when in (steps or {}).items():
        Step.objects.create(topic=made, at=when, verb=target, target=target)
    return made


def meeting(
    place: Place, when: datetime, *, kind: str = MeetingKind.CONSULTATION, held: bool = True
) -> Meeting:
    return Meeting.objects.create(
        kind=kind,
        title="议事会",
        place=place,
        starts_at=when,
        status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
        minutes="纪要" if held else "",
        held_at=when if held else None,
    )


@dataclass
class Year:
    """What `build` made: the people, and the topic decided and closed in compound A."""

    actor: Person
    resolved_a: Topic


def build(places: dict[str, Place], actor: Person) -> Year:
    a, b, com = places["compound_a"], places["compound_b"], places["community"]
    # Appeals: A 3 in the year (2 online, 1 phone; one at the first instant), B 2 (visit at
    # the last second); one either side of the year in A.
    appeal(a, at(YEAR, 1, 1, 0, 0))
    appeal(places["home_a"], at(YEAR, 3, 1), code="parking")
    appeal(places["building_a"], at(YEAR, 3, 2), channel="phone")
    appeal(b, at(YEAR, 6, 1), channel="visit")
    appeal(b, at(YEAR, 12, 31, 23, 59, s=59), channel="visit", code="environment")
    appeal(a, at(YEAR - 1, 12, 31, 23, 59, s=59))
    appeal(a, at(YEAR + 1, 1, 1, 0, 0))

    # Topics: one in A decided in March and closed in June, raised by an appeal of 10 January;
    # one in B closed at 23:30 on 31 December; one in A closed ten minutes into the next year.
    resolved_a = topic(
        places["unit_a"],
        at(YEAR, 1, 20),
        stage=Stage.CLOSED,
        steps={Stage.DECIDED: at(YEAR, 3, 1), Stage.CLOSED: at(YEAR, 6, 1)},
    )
    appeal(places["unit_a"], at(YEAR, 1, 10), topic=resolved_a)
    topic(
        b,
        at(YEAR, 2, 1),
        stage=Stage.CLOSED,
        code="environment",
        steps={Stage.DECIDED: at(YEAR, 2, 11), Stage.CLOSED: at(YEAR, 12, 31, 23, 30)},
    )
    topic(a, at(YEAR, 11, 1), stage=Stage.CLOSED, steps={Stage.CLOSED: at(YEAR + 1, 1, 1, 0, 10)})
    topic(a, at(YEAR - 1, 5, 1), stage=Stage.EXECUTING)

    # Meetings held: A consultation and local, B a building-door meeting; not counted: one
    # planned, one held the year before.
    meeting(a, at(YEAR, 5, 5))
    meeting(places["building_a"], at(YEAR, 5, 6), kind=MeetingKind.LOCAL)
    meeting(b, at(YEAR, 5, 7), kind=MeetingKind.DOOR)
    meeting(a, at(YEAR, 5, 8), held=False)
    meeting(a, at(YEAR - 1, 5, 8))

    # An owners' vote of A's unit (homes of 89.50 and 120.00 m²): home_a voted.
    vote = Vote.objects.create(
        topic=resolved_a,
        scope=places["unit_a"],
        opens_at=at(YEAR, 3, 20),
        closes_at=at(YEAR, 3, 30),
        closed_at=at(YEAR, 3, 30),
    )
    Ballot.objects.create(
        vote=vote,
        home=places["home_a"],
        choices={"A": "agree"},
        channel=BallotChannel.DOOR,
        entered_by=actor,
    )
    Vote.objects.create(
        topic=resolved_a,
        scope=places["unit_a"],
        opens_at=at(YEAR - 1, 3, 20),
        closes_at=at(YEAR - 1, 3, 30),
        closed_at=at(YEAR - 1, 3, 30),
    )

    # Channels: A's board from the year before, B's group new this year, A's old group retired.
    Channel.objects.create(
        place=a,
        kind=ChannelKind.COMPOUND_BOARD,
        name="公示栏",
        created_by=actor,
        created_at=at(YEAR - 1, 6, 1),
    )
    Channel.objects.create(
        place=b,
        kind=ChannelKind.OWNERS_GROUP,
        name="业主群",
        created_by=actor,
        created_at=at(YEAR, 2, 1),
    )
    Channel.objects.create(
        place=a,
        kind=ChannelKind.OWNERS_GROUP,
        name="旧群",
        active=False,
        created_by=actor,
        created_at=at(YEAR - 1, 2, 1),
    )

    # Notices: A proactive and one withdrawn later (published all the same), B on request;
    # a draft is not a publication.
    def notice(
        place: Place,
        when: datetime | None,
        origin: str = Origin.PROACTIVE,
        state: str = NoticeStatus.PUBLISHED,
    ) -> Notice:
        return Notice.objects.create(
            place=place,
            kind=NoticeKind.OTHER,
            origin=origin,
            title="公示",
            body="内容",
            state=state,
            published_at=when,
            created_by=actor,
            period_ends=when.date() if when else None,
            withdrawn_reason="有误" if state == NoticeStatus.WITHDRAWN else "",
        )

    notice(a, at(YEAR, 3, 10))
    notice(a, at(YEAR, 5, 1), state=NoticeStatus.WITHDRAWN)
    answer = notice(b, at(YEAR, 4, 10), origin=Origin.ON_REQUEST)
    notice(a, None, state=NoticeStatus.DRAFT)

    # Requests: B's answered early, A's refused two days late, A's still open.
    DisclosureRequest.objects.create(
        place=b,
        requester=actor,
        text="公开维修基金账目",
        at=at(YEAR, 4, 1),
        due_on=date(YEAR, 4, 15),
        status=RequestStatus.ANSWERED,
        notice=answer,
        closed_at=at(YEAR, 4, 10),
    )
    DisclosureRequest.objects.create(
        place=a,
        requester=actor,
        text="公开合同",
        at=at(YEAR, 4, 20),
        due_on=date(YEAR, 5, 1),
        status=RequestStatus.REFUSED,
        refusal_reason="涉及隐私",
        closed_at=at(YEAR, 5, 3),
    )
    DisclosureRequest.objects.create(
        place=a, requester=actor, text="公开电费", at=at(YEAR, 6, 1), due_on=date(YEAR, 6, 15)
    )

    # Surveys ended in the year: A's unit 2 of 2 satisfied; B's unit 0 of 1.
    def survey(scope: Place, when: datetime, homes: int, responses: int, satisfied: int) -> None:
        Survey.objects.create(
            topic=resolved_a,
            scope=scope,
            opens_at=when,
            closes_on=when.date(),
            ended_at=when,
            created_by=actor,
            result={"homes": homes, "responses": responses, "satisfied": satisfied},
        )

    survey(places["unit_a"], at(YEAR, 5, 20), 2, 2, 2)
    survey(places["unit_b"], at(YEAR, 7, 1), 1, 1, 0)
    survey(places["unit_a"], at(YEAR - 1, 7, 1), 2, 2, 0)

    # A third-party campaign of the community, with two answers; an unpublished one.
    campaign = Campaign.objects.create(
        title="居家养老服务满意度",
        domain=ServiceDomain.ELDERLY_CARE,
        place=com,
        organiser="某评估中心",
        starts_on=date(YEAR, 9, 1),
        ends_on=date(YEAR, 9, 30),
        published_at=at(YEAR, 8, 30),
        created_by=actor,
    )
    for _n in range(2):
        CampaignResponse.objects.create(campaign=campaign, recorded_by=actor)
    Campaign.objects.create(
        title="草稿",
        domain=ServiceDomain.CULTURE,
        place=com,
        organiser="某中心",
        starts_on=date(YEAR, 9, 1),
        ends_on=date(YEAR, 9, 30),
        created_by=actor,
    )

    # Feedback: A two items (one resolved), B one handed on as an appeal.
    FeedbackItem.objects.create(
        place=a, source=FeedbackSource.AUDIT, text="门锁松动", created_at=at(YEAR, 6, 2)
    )
    FeedbackItem.objects.create(
        place=a,
        source=FeedbackSource.AUDIT,
        text="闭门器漏油",
        created_at=at(YEAR, 6, 3),
        status=FeedbackStatus.RESOLVED,
        answer="已更换",
        closed_at=at(YEAR, 6, 10),
    )
    FeedbackItem.objects.create(
        place=b,
        source=FeedbackSource.SURVEY,
        text="路灯不亮",
        created_at=at(YEAR, 7, 2),
        status=FeedbackStatus.APPEAL,
        appeal=Appeal.objects.filter(place=b).first(),
    )

    # Branches: a single one for A (two members), a joint one covering B (one member).
    single = PartyBranch.objects.create(name="上河园党支部", community=com, kind=BranchKind.SINGLE)
    single.compounds.add(a)
    joint = PartyBranch.objects.create(name="联合党支部", community=com, kind=BranchKind.JOINT)
    joint.compounds.add(b)
    for branch, n in ((single, 2), (joint, 1)):
        for _n in range(n):
            PartyMembership.objects.create(branch=branch, person=PersonFactory.create())

    # Activities: A's with two of three registrations attended, a cancelled one; B's with one.
    def activity(place: Place, when: datetime, cancelled: bool = False) -> Activity:
        return Activity.objects.create(
            title="义诊",
            kind=ActivityKind.CLINIC,
            organiser="社区",
            place=place,
            location="广场",
            starts_at=when,
            ends_at=when.replace(hour=17),
            capacity=30,
            created_by=actor,
            cancelled_at=when if cancelled else None,
        )

    def register(act: Activity, attended: bool) -> None:
        Registration.objects.create(
            activity=act,
            person=PersonFactory.create(),
            status=RegistrationStatus.REGISTERED,
            attended_at=act.starts_at if attended else None,
        )

    clinic = activity(a, at(YEAR, 5, 1, 9))
    for attended in (True, True, False):
        register(clinic, attended)
    register(activity(a, at(YEAR, 5, 2, 9), cancelled=True), True)
    register(activity(places["building_b"], at(YEAR, 6, 1, 9)), True)
    return Year(actor=actor, resolved_a=resolved_a)
