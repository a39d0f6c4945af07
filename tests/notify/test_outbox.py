"""Writing the outbox: who gets which channel, when (quiet hours), which robots, and that an
event is written once, in the transaction of the change it tells about."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult, get_date_max

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.services import appeal_submit
from qinlin.notify.kinds import SPECS, Channel, Kind
from qinlin.notify.models import Notification, Preferences, Status
from qinlin.notify.outbox import Message, notify_people, quiet_until
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.factories import PersonFactory
from tests.notify.helpers import NOON, in_app, local, queued, robot, rows

pytestmark = pytest.mark.django_db

STAFF_KINDS = [k for k, spec in SPECS.items() if spec.staff and k != Kind.DIGEST]


def compose() -> Message:
    # A message already in the English catalogue, so the language of each row shows.
    return Message(gettext("【公示】%(title)s") % {"title": "停水通知"}, "明日停水", "/n/1/")


def write(kind: Kind, people: list[Person], *, now: datetime = NOON, key: str = "e1") -> int:
    return notify_people(kind=kind, event_key=key, people=people, compose=compose, now=now)


def channels(person: Person) -> set[str]:
    return {c for name, c in rows(person=person)}


# --- preferences and defaults ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_goes_in_app_and_on_its_default_channels(alice: Person, kind: Kind) -> None:
    Preferences.objects.create(person=alice, email="alice@example.org")
    write(kind, [alice])
    assert channels(alice) == {Channel.IN_APP, *SPECS[kind].channels}


def test_the_defaults_text_owners_about_votes_and_mail_answers(alice: Person) -> None:
    Preferences.objects.create(person=alice, email="alice@example.org")
    write(Kind.VOTE_OPENED, [alice], key="vote")
    write(Kind.ANSWERED, [alice], key="answer")
    write(Kind.TOPIC_STAGE, [alice], key="topic")
    assert rows("vote") == {("李爱丽", "in_app"), ("李爱丽", "sms")}
    assert rows("answer") == {("李爱丽", "in_app"), ("李爱丽", "email")}
    assert rows("topic") == {("李爱丽", "in_app")}


def test_in_app_is_delivered_by_being_written_and_the_rest_waits_for_the_worker(
    alice: Person,
) -> None:
    written = write(Kind.VOTE_OPENED, [alice])
    assert written == 2
    bell = Notification.objects.get(person=alice, channel=Channel.IN_APP)
    sms = Notification.objects.get(person=alice, channel=Channel.SMS)
    assert (bell.status, bell.sent_at) == (Status.SENT, NOON)
    assert (sms.status, sms.due_at, sms.address) == (Status.PENDING, NOON, alice.phone)
    assert sms.subject == "【公示】停水通知"
    assert len(queued("e1")) == 1


def test_a_person_s_choice_replaces_the_default_of_that_kind_only(alice: Person) -> None:
    Preferences.objects.create(
        person=alice, email="alice@example.org", channels={"vote_opened": ["email"]}
    )
    write(Kind.VOTE_OPENED, [alice], key="vote")
    write(Kind.ACTIVITY_CHANGED, [alice], key="activity")
    assert rows("vote") == {("李爱丽", "in_app"), ("李爱丽", "email")}
    assert rows("activity") == {("李爱丽", "in_app"), ("李爱丽", "sms")}


def test_choosing_no_channel_leaves_the_bell_alone(alice: Person) -> None:
    Preferences.objects.create(person=alice, channels={"vote_closing": []})
    write(Kind.VOTE_CLOSING, [alice])
    assert channels(alice) == {Channel.IN_APP}
    assert queued("e1") == []


def test_channels_without_an_address_are_skipped(places: dict[str, Place]) -> None:
    no_phone = PersonFactory.create(name="无手机", phone=None)
    no_email = PersonFactory.create(name="无邮箱")
    Preferences.objects.create(person=no_email, channels={"vote_opened": ["email", "sms"]})
    write(Kind.VOTE_OPENED, [no_phone, no_email])
    assert rows("e1") == {("无手机", "in_app"), ("无邮箱", "in_app"), ("无邮箱", "sms")}


def test_inactive_people_are_not_written_to(alice: Person) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert write(Kind.VOTE_OPENED, [alice]) == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_the_digest_choice_keeps_staff_kinds_off_the_external_channels(
    dave: Person, kind: Kind
) -> None:
    Preferences.objects.create(person=dave, email="dave@example.org", digest=True)
    write(kind, [dave])
    assert channels(dave) == {Channel.IN_APP}


def test_who_chose_the_digest_still_gets_the_digest_and_their_own_answers(dave: Person) -> None:
    Preferences.objects.create(person=dave, email="dave@example.org", digest=True)
    write(Kind.DIGEST, [dave], key="digest")
    write(Kind.ANSWERED, [dave], key="answer")
    assert rows("digest") == {("杜网格", "in_app"), ("杜网格", "email")}
    assert rows("answer") == {("杜网格", "in_app"), ("杜网格", "email")}


def test_each_person_reads_the_message_in_their_language(alice: Person, bob: Person) -> None:
    bob.language = "en"
    bob.save(update_fields=["language"])
    write(Kind.VOTE_OPENED, [alice, bob])
    subjects = {(str(n.person), n.channel, n.language): n.subject for n in _all()}
    assert subjects == {
        ("李爱丽", "in_app", "zh-hans"): "【公示】停水通知",
        ("李爱丽", "sms", "zh-hans"): "【公示】停水通知",
        ("王博", "in_app", "en"): "[Notice] 停水通知",
        ("王博", "sms", "en"): "[Notice] 停水通知",
    }


def _all() -> list[Notification]:
    return list(Notification.objects.select_related("person", "robot"))


# --- quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "until"),
    [
        (local(21, 59), None),
        (local(22, 0), local(7, day=3)),
        (local(23, 30), local(7, day=3)),
        (local(0, 30), local(7)),
        (local(6, 59), local(7)),
        (local(7, 0), None),
        (NOON, None),
    ],
)
def test_quiet_hours_run_from_ten_at_night_to_seven_in_shanghai(
    at: datetime, until: datetime | None
) -> None:
    assert quiet_until(at) == until


def test_a_text_written_at_night_waits_until_seven(alice: Person) -> None:
    write(Kind.VOTE_OPENED, [alice], now=local(23, 30))
    sms = Notification.objects.get(person=alice, channel=Channel.SMS)
    bell = Notification.objects.get(person=alice, channel=Channel.IN_APP)
    assert sms.due_at == local(7, day=3)
    assert (bell.status, bell.sent_at) == (Status.SENT, local(23, 30))
    [task] = queued("e1")
    assert task.run_after == local(7, day=3)


def test_an_urgent_text_goes_at_night(alice: Person) -> None:
    assert SPECS[Kind.VOTE_CLOSING].urgent
    write(Kind.VOTE_CLOSING, [alice], now=local(23, 30))
    assert Notification.objects.get(person=alice, channel=Channel.SMS).due_at == local(23, 30)
    [task] = queued("e1")
    assert task.run_after == get_date_max()  # no delay: ready at once


def test_who_turned_quiet_hours_off_gets_texts_at_night(alice: Person, bob: Person) -> None:
    Preferences.objects.create(person=alice, quiet_hours=False)
    write(Kind.VOTE_OPENED, [alice, bob], now=local(23, 30))
    due = {str(n.person): n.due_at for n in _all() if n.channel == Channel.SMS}
    assert due == {"李爱丽": local(23, 30), "王博": local(7, day=3)}
    assert {t.run_after for t in queued("e1")} == {get_date_max(), local(7, day=3)}


# --- robots ----------------------------------------------------------------------------------


def test_robots_at_or_above_the_place_that_post_the_kind_get_it(
    places: dict[str, Place],
) -> None:
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], name="上河园网格群")
    robot(
        places["subdistrict"],
        kinds=[Kind.NOTICE_PUBLISHED, Kind.NEW_APPEAL],
        name="Subdistrict desk",
        language="en",
        url="http://127.0.0.1:1/desk",
    )
    robot(places["compound_b"], kinds=[Kind.NEW_APPEAL], name="锦绣苑网格群")
    robot(places["compound_a"], kinds=[Kind.NOTICE_PUBLISHED], name="上河园业主群")
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], name="停用的群", active=False)
    robot(places["home_a2"], kinds=[Kind.NEW_APPEAL], name="楼下的群")
    notify_people(
        kind=Kind.NEW_APPEAL,
        event_key="e1",
        people=[],
        compose=compose,
        place=places["unit_a"],
        now=NOON,
    )
    # The URL (it holds the group's key) stays on the robot, not copied into each row.
    posted = {str(n.robot): (n.address, n.language, n.subject) for n in _all()}
    assert posted == {
        "上河园网格群": ("", "zh-hans", "【公示】停水通知"),
        "Subdistrict desk": ("", "en", "[Notice] 停水通知"),
    }
    assert all(n.channel == Channel.ROBOT and n.status == Status.PENDING for n in _all())


def test_without_a_place_no_robot_is_told(places: dict[str, Place], alice: Person) -> None:
    robot(places["compound_a"], kinds=[Kind.ANSWERED])
    write(Kind.ANSWERED, [alice])
    assert rows("e1") == {("李爱丽", "in_app")}


# --- once, and in the change's transaction ------------------------------------------------------


def test_writing_the_same_event_again_writes_nothing(alice: Person) -> None:
    assert write(Kind.VOTE_OPENED, [alice]) == 2
    assert write(Kind.VOTE_OPENED, [alice]) == 0
    assert Notification.objects.count() == 2
    assert len(queued("e1")) == 1


def test_an_event_written_again_with_one_more_person_writes_only_theirs(
    alice: Person, bob: Person
) -> None:
    write(Kind.VOTE_OPENED, [alice])
    assert write(Kind.VOTE_OPENED, [alice, bob]) == 2
    assert rows("e1") == {
        ("李爱丽", "in_app"),
        ("李爱丽", "sms"),
        ("王博", "in_app"),
        ("王博", "sms"),
    }


def test_the_database_refuses_a_second_message_for_the_same_event_and_recipient(
    alice: Person,
) -> None:
    write(Kind.VOTE_OPENED, [alice])
    first = Notification.objects.get(person=alice, channel=Channel.SMS)
    first.pk = None
    first.uid = "again"
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


class ChangeFailedError(Exception):
    pass


def _file_and_fail(alice: Person, place: Place) -> None:
    with transaction.atomic():
        appeal_submit(
            actor=alice,
            text="楼道灯坏了，晚上看不见。",
            category=Category.objects.get(code="property"),
            place=place,
            reporter=alice,
        )
        # Inside the change's transaction the messages and their task are there …
        assert Notification.objects.filter(robot__isnull=False).count() == 1
        assert DBTaskResult.objects.count() == 1
        raise ChangeFailedError


def test_the_messages_and_their_task_roll_back_with_the_change(
    places: dict[str, Place], alice: Person, dave: Person
) -> None:
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL])
    with pytest.raises(ChangeFailedError):
        _file_and_fail(alice, places["home_a"])
    # … and with it they are gone.
    assert not Appeal.objects.exists()
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_messages_and_their_task_commit_with_the_change(
    places: dict[str, Place], alice: Person, dave: Person
) -> None:
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL])
    appeal, _ = appeal_submit(
        actor=alice,
        text="楼道灯坏了，晚上看不见。",
        category=Category.objects.get(code="property"),
        place=places["home_a"],
        reporter=alice,
    )
    assert in_app(kind=Kind.NEW_APPEAL) == {"杜网格"}
    [posted] = Notification.objects.filter(robot__isnull=False)
    assert len(queued(posted.event_key)) == 1
    assert Appeal.objects.get() == appeal
