"""The writes people make about notifications: their own choices and read marks, a place's
group robots and their test message, and sending a failed message again. A refusal changes
nothing and leaves no audit event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from qinlin.core.masking import mask_secret, mask_url
from qinlin.core.models import AuditEvent
from qinlin.core.roles import Role
from qinlin.notify import backends
from qinlin.notify.delivery import deliver_due
from qinlin.notify.kinds import Channel, Kind
from qinlin.notify.models import Notification, Platform, Preferences, Robot, Status
from qinlin.notify.outbox import Compose, Message, notify_people
from qinlin.notify.services import (
    notification_resend,
    notifications_read,
    preferences_save,
    robot_save,
    robot_test,
)
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=5f1c9e2a-7d41-4b8e-9c0a-3e6f8d2b1a47"
SECRET = "SECd4c1f0e9b8a7f6e5d4c3b2a1"


# --- helpers shared with the view and API tests ---------------------------------------------


def grid_worker_of_b(places: dict[str, Place]) -> Person:
    """Bella: the grid worker of compound B, who has no business with compound A."""
    person = PersonFactory.create(name="白网格")
    RoleAssignment.objects.create(person=person, role=Role.GRID_WORKER, place=places["compound_b"])
    return person


def tell(person: Person, subject: str, *, link: str = "/me/", key: str = "") -> Notification:
    """One in-app message for `person`, written by the outbox as the events module does."""
    event_key = key or f"t:{subject}"
    notify_people(
        kind=Kind.APPEAL_STATUS,
        event_key=event_key,
        people=[person],
        compose=lambda: Message(subject, "正文", link),
    )
    return Notification.objects.get(event_key=event_key, person=person, channel=Channel.IN_APP)


def robot(actor: Person, place: Place, **changes: Any) -> Robot:
    fields: dict[str, Any] = {
        "actor": actor,
        "place": place,
        "name": "上河园网格工作群",
        "platform": Platform.WECOM,
        "url": WECOM,
        "secret": "",
        "kinds": [Kind.NEW_APPEAL, Kind.NOTICE_PUBLISHED],
        "language": "zh-hans",
        "active": True,
    }
    return robot_save(**(fields | changes))


def saying(message: Message) -> Compose:
    return lambda: message


def robot_rows(place: Place, n: int, *, prefix: str = "appeal") -> list[Notification]:
    """`n` new-appeal messages for the robots at or above `place`."""
    for i in range(n):
        message = Message(f"新诉求：路灯坏了{i}", "上河园", "/appeals/x/")
        notify_people(
            kind=Kind.NEW_APPEAL,
            event_key=f"{prefix}:{i}",
            people=[],
            compose=saying(message),
            place=place,
        )
    return list(Notification.objects.filter(channel=Channel.ROBOT).order_by("id"))


def fail(notification: Notification, status: Status = Status.FAILED) -> Notification:
    """What the worker leaves behind after the last retry (delivery.py), or after a crash."""
    Notification.objects.filter(pk=notification.pk).update(
        status=status, attempts=7, last_error="HTTP 502"
    )
    notification.refresh_from_db()
    return notification


@pytest.fixture
def bella(places: dict[str, Place]) -> Person:
    return grid_worker_of_b(places)


def queued_keys() -> list[str]:
    return [t.args_kwargs["args"][0] for t in DBTaskResult.objects.order_by("enqueued_at")]


# --- a person's choices ----------------------------------------------------------------------


def test_preferences_keep_only_what_differs_from_the_default(alice: Person) -> None:
    prefs = preferences_save(
        actor=alice,
        email=" alice@example.com ",
        channels={
            Kind.VOTE_OPENED: ["sms"],  # the default
            Kind.ANSWERED: [],  # default is e-mail: turned off
            Kind.NOTICE_PUBLISHED: ["email", "sms"],  # default is none
        },
        quiet_hours=False,
        digest=False,
    )
    assert prefs.email == "alice@example.com"
    assert prefs.channels == {"answered": [], "notice_published": ["email", "sms"]}
    assert prefs.quiet_hours is False
    event = AuditEvent.objects.get(verb="notify.preferences.saved")
    assert event.actor == alice
    assert "alice@example.com" not in str(event.data)


def test_a_kind_left_out_keeps_its_earlier_choice(alice: Person) -> None:
    preferences_save(
        actor=alice, email="", channels={Kind.TOPIC_STAGE: ["sms"]}, quiet_hours=True, digest=False
    )
    preferences_save(
        actor=alice,
        email="",
        channels={Kind.VOTE_CLOSED: ["sms"]},
        quiet_hours=True,
        digest=False,
    )
    assert Preferences.objects.get(person=alice).channels == {
        "topic_stage": ["sms"],
        "vote_closed": ["sms"],
    }
    preferences_save(
        actor=alice, email="", channels={Kind.TOPIC_STAGE: []}, quiet_hours=True, digest=False
    )
    assert Preferences.objects.get(person=alice).channels == {"vote_closed": ["sms"]}


@pytest.mark.parametrize(
    ("email", "channels", "code"),
    [
        ("alice@", {}, "bad_email"),
        ("not an address", {}, "bad_email"),
        ("a@example.com", {"lottery_won": ["sms"]}, "bad_kind"),
        ("a@example.com", {Kind.VOTE_OPENED: ["robot"]}, "bad_channel"),
        ("a@example.com", {Kind.VOTE_OPENED: ["in_app"]}, "bad_channel"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(
    alice: Person, email: str, channels: dict[str, list[str]], code: str
) -> None:
    preferences_save(
        actor=alice, email="old@example.com", channels={}, quiet_hours=True, digest=False
    )
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        preferences_save(
            actor=alice, email=email, channels=channels, quiet_hours=False, digest=True
        )
    assert refused.value.code == code
    prefs = Preferences.objects.get(person=alice)
    assert (prefs.email, prefs.channels, prefs.quiet_hours, prefs.digest) == (
        "old@example.com",
        {},
        True,
        False,
    )
    assert AuditEvent.objects.count() == events


def test_the_saved_choice_decides_the_channels_of_the_next_message(alice: Person) -> None:
    preferences_save(
        actor=alice,
        email="alice@example.com",
        channels={Kind.APPEAL_STATUS: ["email"]},
        quiet_hours=False,
        digest=False,
    )
    tell(alice, "您反映的“路灯坏了”：已受理")
    sent = Notification.objects.filter(person=alice).values_list("channel", "address")
    assert set(sent) == {(Channel.IN_APP, ""), (Channel.EMAIL, "alice@example.com")}


# --- read marks ------------------------------------------------------------------------------


def test_reading_one_leaves_the_others_unread(alice: Person) -> None:
    first, second = tell(alice, "一"), tell(alice, "二")
    assert notifications_read(actor=alice, uids=[first.uid]) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert notifications_read(actor=alice, uids=[first.uid]) == 0  # already read


def test_reading_all_marks_only_the_readers_own(alice: Person, bob: Person) -> None:
    tell(alice, "一")
    tell(alice, "二")
    theirs = tell(bob, "三")
    assert notifications_read(actor=alice) == 2
    assert not Notification.objects.filter(person=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_naming_someone_elses_message_marks_nothing(alice: Person, bob: Person) -> None:
    mine, theirs = tell(alice, "一"), tell(bob, "二")
    with pytest.raises(NotFoundError):
        notifications_read(actor=alice, uids=[mine.uid, theirs.uid])
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


# --- group robots ----------------------------------------------------------------------------


def test_grid_worker_connects_a_robot_and_the_log_keeps_no_key(
    dave: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"], secret=SECRET, platform=Platform.DINGTALK)
    assert saved.created_by == dave
    assert saved.kinds == ["new_appeal", "notice_published"]
    event = AuditEvent.objects.get(verb="notify.robot.created")
    assert event.place_path == places["compound_a"].path
    assert event.data["host"] == "qyapi.weixin.qq.com"
    assert event.data["secret"] is True
    assert SECRET not in str(event.data)
    assert "5f1c9e2a" not in str(event.data)


@pytest.mark.parametrize("who", ["alice", "carol", "oscar"])
def test_residents_and_building_heads_cannot_connect_robots(
    request: pytest.FixtureRequest, places: dict[str, Place], who: str
) -> None:
    person = request.getfixturevalue(who)
    with pytest.raises(ForbiddenError):
        robot(person, places["compound_a"])
    assert not Robot.objects.exists()


def test_staff_of_another_compound_cannot_connect_or_change_a_robot(
    dave: Person, bella: Person, places: dict[str, Place]
) -> None:
    with pytest.raises(ForbiddenError):
        robot(bella, places["compound_a"])
    theirs = robot(dave, places["compound_a"])
    with pytest.raises(ForbiddenError):
        robot(bella, places["compound_b"], robot=theirs, name="搬走")
    theirs.refresh_from_db()
    assert (theirs.place, theirs.name) == (places["compound_a"], "上河园网格工作群")


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"url": "https://evil.example/hook"}, "url_not_allowed", "url"),
        (
            {"url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"},
            "url_not_allowed",
            "url",
        ),
        ({"url": "https://qyapi.weixin.qq.com.evil.example/x"}, "url_not_allowed", "url"),
        ({"name": "  "}, "name_required", "name"),
        ({"platform": "wechat"}, "bad_platform", "platform"),
        ({"kinds": ["lottery_won"]}, "bad_kind", "kinds"),
        ({"kinds": [Kind.APPEAL_STATUS]}, "personal_kind", "kinds"),
        ({"kinds": [Kind.DIGEST]}, "personal_kind", "kinds"),
        ({"kinds": []}, "kinds_required", "kinds"),
        ({"language": "fr"}, "bad_language", "language"),
    ],
)
def test_a_bad_robot_is_refused_and_nothing_is_saved(
    dave: Person, places: dict[str, Place], changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        robot(dave, places["compound_a"], **changes)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Robot.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="notify.").exists()


def test_the_refused_address_message_says_which_addresses_are_allowed(
    dave: Person, places: dict[str, Place]
) -> None:
    with pytest.raises(DomainError) as refused:
        robot(dave, places["compound_a"], url="https://hooks.example.org/abc")
    for prefix in settings.QINLIN_ROBOT_URL_PREFIXES:
        assert prefix in str(refused.value)


def test_a_change_is_saved_and_audited(dave: Person, places: dict[str, Place]) -> None:
    saved = robot(dave, places["compound_a"], secret=SECRET)
    changed = robot(
        dave,
        places["building_a"],
        robot=saved,
        name="3号楼业主群",
        secret=saved.secret,
        kinds=[Kind.VOTE_OPENED, Kind.NOTICE_PUBLISHED],
        quiet_hours=False,
        active=False,
    )
    assert changed.pk == saved.pk
    changed.refresh_from_db()
    assert changed.place == places["building_a"]
    assert changed.kinds == ["vote_opened", "notice_published"]
    assert (changed.quiet_hours, changed.active, changed.secret) == (False, False, SECRET)
    assert AuditEvent.objects.filter(verb="notify.robot.changed").count() == 1


def test_a_test_message_waits_in_the_outbox_for_the_worker(
    dave: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"])
    message = robot_test(actor=dave, robot=saved)
    assert message.event_key.startswith("test:")
    assert (message.channel, message.robot, message.status) == (
        Channel.ROBOT,
        saved,
        Status.PENDING,
    )
    assert message.address == ""  # the URL, which holds the key, stays on the robot
    assert "上河园网格工作群" in message.subject
    assert queued_keys() == [message.event_key]
    assert AuditEvent.objects.get(verb="notify.robot.tested").data == {"notification": message.uid}


def test_the_worker_posts_the_test_message_to_the_group(
    dave: Person, places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    posted: list[tuple[str, dict[str, Any]]] = []

    def post_json(url: str, payload: dict[str, Any], *, headers: dict[str, str]) -> dict[str, Any]:
        posted.append((url, payload))
        return {"errcode": 0}

    monkeypatch.setattr(backends, "post_json", post_json)
    message = robot_test(actor=dave, robot=robot(dave, places["compound_a"]))
    assert deliver_due(message.event_key, now=timezone.now() + timedelta(seconds=1)) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    [(url, payload)] = posted
    assert url == WECOM
    assert "新诉求" in payload["text"]["content"]


def test_only_those_who_manage_the_robot_may_test_it(
    dave: Person, bella: Person, alice: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"])
    for person in (bella, alice):
        with pytest.raises(ForbiddenError):
            robot_test(actor=person, robot=saved)
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_robot_whose_address_is_no_longer_allowed_is_not_tested(
    dave: Person, places: dict[str, Place], settings: Any
) -> None:
    saved = robot(dave, places["compound_a"])
    settings.QINLIN_ROBOT_URL_PREFIXES = ["https://oapi.dingtalk.com/"]
    with pytest.raises(DomainError):
        robot_test(actor=dave, robot=saved)
    assert not Notification.objects.exists()


# --- sending again ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.FAILED, Status.IN_DOUBT])
def test_staff_send_a_failed_or_doubtful_group_message_again(
    dave: Person, places: dict[str, Place], status: Status
) -> None:
    robot(dave, places["compound_a"])
    [row] = robot_rows(places["building_a"], 1)
    fail(row, status)
    before = len(queued_keys())
    resent = notification_resend(actor=dave, notification=row)
    assert (resent.status, resent.attempts) == (Status.PENDING, 0)
    assert queued_keys()[before:] == [row.event_key]
    event = AuditEvent.objects.get(verb="notify.notification.resent")
    assert event.data["notification"] == row.uid
    assert event.data["status"] == status
    assert event.place_path == places["compound_a"].path


@pytest.mark.parametrize("status", [Status.SENT, Status.PENDING, Status.SENDING])
def test_a_message_that_did_not_fail_is_not_sent_again(
    dave: Person, places: dict[str, Place], status: Status
) -> None:
    robot(dave, places["compound_a"])
    [row] = robot_rows(places["compound_a"], 1)
    Notification.objects.filter(pk=row.pk).update(status=status)
    with pytest.raises(ConflictError):
        notification_resend(actor=dave, notification=row)
    row.refresh_from_db()
    assert row.status == status
    assert not AuditEvent.objects.filter(verb="notify.notification.resent").exists()


def test_staff_of_another_compound_cannot_send_a_groups_message_again(
    dave: Person, bella: Person, erin: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"])
    [row] = robot_rows(places["compound_a"], 1)
    fail(row)
    # The branch secretary connects robots but does not run the outbox.
    for person in (bella, erin):
        with pytest.raises(ForbiddenError):
            notification_resend(actor=person, notification=row)
    row.refresh_from_db()
    assert row.status == Status.FAILED


def test_a_residents_failed_email_is_sent_again_by_staff_where_they_live(
    alice: Person, dave: Person, bella: Person, frank: Person
) -> None:
    preferences_save(
        actor=alice,
        email="alice@example.com",
        channels={Kind.APPEAL_STATUS: ["email"]},
        quiet_hours=False,
        digest=False,
    )
    tell(alice, "您反映的“路灯坏了”：已受理")
    email = fail(Notification.objects.get(person=alice, channel=Channel.EMAIL))
    with pytest.raises(ForbiddenError):
        notification_resend(actor=bella, notification=email)
    assert notification_resend(actor=dave, notification=email).status == Status.PENDING
    fail(email)
    assert notification_resend(actor=frank, notification=email).status == Status.PENDING


# --- masking what the pages show -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=••••1a47"),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123",
            "https://oapi.dingtalk.com/robot/send?access_token=••••0123",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/2f3a7b1c-aaaa-bbbb-cccc-1234567890ab",
            "https://open.feishu.cn/open-apis/bot/v2/hook/••••90ab",
        ),
        ("http://127.0.0.1:8019/robot/shanghe", "http://127.0.0.1:8019/robot/••••"),
    ],
)
def test_a_robots_address_is_shown_without_its_key(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_a_short_secret_shows_none_of_itself() -> None:
    assert mask_secret("demo-secret") == "••••"
    assert mask_secret(SECRET) == "••••b2a1"
    assert mask_secret("") == ""
