"""Which change tells whom: each event, made through its service, writes its messages to the
right people (in their language) and robots, and never to the person who made the change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.models import Channel as AppealChannel
from qinlin.appeals.services import appeal_accept, appeal_reject, appeal_submit
from qinlin.disclosure.services import (
    notice_publish,
    objection_answer,
    objection_file,
    request_answer_draft,
    request_file,
    request_refuse,
)
from qinlin.notify import events
from qinlin.notify.kinds import Channel, Kind
from qinlin.notify.models import Notification
from qinlin.organisations.activities import activity_cancel, cancel, register
from qinlin.people.models import Person, Residency, ResidencyStatus
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Stage, transition
from qinlin.votes.services import vote_close, vote_open
from tests.disclosure.helpers import boards, published
from tests.factories import resident_of
from tests.notify.helpers import in_app, robot, rows
from tests.organisations.helpers import clinic
from tests.topics.helpers import new_topic, satisfy
from tests.votes.helpers import voting_topic

pytestmark = pytest.mark.django_db


def english(person: Person) -> Person:
    person.language = "en"
    person.save(update_fields=["language"])
    return person


def languages(kind: Kind) -> dict[str, str]:
    return {
        str(n.person or n.robot): n.language
        for n in Notification.objects.filter(kind=kind).select_related("person", "robot")
    }


def subjects(kind: Kind, channel: Channel = Channel.IN_APP) -> dict[str, str]:
    return {
        str(n.person or n.robot): n.subject
        for n in Notification.objects.filter(kind=kind, channel=channel).select_related(
            "person", "robot"
        )
    }


@pytest.fixture
def tenant(places: dict[str, Place]) -> Person:
    """A tenant in 3-2-102, next door to alice: a resident, not an owner."""
    return resident_of(places["home_a2"], relation="tenant", name="租户小张")


@pytest.fixture
def frank_owns_next_door(frank: Person, places: dict[str, Place]) -> Person:
    """The community worker also owns 3-2-102: he lives where he works."""
    Residency.objects.create(
        person=frank,
        home=places["home_a2"],
        relation="owner",
        status=ResidencyStatus.CONFIRMED,
        via="staff",
    )
    return frank


def file_appeal(actor: Person, place: Place, **extra: Any) -> Appeal:
    appeal, _ = appeal_submit(
        actor=actor,
        text="楼道灯坏了，晚上看不见。",
        category=Category.objects.get(code="property"),
        place=place,
        **extra,
    )
    return appeal


# --- appeals ---------------------------------------------------------------------------------


def test_a_new_appeal_tells_the_nearest_grid_worker_and_the_grid_s_robot(
    places: dict[str, Place], alice: Person, dave: Person, frank: Person
) -> None:
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], name="上河园网格工作群")
    robot(places["compound_b"], kinds=[Kind.NEW_APPEAL], name="锦绣苑网格工作群")
    english(dave)
    file_appeal(alice, places["home_a"], reporter=alice)
    assert rows(kind=Kind.NEW_APPEAL) == {("杜网格", "in_app"), ("上河园网格工作群", "robot")}
    assert languages(Kind.NEW_APPEAL) == {"杜网格": "en", "上河园网格工作群": "zh-hans"}
    subject = subjects(Kind.NEW_APPEAL, Channel.ROBOT)["上河园网格工作群"]
    assert subject == "新诉求：楼道灯坏了，晚上看不见。"
    assert (
        subjects(Kind.NEW_APPEAL, Channel.IN_APP)["杜网格"]
        == "New appeal: 楼道灯坏了，晚上看不见。"
    )


def test_an_appeal_a_grid_worker_enters_tells_the_others_there_not_him(
    places: dict[str, Place], dave: Person, erin: Person
) -> None:
    file_appeal(
        dave,
        places["home_a"],
        channel=AppealChannel.PHONE,
        reporter_name="王女士",
    )
    assert in_app(kind=Kind.NEW_APPEAL) == {"郑书记"}


def test_accepting_an_appeal_into_a_topic_tells_its_reporter(
    places: dict[str, Place], alice: Person, dave: Person
) -> None:
    appeal = file_appeal(alice, places["home_a"], reporter=alice)
    topic = appeal_accept(actor=dave, appeals=[appeal], title="3号楼楼道灯维修")
    [told] = Notification.objects.filter(kind=Kind.APPEAL_STATUS)
    assert (told.person, told.channel) == (alice, Channel.IN_APP)
    assert told.subject == "您反映的“楼道灯坏了，晚上看不见。”已纳入议题"
    assert told.link == reverse("topics:topic-detail", args=[topic.uid])


def test_rejecting_an_appeal_tells_its_reporter_why(
    places: dict[str, Place], alice: Person, dave: Person
) -> None:
    english(alice)
    appeal = file_appeal(alice, places["home_a"], reporter=alice)
    appeal_reject(actor=dave, appeals=[appeal], reason="属于个人家庭事务。")
    [told] = Notification.objects.filter(kind=Kind.APPEAL_STATUS)
    assert (told.person, told.language, told.body) == (alice, "en", "属于个人家庭事务。")
    assert told.subject == "Your appeal “楼道灯坏了，晚上看不见。”: Rejected"


def test_an_appeal_its_reporter_enters_and_closes_tells_nobody(
    places: dict[str, Place], dave: Person, erin: Person
) -> None:
    appeal = file_appeal(dave, places["home_a"], reporter=dave, channel=AppealChannel.VISIT)
    appeal_reject(actor=dave, appeals=[appeal], reason="已当场解决。")
    assert not Notification.objects.filter(kind=Kind.APPEAL_STATUS).exists()


# --- topics and votes ------------------------------------------------------------------------


def test_a_topic_put_to_the_vote_tells_the_residents_under_its_place(
    places: dict[str, Place],
    alice: Person,
    bob: Person,
    tenant: Person,
    frank_owns_next_door: Person,
) -> None:
    topic = new_topic(frank_owns_next_door, places["unit_a"])
    # The deliberation before is the topics issue's; here it starts at the consultation.
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.CONSULTATION)
    topic.refresh_from_db()
    step = transition(Stage.CONSULTATION, Stage.VOTING)
    assert step is not None
    inputs = satisfy(frank_owns_next_door, topic, step.needs)
    topic_advance(topic=topic, to=Stage.VOTING, actor=frank_owns_next_door, **inputs)
    assert in_app(kind=Kind.TOPIC_STAGE) == {"李爱丽", "租户小张"}
    assert set(subjects(Kind.TOPIC_STAGE).values()) == {"议题“更换3号楼2单元单元门”进入表决"}


def test_a_decided_topic_tells_the_residents_which_option_was_taken(
    places: dict[str, Place], alice: Person, bob: Person, tenant: Person, frank: Person
) -> None:
    topic = voting_topic(frank, places)
    step = transition(Stage.VOTING, Stage.DECIDED)
    assert step is not None
    topic_advance(topic=topic, to=Stage.DECIDED, actor=frank, **satisfy(frank, topic, step.needs))
    assert in_app(kind=Kind.TOPIC_STAGE) == {"李爱丽", "租户小张"}
    bodies = {n.body for n in Notification.objects.filter(kind=Kind.TOPIC_STAGE)}
    assert bodies == {"决定采用方案：B. 居民自筹 + 物业补贴"}


def test_other_steps_of_a_topic_tell_the_residents_nothing(
    places: dict[str, Place], alice: Person, dave: Person
) -> None:
    topic = new_topic(dave, places["unit_a"])
    topic_advance(topic=topic, to=Stage.LOCAL, actor=dave)
    assert not Notification.objects.exists()


def _open_vote(actor: Person, places: dict[str, Place]) -> Any:
    topic = voting_topic(actor, places)
    return vote_open(
        actor=actor,
        topic=topic,
        items=dict.fromkeys(topic.options.all(), 5),
        scope=places["unit_a"],
        closes_at=timezone.now() + timedelta(days=7),
    )


def test_an_opened_vote_texts_the_owners_in_its_scope(
    places: dict[str, Place],
    alice: Person,
    bob: Person,
    tenant: Person,
    frank_owns_next_door: Person,
) -> None:
    english(alice)
    _open_vote(frank_owns_next_door, places)
    assert rows(kind=Kind.VOTE_OPENED) == {("李爱丽", "in_app"), ("李爱丽", "sms")}
    assert languages(Kind.VOTE_OPENED) == {"李爱丽": "en"}


def test_a_closed_vote_tells_the_owners_in_its_scope(
    places: dict[str, Place], alice: Person, bob: Person, tenant: Person, frank: Person
) -> None:
    vote = _open_vote(frank, places)
    vote_close(actor=frank, vote=vote)
    assert rows(kind=Kind.VOTE_CLOSED) == {("李爱丽", "in_app")}
    assert subjects(Kind.VOTE_CLOSED) == {"李爱丽": "业主表决结束：更换3号楼2单元单元门"}


# --- disclosure ----------------------------------------------------------------------------


def test_a_published_notice_tells_the_residents_under_its_place_in_their_language(
    places: dict[str, Place], alice: Person, bob: Person, tenant: Person, frank: Person
) -> None:
    english(tenant)
    robot(places["compound_a"], kinds=[Kind.NOTICE_PUBLISHED], name="上河园业主群")
    published(frank, places)
    assert subjects(Kind.NOTICE_PUBLISHED) == {
        "李爱丽": "【公示】停水通知",
        "租户小张": "[Notice] 停水通知",
    }
    assert rows(kind=Kind.NOTICE_PUBLISHED, channel=Channel.ROBOT) == {("上河园业主群", "robot")}


def test_a_notice_that_answers_a_request_tells_the_requester_it_is_answered(
    places: dict[str, Place], alice: Person, tenant: Person, frank: Person
) -> None:
    request = request_file(actor=alice, place=places["compound_a"], text="请公开维修基金的使用情况")
    notice = request_answer_draft(
        actor=frank, request=request, title="维修基金使用情况", body="2025年共支出12000元。"
    )
    notice_publish(actor=frank, notice=notice, channels=boards(frank, places))
    assert in_app(kind=Kind.ANSWERED) == {"李爱丽"}
    assert subjects(Kind.ANSWERED) == {"李爱丽": "您的公开申请已答复：维修基金使用情况"}
    assert in_app(kind=Kind.NOTICE_PUBLISHED) == {"租户小张"}


def test_an_answered_objection_tells_its_author(
    places: dict[str, Place], alice: Person, tenant: Person, frank: Person
) -> None:
    notice = published(frank, places)
    objection = objection_file(actor=alice, notice=notice, text="停水时间太长。")
    english(alice)
    objection_answer(actor=frank, objection=objection, answer="已调整为上午停水。")
    [told] = Notification.objects.filter(kind=Kind.ANSWERED)
    assert (told.person, told.language, told.body) == (alice, "en", "已调整为上午停水。")
    assert told.link == reverse("public:notice", args=[notice.uid])


def test_a_refused_request_tells_the_requester(
    places: dict[str, Place], alice: Person, frank: Person
) -> None:
    request = request_file(actor=alice, place=places["compound_a"], text="请公开物业合同")
    request_refuse(actor=frank, request=request, reason="涉及商业秘密。")
    [told] = Notification.objects.filter(kind=Kind.ANSWERED)
    assert (told.person, told.subject, told.body) == (
        alice,
        "您的公开申请未予公开",
        "涉及商业秘密。",
    )


# --- activities ---------------------------------------------------------------------------


def test_a_cancelled_activity_tells_those_registered_and_waiting(
    places: dict[str, Place], alice: Person, tenant: Person, dave: Person, bob: Person
) -> None:
    activity = clinic(dave, places["compound_a"], capacity=1)
    register(actor=alice, activity=activity)
    register(actor=tenant, activity=activity)  # waiting
    register(actor=dave, activity=activity)  # waiting, and cancels it himself
    activity_cancel(actor=dave, activity=activity, reason="医生临时有事。")
    assert rows(kind=Kind.ACTIVITY_CHANGED) == {
        ("李爱丽", "in_app"),
        ("李爱丽", "sms"),
        ("租户小张", "in_app"),
        ("租户小张", "sms"),
    }
    assert set(subjects(Kind.ACTIVITY_CHANGED).values()) == {"活动取消：口腔义诊"}


def test_who_moves_up_from_the_waiting_list_is_told(
    places: dict[str, Place], alice: Person, tenant: Person, dave: Person
) -> None:
    activity = clinic(dave, places["compound_a"], capacity=1)
    register(actor=alice, activity=activity)
    register(actor=tenant, activity=activity)
    cancel(actor=alice, activity=activity)
    assert in_app(kind=Kind.ACTIVITY_CHANGED) == {"租户小张"}
    assert subjects(Kind.ACTIVITY_CHANGED) == {"租户小张": "候补成功：口腔义诊"}


# --- a mistake in telling never undoes the change --------------------------------------------


def test_a_broken_handler_is_logged_and_the_appeal_still_stands(
    places: dict[str, Place],
    alice: Person,
    dave: Person,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(event: object) -> None:
        Notification.objects.create(event_key="half", kind=Kind.NEW_APPEAL, person=dave)
        raise RuntimeError("a bug")

    monkeypatch.setitem(events.HANDLERS, "appeals.appeal.submitted", broken)
    appeal = file_appeal(alice, places["home_a"], reporter=alice)
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert not Notification.objects.exists()  # what the handler wrote went with it
    [logged] = [r for r in caplog.records if r.name == "qinlin.notify.events"]
    assert "appeals.appeal.submitted" in logged.getMessage()
    caplog.clear()  # seen: the autouse guard of conftest.py would fail the test otherwise
