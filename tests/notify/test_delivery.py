"""Delivery: each backend as the receiving side sees it, retries on the backoff schedule,
what is refused, and the rule that a failing backend never touches the change behind it."""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils.translation import gettext

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.services import appeal_submit
from qinlin.notify import backends, delivery
from qinlin.notify.backends import DeliveryError, robot_url_allowed
from qinlin.notify.delivery import BACKOFF_MINUTES, backoff, deliver_due, recover, resend
from qinlin.notify.kinds import Channel, Kind
from qinlin.notify.models import Notification, Platform, Preferences, Status
from qinlin.notify.outbox import Message, notify_people
from qinlin.notify.sink import Sink, running
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.notify.helpers import NOON, dead_url, queued, robot

pytestmark = pytest.mark.django_db

TEXT = "【公示】停水通知\n明日停水\nhttps://qinlin.example.org/n/1/"


@dataclass
class Hook:
    sink: Sink
    url: str


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.QINLIN_BASE_URL = "https://qinlin.example.org"


@pytest.fixture
def hook(settings: Any) -> Iterator[Hook]:
    """A chat group on the loopback that the robots may post to."""
    sink = Sink()
    with running(sink) as server:
        settings.QINLIN_ROBOT_URL_PREFIXES = [server.url]
        yield Hook(sink, server.url)


def compose() -> Message:
    return Message(gettext("【公示】%(title)s") % {"title": "停水通知"}, "明日停水", "/n/1/")


def write(
    kind: Kind, *, people: Sequence[Person] = (), place: Place | None = None, key: str = "e1"
) -> None:
    notify_people(kind=kind, event_key=key, people=people, compose=compose, place=place, now=NOON)


def one(**filters: object) -> Notification:
    return Notification.objects.exclude(channel=Channel.IN_APP).get(**filters)


# --- e-mail and SMS ------------------------------------------------------------------------------


