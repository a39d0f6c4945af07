"""What falls due with time: reminders before a vote closes and before an activity, overdue
tasks and requests, the morning digest; each written once however often the clock ticks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_submit
from qinlin.core.roles import Role
from qinlin.disclosure.models import DisclosureRequest
from qinlin.disclosure.services import request_assign, request_file, request_refuse
from qinlin.notify.clock import (
    activities_tomorrow,
    requests_overdue,
    tasks_overdue,
    tick,
    votes_closing,
)
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Notification, Preferences
from qinlin.organisations.activities import activity_cancel, register
from qinlin.organisations.models import Activity
from qinlin.people.models import Person, Residency, ResidencyStatus, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.votes.models import Vote
from qinlin.votes.services import ballot_cast, vote_open
from qinlin.works.models import Task, TaskStatus
from qinlin.works.services import task_create
from tests.factories import PersonFactory, PlaceFactory, resident_of
from tests.notify.helpers import SHANGHAI, rows
from tests.organisations.helpers import clinic
from tests.votes.helpers import voting_topic
from tests.works.helpers import decided

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


# --- a vote about to close -------------------------------------------------------------------


@pytest.fixture
def closing_vote(
    places: dict[str, Place], alice: Person, carol: Person, frank: Person
) -> tuple[Vote, dict[str, Person]]:
    """A vote of unit 3-2 closing in 10 hours. alice's 101 has not voted; 102 has; 王两套
    owns 102 and a 103 that has not; a tenant of 101 is no owner."""
    home_103 = PlaceFactory.create(
        kind=PlaceKind.HOME, name="103", parent=places["unit_a"], area=Decimal("60.00")
    )
    neighbour = resident_of(places["home_a2"], name="邻居老周")
    two_homes = resident_of(places["home_a2"], name="王两套")
    Residency.objects.create(
        person=two_homes,
        home=home_103,
        relation="owner",
        status=ResidencyStatus.CONFIRMED,
        via="staff",
    )
    tenant = resident_of(places["home_a"], relation="tenant", name="租户小张")
    topic = voting_topic(frank, places)
    vote = vote_open(
        actor=frank,
        topic=topic,
        items=dict.fromkeys(topic.options.all(), 5),
        scope=places["unit_a"],
        closes_at=timezone.now() + timedelta(hours=10),
    )
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a2"],
        choices={"A": "agree", "B": "abstain"},
        channel="door",
    )
    return vote, {"neighbour": neighbour, "two_homes": two_homes, "tenant": tenant}


def test_a_vote_closing_within_a_day_reminds_owners_whose_homes_have_not_voted(
    closing_vote: tuple[Vote, dict[str, Person]],
) -> None:
    assert votes_closing(timezone.now()) == 4
    assert rows(kind=Kind.VOTE_CLOSING) == {
        ("李爱丽", "in_app"),
        ("李爱丽", "sms"),
        ("王两套", "in_app"),  # 102 voted, 103 has not
        ("王两套", "sms"),
    }
    vote, _ = closing_vote
    [subject] = {n.subject for n in Notification.objects.filter(kind=Kind.VOTE_CLOSING)}
    assert subject == f"表决即将截止：{vote.topic.title}"


def test_the_closing_reminder_is_written_once(
    closing_vote: tuple[Vote, dict[str, Person]],
) -> None:
    now = timezone.now()
    assert votes_closing(now) == 4
    assert votes_closing(now + timedelta(minutes=1)) == 0
    assert votes_closing(now + timedelta(hours=5)) == 0
    assert Notification.objects.filter(kind=Kind.VOTE_CLOSING).count() == 4


def test_a_vote_closing_later_than_a_day_is_not_reminded_yet(
    closing_vote: tuple[Vote, dict[str, Person]],
) -> None:
    vote, _ = closing_vote
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() + timedelta(hours=30))
    now = timezone.now()
    assert votes_closing(now) == 0
    assert votes_closing(now + timedelta(hours=7)) == 4


# --- an activity tomorrow --------------------------------------------------------------------


def _activity_on(day: date, actor: Person, place: Place, title: str) -> Activity:
    return clinic(
        actor,
        place,
        capacity=1,
        title=title,
        starts_at=at(day, 9, 30),
        ends_at=at(day, 11, 30),
    )


def test_those_registered_for_an_activity_tomorrow_are_reminded(
    places: dict[str, Place], alice: Person, bob: Person, dave: Person
) -> None:
    now = timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    waiting = resident_of(places["home_a2"], name="候补的人")
    clinic_tomorrow = _activity_on(tomorrow, dave, places["compound_a"], "口腔义诊")
    register(actor=alice, activity=clinic_tomorrow)
    register(actor=waiting, activity=clinic_tomorrow)
    later = _activity_on(tomorrow + timedelta(days=1), dave, places["compound_a"], "书法课")
    register(actor=alice, activity=later)
    cancelled = _activity_on(tomorrow, dave, places["compound_a"], "电影放映")
    register(actor=waiting, activity=cancelled)
    activity_cancel(actor=dave, activity=cancelled, reason="下雨")

    assert activities_tomorrow(now) == 1
    assert rows(kind=Kind.ACTIVITY_TOMORROW) == {("李爱丽", "in_app")}
    [told] = Notification.objects.filter(kind=Kind.ACTIVITY_TOMORROW)
    assert told.subject == "明天的活动：口腔义诊"
    assert "上河园党群服务站" in told.body
    assert activities_tomorrow(now) == 0


# --- overdue tasks and requests -----------------------------------------------------------


def test_an_overdue_task_tells_its_responsible_and_the_grid_once(
    places: dict[str, Place], dave: Person, erin: Person, frank: Person
) -> None:
    Preferences.objects.create(person=dave, email="dave@example.org")
    worker = PersonFactory.create(name="物业老孙")
    topic = decided(dave, places)
    late = task_create(
        actor=dave, topic=topic, title="更换单元门", responsible=worker, due_on=today()
    )
    done = task_create(
        actor=dave, topic=topic, title="清理楼道", responsible=worker, due_on=today()
    )
    task_create(actor=dave, topic=topic, title="刷漆", responsible=worker, due_on=today())
    Task.objects.filter(pk__in=[late.pk, done.pk]).update(due_on=today() - timedelta(days=2))
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)

    now = timezone.now()
    assert tasks_overdue(now) == 4
    assert rows(kind=Kind.TASK_OVERDUE) == {
        ("物业老孙", "in_app"),
        ("杜网格", "in_app"),
        ("杜网格", "email"),
        ("郑书记", "in_app"),
    }
    assert {n.subject for n in Notification.objects.filter(kind=Kind.TASK_OVERDUE)} == {
        "任务逾期：更换单元门"
    }
    assert tasks_overdue(now) == 0


def test_an_overdue_request_tells_its_assignee_or_else_the_grid(
    places: dict[str, Place], alice: Person, dave: Person, erin: Person, frank: Person
) -> None:
    unassigned = request_file(actor=alice, place=places["compound_a"], text="请公开停车费收支")
    assigned = request_file(actor=alice, place=places["compound_a"], text="请公开绿化合同")
    request_assign(actor=frank, request=assigned, assignee=erin)
    refused = request_file(actor=alice, place=places["compound_a"], text="请公开物业合同")
    request_refuse(actor=frank, request=refused, reason="涉及商业秘密。")
    DisclosureRequest.objects.update(due_on=today() - timedelta(days=1))

    assert requests_overdue(timezone.now()) == 3
    told = {
        (n.event_key, str(n.person))
        for n in Notification.objects.filter(kind=Kind.REQUEST_OVERDUE).select_related("person")
    }
    assert told == {
        (f"request-overdue:{unassigned.uid}", "杜网格"),
        (f"request-overdue:{unassigned.uid}", "郑书记"),
        (f"request-overdue:{assigned.uid}", "郑书记"),
    }
    assert requests_overdue(timezone.now()) == 0


# --- the morning digest -----------------------------------------------------------------------


@pytest.fixture
def digest_readers(places: dict[str, Place], dave: Person, erin: Person) -> dict[str, Person]:
    """dave chose the digest; erin did not; the grid worker of 锦绣苑 chose it too, and
    nothing happens in her grid."""
    quiet_grid = PersonFactory.create(name="锦绣苑网格员")
    RoleAssignment.objects.create(
        person=quiet_grid, role=Role.GRID_WORKER, place=places["compound_b"]
    )
    Preferences.objects.create(person=dave, email="dave@example.org", digest=True)
    Preferences.objects.create(person=erin, email="erin@example.org")
    Preferences.objects.create(person=quiet_grid, email="b@example.org", digest=True)
    return {"quiet_grid": quiet_grid}


def _an_appeal(places: dict[str, Place], alice: Person) -> None:
    appeal_submit(
        actor=alice,
        text="楼道灯坏了，晚上看不见。",
        category=Category.objects.get(code="property"),
        place=places["home_a"],
        reporter=alice,
    )


def test_the_digest_is_written_at_eight_for_who_chose_it_and_has_something(
    places: dict[str, Place], alice: Person, digest_readers: dict[str, Person]
) -> None:
    _an_appeal(places, alice)
    day = today()
    assert tick(at(day, 7, 59)).written == 0
    assert not Notification.objects.filter(kind=Kind.DIGEST).exists()
    assert tick(at(day, 8, 0)).written == 2
    assert rows(kind=Kind.DIGEST) == {("杜网格", "in_app"), ("杜网格", "email")}
    [digest] = Notification.objects.filter(kind=Kind.DIGEST, channel="email")
    assert digest.subject == "今日工作摘要"
    assert digest.body.splitlines()[0] == "新诉求 1 件"
    assert digest.address == "dave@example.org"


def test_the_digest_is_written_once_a_day(
    places: dict[str, Place], alice: Person, digest_readers: dict[str, Person]
) -> None:
    _an_appeal(places, alice)
    day = today()
    assert tick(at(day, 8, 0)).written == 2
    assert tick(at(day, 8, 1)).written == 0
    assert tick(at(day, 17, 0)).written == 0
    # Two mornings later the appeal is no longer new and there is nothing else: no digest.
    assert tick(at(day + timedelta(days=2), 8, 0)).written == 0
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 2


# --- every reminder at once, and the next tick -------------------------------------------------


@pytest.mark.usefixtures("closing_vote", "digest_readers")
def test_a_second_tick_writes_nothing(
    places: dict[str, Place], alice: Person, dave: Person, settings: Any
) -> None:
    settings.QINLIN_DIGEST_HOUR = 0  # whatever the hour the test runs at
    tomorrow = today() + timedelta(days=1)
    register(actor=alice, activity=_activity_on(tomorrow, dave, places["compound_a"], "义诊"))
    topic = decided(dave, places)
    task = task_create(actor=dave, topic=topic, title="换门", responsible=dave, due_on=today())
    Task.objects.filter(pk=task.pk).update(due_on=today() - timedelta(days=1))
    request = request_file(actor=alice, place=places["compound_a"], text="请公开停车费")
    DisclosureRequest.objects.filter(pk=request.pk).update(due_on=today() - timedelta(days=1))

    first = tick()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        Kind.VOTE_CLOSING,
        Kind.ACTIVITY_TOMORROW,
        Kind.TASK_OVERDUE,
        Kind.REQUEST_OVERDUE,
        Kind.DIGEST,
    } <= kinds
    count = Notification.objects.count()
    assert first.written > 0
    second = tick()
    assert (second.written, second.requeued, second.in_doubt) == (0, 0, 0)
    assert Notification.objects.count() == count