def test_an_email_leaves_through_django_s_mail_backend_once(
    alice: Person, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    Preferences.objects.create(person=alice, email="alice@example.org")
    write(Kind.ANSWERED, people=[alice])
    assert deliver_due("e1", now=NOON) == 1
    assert deliver_due("e1", now=NOON) == 0
    [sent] = mailoutbox
    row = one(person=alice)
    assert sent.to == ["alice@example.org"]
    assert sent.subject == "【公示】停水通知"
    assert sent.body == TEXT
    assert sent.extra_headers["Message-ID"] == f"<{row.uid}@{settings.QINLIN_EMAIL_DOMAIN}>"
    assert (row.status, row.sent_at, row.attempts) == (Status.SENT, NOON, 1)


def test_an_sms_is_printed_by_the_console_backend(
    alice: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    write(Kind.VOTE_OPENED, people=[alice])
    assert deliver_due("e1", now=NOON) == 1
    printed = capsys.readouterr().out
    assert f"[SMS to {alice.phone}] 【亲邻议事】{TEXT}" in printed
    assert one(person=alice).status == Status.SENT


def test_an_sms_goes_to_the_http_gateway_as_documented(
    alice: Person, hook: Hook, settings: Any
) -> None:
    settings.QINLIN_SMS_BACKEND = "http"
    settings.QINLIN_SMS_URL = hook.url + "sms/send"
    settings.QINLIN_SMS_TOKEN = "gateway-token"
    write(Kind.VOTE_OPENED, people=[alice])
    assert deliver_due("e1", now=NOON) == 1
    [got] = hook.sink.messages()
    row = one(person=alice)
    assert got.path == "/sms/send"
    assert got.body == {"phone": alice.phone, "text": f"【亲邻议事】{TEXT}", "out_id": row.uid}
    assert got.headers["authorization"] == "Bearer gateway-token"
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert row.status == Status.SENT


def test_an_sms_gateway_that_refuses_leaves_the_text_pending(
    alice: Person, hook: Hook, settings: Any
) -> None:
    settings.QINLIN_SMS_BACKEND = "http"
    settings.QINLIN_SMS_URL = hook.url + "sms/send"
    hook.sink.fail_first = 1
    write(Kind.VOTE_OPENED, people=[alice])
    assert deliver_due("e1", now=NOON) == 0
    row = one(person=alice)
    assert (row.status, row.last_error) == (Status.PENDING, "HTTP 500")


# --- robots --------------------------------------------------------------------------------------


def _robot_for(
    places: dict[str, Place], hook: Hook, platform: str, secret: str, path: str = "group"
) -> None:
    robot(
        places["compound_a"],
        kinds=[Kind.NEW_APPEAL],
        platform=platform,
        url=hook.url + path,
        secret=secret,
    )
    write(Kind.NEW_APPEAL, place=places["unit_a"])


def test_a_generic_webhook_post_carries_the_message_its_key_and_its_signature(
    places: dict[str, Place], hook: Hook
) -> None:
    hook.sink.secret = "s3cret"
    _robot_for(places, hook, Platform.WEBHOOK, "s3cret")
    assert deliver_due("e1", now=NOON) == 1
    [got] = hook.sink.messages("webhook")
    row = one()
    assert got.key == row.uid
    assert got.body == {
        "id": row.uid,
        "event": "e1",
        "kind": "new_appeal",
        "subject": "【公示】停水通知",
        "body": "明日停水",
        "link": "https://qinlin.example.org/n/1/",
        "text": TEXT,
    }
    assert got.headers["x-qinlin-signature"].startswith("sha256=")
    assert got.line() == "[群机器人] 【公示】停水通知 · 明日停水 · https://qinlin.example.org/n/1/"


def test_a_wecom_robot_posts_a_text_message(places: dict[str, Place], hook: Hook) -> None:
    _robot_for(places, hook, Platform.WECOM, "", path="cgi-bin/webhook/send?key=k1")
    assert deliver_due("e1", now=NOON) == 1
    [got] = hook.sink.messages()
    assert (got.platform, got.query) == ("wecom", {"key": "k1"})
    assert got.body == {"msgtype": "text", "text": {"content": TEXT}}


def test_a_dingtalk_robot_signs_its_address(places: dict[str, Place], hook: Hook) -> None:
    hook.sink.secret = "SECabc"
    _robot_for(places, hook, Platform.DINGTALK, "SECabc", path="robot/send?access_token=t1")
    assert deliver_due("e1", now=NOON) == 1
    [got] = hook.sink.messages()
    assert got.platform == "dingtalk"
    assert got.body == {"msgtype": "text", "text": {"content": TEXT}}
    assert set(got.query) == {"access_token", "timestamp", "sign"}
    assert len(got.query["timestamp"]) == 13  # milliseconds


def test_a_feishu_robot_signs_its_body(places: dict[str, Place], hook: Hook) -> None:
    hook.sink.secret = "fs-secret"
    _robot_for(places, hook, Platform.FEISHU, "fs-secret")
    assert deliver_due("e1", now=NOON) == 1
    [got] = hook.sink.messages()
    assert got.platform == "feishu"
    assert got.body["msg_type"] == "text"
    assert got.body["content"] == {"text": TEXT}
    assert len(got.body["timestamp"]) == 10  # seconds
    assert got.body["sign"]


@pytest.mark.parametrize("platform", [Platform.WEBHOOK, Platform.DINGTALK, Platform.FEISHU])
def test_a_post_signed_with_another_secret_is_refused_by_the_receiver(
    places: dict[str, Place], hook: Hook, platform: str
) -> None:
    hook.sink.secret = "the-group-s-secret"
    _robot_for(places, hook, platform, "a-stale-secret")
    assert deliver_due("e1", now=NOON) == 0
    row = one()
    assert (row.status, row.last_error) == (Status.PENDING, "HTTP 401")
    assert (hook.sink.count, hook.sink.refused) == (0, 1)


def test_a_platform_s_refusal_in_a_200_answer_is_a_failure(
    places: dict[str, Place], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}

    monkeypatch.setattr(hook.sink, "receive", refuse)
    _robot_for(places, hook, Platform.WECOM, "")
    assert deliver_due("e1", now=NOON) == 0
    assert one().last_error == "企业微信群机器人: 93000 invalid webhook url"


def test_a_robot_address_outside_the_allowed_prefixes_is_never_posted_to(
    places: dict[str, Place], hook: Hook, settings: Any
) -> None:
    _robot_for(places, hook, Platform.WEBHOOK, "")
    settings.QINLIN_ROBOT_URL_PREFIXES = ["https://qyapi.weixin.qq.com/"]
    assert deliver_due("e1", now=NOON) == 0
    assert "QINLIN_ROBOT_URL_PREFIXES" in one().last_error
    assert hook.sink.requests == 0


def test_a_look_alike_host_is_not_an_allowed_prefix(settings: Any) -> None:
    settings.QINLIN_ROBOT_URL_PREFIXES = ["https://qyapi.weixin.qq.com/"]
    assert robot_url_allowed("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    assert not robot_url_allowed("https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook")
    assert not robot_url_allowed("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")


# --- retries and backoff -------------------------------------------------------------------------


def test_the_backoff_grows_and_ends_after_six_waits() -> None:
    waits = [backoff(n) for n in range(1, 8)]
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 720)] + [None]


def test_a_webhook_that_fails_then_succeeds_is_accepted_exactly_once(
    places: dict[str, Place], hook: Hook
) -> None:
    hook.sink.fail_first = 2
    _robot_for(places, hook, Platform.WEBHOOK, "")
    assert deliver_due("e1", now=NOON) == 0
    row = one()
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 1, "HTTP 500")
    assert row.due_at == NOON + timedelta(minutes=1)
    assert {t.run_after for t in queued("e1")} >= {NOON + timedelta(minutes=1)}

    assert deliver_due("e1", now=NOON + timedelta(seconds=30)) == 0  # not due yet
    assert one().attempts == 1

    assert deliver_due("e1", now=NOON + timedelta(minutes=1)) == 0
    row = one()
    assert (row.attempts, row.due_at) == (2, NOON + timedelta(minutes=6))

    assert deliver_due("e1", now=NOON + timedelta(minutes=6)) == 1
    row = one()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert row.sent_at == NOON + timedelta(minutes=6)
    assert (hook.sink.requests, hook.sink.count) == (3, 1)


def test_a_message_fails_for_good_after_the_last_wait(places: dict[str, Place], hook: Hook) -> None:
    hook.sink.fail_first = 100
    _robot_for(places, hook, Platform.WEBHOOK, "")
    at: datetime = NOON
    waits = []
    for _attempt in range(len(BACKOFF_MINUTES) + 1):
        deliver_due("e1", now=at)
        row = one()
        waits.append(row.due_at - at)
        at = row.due_at
    assert waits[:-1] == [timedelta(minutes=m) for m in BACKOFF_MINUTES]
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 7, "HTTP 500")
    assert deliver_due("e1", now=at + timedelta(days=1)) == 0
    assert (hook.sink.requests, hook.sink.count) == (7, 0)


def test_a_backend_that_crashes_fails_its_message_and_not_the_others(
    places: dict[str, Place], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], url=hook.url, name="好的群")
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], url=hook.url, name="坏的群")
    write(Kind.NEW_APPEAL, place=places["unit_a"])
    real = backends.send

    def buggy(notification: Notification) -> None:
        if notification.robot is not None and notification.robot.name == "坏的群":
            raise KeyError("platform")
        real(notification)

    monkeypatch.setattr(delivery, "send", buggy)
    assert deliver_due("e1", now=NOON) == 1
    assert one(robot__name="好的群").status == Status.SENT
    broken = one(robot__name="坏的群")
    assert (broken.status, broken.last_error) == (Status.PENDING, "KeyError: 'platform'")


def test_a_message_another_worker_has_claimed_is_not_sent_again(
    places: dict[str, Place], hook: Hook
) -> None:
    _robot_for(places, hook, Platform.WECOM, "")
    Notification.objects.filter(channel=Channel.ROBOT).update(status=Status.SENDING)
    assert deliver_due("e1", now=NOON) == 0
    assert hook.sink.requests == 0


@pytest.mark.parametrize(
    ("platform", "status"), [(Platform.WECOM, Status.IN_DOUBT), (Platform.WEBHOOK, Status.PENDING)]
)
def test_a_post_left_without_an_answer_is_retried_only_where_repeats_are_dropped(
    places: dict[str, Place], hook: Hook, settings: Any, platform: str, status: str
) -> None:
    settings.QINLIN_NOTIFY_TIMEOUT = 0.2
    hook.sink.delay = 5  # released when the sink stops
    _robot_for(places, hook, platform, "")
    assert deliver_due("e1", now=NOON) == 0
    row = one()
    assert row.status == status
    assert "no answer" in row.last_error
    assert hook.sink.count == 1  # it did arrive


def test_a_webhook_retried_after_a_lost_answer_is_dropped_as_a_repeat(
    places: dict[str, Place], hook: Hook, settings: Any
) -> None:
    settings.QINLIN_NOTIFY_TIMEOUT = 0.2
    hook.sink.delay = 5
    _robot_for(places, hook, Platform.WEBHOOK, "")
    deliver_due("e1", now=NOON)
    hook.sink.delay = 0
    assert deliver_due("e1", now=NOON + timedelta(minutes=1)) == 1
    assert one().status == Status.SENT
    assert (hook.sink.count, hook.sink.duplicates) == (1, 1)


# --- recovery after a worker died, and a person's resend ----------------------------------------


def test_recovery_resends_where_repeats_are_dropped_and_sets_the_rest_aside(
    places: dict[str, Place], settings: Any
) -> None:
    settings.QINLIN_NOTIFY_LEASE_SECONDS = 60
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], name="webhook")
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], name="wecom", platform=Platform.WECOM)
    write(Kind.NEW_APPEAL, place=places["unit_a"])
    Notification.objects.update(status=Status.SENDING, claimed_at=NOON, attempts=1)
    before = len(queued("e1"))

    assert recover(now=NOON + timedelta(seconds=59)) == (0, 0, 0)  # still in a worker's hands
    assert recover(now=NOON + timedelta(seconds=61)) == (1, 1, 1)
    webhook, wecom = one(robot__name="webhook"), one(robot__name="wecom")
    assert (webhook.status, webhook.due_at) == (Status.PENDING, NOON + timedelta(seconds=61))
    assert wecom.status == Status.IN_DOUBT
    assert "是否重发由工作人员决定" in wecom.last_error
    assert len(queued("e1")) == before + 1


def test_recovery_queues_again_a_message_whose_task_was_lost(
    places: dict[str, Place], settings: Any
) -> None:
    settings.QINLIN_NOTIFY_LEASE_SECONDS = 60
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL])
    write(Kind.NEW_APPEAL, place=places["unit_a"])
    for task in queued("e1"):
        task.delete()
    assert recover(now=NOON + timedelta(seconds=30)) == (0, 0, 0)
    assert recover(now=NOON + timedelta(minutes=2)) == (0, 0, 1)
    assert len(queued("e1")) == 1


def test_a_person_may_send_a_doubtful_or_failed_message_again(
    places: dict[str, Place], hook: Hook
) -> None:
    _robot_for(places, hook, Platform.WECOM, "")
    Notification.objects.filter(channel=Channel.ROBOT).update(
        status=Status.IN_DOUBT, attempts=1, last_error="the worker stopped"
    )
    resend(one(), now=NOON)
    row = one()
    assert (row.status, row.attempts, row.due_at) == (Status.PENDING, 0, NOON)
    assert deliver_due("e1", now=NOON) == 1
    resend(one(), now=NOON)  # a sent message is not sent again
    assert one().status == Status.SENT
    assert hook.sink.count == 1


# --- the change itself is never touched -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_categories")
def test_a_dead_robot_never_undoes_the_appeal_it_tells_about(
    places: dict[str, Place], alice: Person, dave: Person, settings: Any
) -> None:
    url = dead_url()
    settings.QINLIN_ROBOT_URL_PREFIXES = [url]
    settings.QINLIN_QUIET_HOURS = (time(0), time(0))  # whatever the hour the test runs at
    robot(places["compound_a"], kinds=[Kind.NEW_APPEAL], url=url)
    appeal, _ = appeal_submit(
        actor=alice,
        text="楼道灯坏了，晚上看不见。",
        category=Category.objects.get(code="property"),
        place=places["home_a"],
        reporter=alice,
    )
    _run_worker_once()
    assert Appeal.objects.get(pk=appeal.pk).status == appeal.status
    posted = Notification.objects.get(channel=Channel.ROBOT)
    assert (posted.status, posted.attempts) == (Status.PENDING, 1)
    assert posted.last_error
    bell = Notification.objects.get(channel=Channel.IN_APP)
    assert (bell.person, bell.status) == (dave, Status.SENT)


def _run_worker_once() -> None:
    # The command installs its own SIGINT/SIGTERM handlers; the test run keeps pytest's.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("worker", "--once", stdout=io.StringIO())
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_delivery_errors_say_whether_the_message_may_have_arrived() -> None:
    assert not DeliveryError("HTTP 500").maybe_delivered
    assert DeliveryError("timed out", maybe_delivered=True).maybe_delivered
