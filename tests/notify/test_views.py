"""The notification pages as people use them: the bell and the centre for everyone, their
choices, and for staff the group robots of their places and what those robots were sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinlin.core.models import AuditEvent
from qinlin.notify.kinds import Channel, Kind
from qinlin.notify.models import Notification, Platform, Preferences, Robot, Status
from qinlin.notify.services import preferences_save
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.notify.test_services import (
    SECRET,
    WECOM,
    fail,
    grid_worker_of_b,
    queued_keys,
    robot,
    robot_rows,
    tell,
)

pytestmark = pytest.mark.django_db

CENTRE = reverse("notify:notification-list")
READ_ALL = reverse("notify:notification-read-all")
PREFERENCES = reverse("notify:preferences")
ROBOTS = reverse("notify:robot-list")
OUTBOX = reverse("notify:outbox")


@pytest.fixture
def bella(places: dict[str, Place]) -> Person:
    return grid_worker_of_b(places)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def robot_post(place: Place, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "place": place.uid,
        "name": "上河园网格工作群",
        "platform": Platform.WECOM,
        "url": WECOM,
        "secret": "",
        "kinds": [Kind.NEW_APPEAL, Kind.NOTICE_PUBLISHED],
        "language": "zh-hans",
        "quiet_hours": "on",
        "active": "on",
    }
    return data | changes


# --- anonymous visitors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [CENTRE, PREFERENCES, ROBOTS, OUTBOX, reverse("notify:notification-open", args=["abc"])],
)
def test_anonymous_visitors_are_sent_to_log_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_anonymous_visitors_see_no_bell(client: Client, places: dict[str, Place]) -> None:
    assert 'class="bell' not in page(client, "/")


# --- the bell and the centre -----------------------------------------------------------------


def test_the_bell_shows_the_unread_count(client: Client, alice: Person) -> None:
    client.force_login(alice)
    assert 'aria-label="通知"' in page(client, reverse("core:home"))
    assert "bell-count" not in page(client, reverse("core:home"))
    tell(alice, "一")
    tell(alice, "二")
    tell(alice, "三")
    notifications_html = page(client, reverse("core:home"))
    assert 'aria-label="通知，3 条未读"' in notifications_html
    assert '<span class="bell-count">3</span>' in notifications_html


def test_the_bell_counts_only_the_persons_own_unread_in_app_messages(
    client: Client, alice: Person, bob: Person
) -> None:
    preferences_save(
        actor=alice,
        email="alice@example.com",
        channels={Kind.APPEAL_STATUS: ["email", "sms"]},
        quiet_hours=False,
        digest=False,
    )
    tell(alice, "一")  # in-app, e-mail and text: one for the bell
    tell(bob, "二")
    client.force_login(alice)
    assert 'aria-label="通知，1 条未读"' in page(client, CENTRE)


def test_the_centre_lists_the_newest_first_and_marks_the_unread(
    client: Client, alice: Person, bob: Person
) -> None:
    old = tell(alice, "旧的通知")
    tell(alice, "新的通知")
    tell(bob, "别人的通知")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    client.force_login(alice)
    html = page(client, CENTRE)
    assert html.index("新的通知") < html.index("旧的通知")
    assert "别人的通知" not in html
    unread = re.findall(r'<li class="note note-unread">.*?</li>', html, re.S)
    assert len(unread) == 1
    assert "新的通知" in unread[0]
    assert "全部标为已读" in html


def test_opening_a_message_marks_it_read_and_follows_its_link(
    client: Client, alice: Person
) -> None:
    note = tell(alice, "您反映的“路灯坏了”：已受理", link="/appeals/abc/")
    client.force_login(alice)
    response = client.get(reverse("notify:notification-open", args=[note.uid]))
    assert response.status_code == 302
    assert response["Location"] == "/appeals/abc/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", ""])
def test_a_link_off_the_site_leads_back_to_the_centre(
    client: Client, alice: Person, link: str
) -> None:
    note = tell(alice, "一", link=link)
    client.force_login(alice)
    response = client.get(reverse("notify:notification-open", args=[note.uid]))
    assert response["Location"] == CENTRE


def test_nobody_opens_someone_elses_message(client: Client, alice: Person, bob: Person) -> None:
    theirs = tell(bob, "二")
    client.force_login(alice)
    assert client.get(reverse("notify:notification-open", args=[theirs.uid])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_empties_the_bell(client: Client, alice: Person, bob: Person) -> None:
    tell(alice, "一")
    tell(alice, "二")
    theirs = tell(bob, "三")
    client.force_login(alice)
    assert client.get(READ_ALL).status_code == 405
    response = client.post(READ_ALL, follow=True)
    html = response.content.decode()
    assert "已全部标为已读。" in html
    assert "bell-count" not in html
    assert "没有未读通知。" in html
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_empty_centre_says_what_will_appear(client: Client, oscar: Person) -> None:
    client.force_login(oscar)
    html = page(client, CENTRE)
    assert "还没有通知。" in html
    assert "全部标为已读" not in html


@pytest.mark.parametrize("count", [3, 40])
def test_the_centre_query_count_does_not_grow(
    client: Client, alice: Person, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        tell(alice, f"通知{i}")
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        assert client.get(CENTRE).status_code == 200


# --- choices ---------------------------------------------------------------------------------


def test_residents_choose_for_their_own_kinds_only(client: Client, alice: Person) -> None:
    client.force_login(alice)
    html = page(client, PREFERENCES)
    assert str(Kind.VOTE_OPENED.label) in html
    assert str(Kind.NEW_APPEAL.label) not in html
    assert 'name="digest"' not in html
    assert alice.phone
    assert alice.phone not in html
    assert alice.phone_masked in html
    # The defaults are ticked: a text message when a vote opens.
    assert re.search(r'name="channels-vote_opened" value="sms"[^>]*checked', html)
    assert not re.search(r'name="channels-vote_opened" value="email"[^>]*checked', html)


def test_staff_also_choose_for_work_reminders_and_the_digest(client: Client, dave: Person) -> None:
    client.force_login(dave)
    html = page(client, PREFERENCES)
    assert str(Kind.NEW_APPEAL.label) in html
    assert str(Kind.DIGEST.label) in html
    assert "工作提醒" in html
    assert 'name="digest"' in html


def test_saving_choices(client: Client, dave: Person) -> None:
    client.force_login(dave)
    response = client.post(
        PREFERENCES,
        {
            "email": "dave@example.com",
            "channels-new_appeal": ["sms"],
            "channels-vote_opened": ["sms"],
            "digest": "on",
        },
        follow=True,
    )
    assert "通知设置已保存。" in response.content.decode()
    prefs = Preferences.objects.get(person=dave)
    assert prefs.email == "dave@example.com"
    assert prefs.channels["new_appeal"] == ["sms"]
    assert "vote_opened" not in prefs.channels  # the default
    assert prefs.channels["answered"] == []  # its default e-mail was not ticked
    assert (prefs.quiet_hours, prefs.digest) == (False, True)


def test_a_resident_cannot_switch_on_the_digest_by_hand(client: Client, alice: Person) -> None:
    client.force_login(alice)
    client.post(PREFERENCES, {"email": "", "quiet_hours": "on", "digest": "on"})
    assert Preferences.objects.get(person=alice).digest is False


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "alice@"}, "不是有效的电子邮箱地址"),
        ({"email": "", "channels-vote_opened": ["fax"]}, "不在可用的选项中"),
    ],
)
def test_bad_choices_are_explained_and_nothing_is_saved(
    client: Client, alice: Person, data: dict[str, Any], error: str
) -> None:
    client.force_login(alice)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Preferences.objects.exists()
    assert not AuditEvent.objects.filter(verb="notify.preferences.saved").exists()


# --- group robots ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "oscar"])
def test_only_those_who_manage_robots_see_the_robots_page(
    client: Client, request: pytest.FixtureRequest, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(ROBOTS).status_code == 403
    assert client.get(OUTBOX).status_code == 403


def test_grid_worker_adds_a_robot_and_sees_its_key_masked(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    client.force_login(dave)
    html = page(client, ROBOTS)
    assert "还没有接入群机器人" in html
    response = client.post(ROBOTS, robot_post(places["compound_a"], secret=SECRET), follow=True)
    html = response.content.decode()
    saved = Robot.objects.get()
    assert "已添加" in html
    assert f'id="robot-{saved.uid}"' in html
    assert SECRET not in html
    assert "5f1c9e2a-7d41" not in html
    assert "••••b2a1" in html
    assert "send?key=••••1a47" in html
    assert saved.secret == SECRET


def test_a_refused_address_is_explained_and_nothing_is_saved(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    client.force_login(dave)
    response = client.post(ROBOTS, robot_post(places["compound_a"], url="https://evil.example/"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Webhook 地址须以下列地址之一开头" in html
    assert "https://qyapi.weixin.qq.com/" in html
    assert 'value="https://evil.example/"' in html
    assert not Robot.objects.exists()


def test_a_place_outside_the_persons_is_not_offered(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    client.force_login(dave)
    html = page(client, ROBOTS)
    assert places["compound_b"].uid not in html
    response = client.post(ROBOTS, robot_post(places["compound_b"]))
    assert response.status_code == 400
    assert not Robot.objects.exists()


def test_staff_of_another_compound_neither_see_nor_reach_a_robot(
    client: Client, dave: Person, bella: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"], name="上河园业主群")
    client.force_login(bella)
    assert "上河园业主群" not in page(client, ROBOTS)
    assert client.get(reverse("notify:robot-edit", args=[saved.uid])).status_code == 404
    assert client.post(reverse("notify:robot-test", args=[saved.uid])).status_code == 404
    assert not Notification.objects.exists()


def test_community_staff_see_the_robots_of_every_compound(
    client: Client, dave: Person, bella: Person, frank: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"], name="上河园业主群")
    robot(bella, places["compound_b"], name="锦绣苑工作群")
    client.force_login(frank)
    html = page(client, ROBOTS)
    assert "上河园业主群" in html
    assert "锦绣苑工作群" in html


def test_editing_keeps_the_key_unless_a_new_one_is_given_or_it_is_removed(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"], secret=SECRET)
    url = reverse("notify:robot-edit", args=[saved.uid])
    client.force_login(dave)
    html = page(client, url)
    assert SECRET not in html
    assert "删除已保存的密钥" in html
    client.post(url, robot_post(places["building_a"], name="3号楼业主群"))
    saved.refresh_from_db()
    assert (saved.name, saved.place, saved.secret) == ("3号楼业主群", places["building_a"], SECRET)
    client.post(url, robot_post(places["building_a"], secret="SECnew0000000000000000"))
    saved.refresh_from_db()
    assert saved.secret == "SECnew0000000000000000"
    client.post(url, robot_post(places["building_a"], clear_secret="on"))
    saved.refresh_from_db()
    assert saved.secret == ""


def test_the_test_button_queues_a_message(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    saved = robot(dave, places["compound_a"])
    client.force_login(dave)
    response = client.post(reverse("notify:robot-test", args=[saved.uid]), follow=True)
    assert "测试消息已放入发送队列" in response.content.decode()
    message = Notification.objects.get(robot=saved)
    assert message.event_key.startswith("test:")
    assert queued_keys() == [message.event_key]


# --- the outbox ------------------------------------------------------------------------------


def test_the_outbox_puts_what_waits_for_a_person_first(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"])
    rows = robot_rows(places["compound_a"], 4)
    fail(rows[0])  # the oldest
    Notification.objects.filter(pk=rows[3].pk).update(status=Status.SENT)
    client.force_login(dave)
    html = page(client, OUTBOX)
    assert html.index("路灯坏了0") < html.index("路灯坏了3") < html.index("路灯坏了2")
    assert "HTTP 502" in html
    assert html.count("重新发送</button>") == 1
    assert "结果不明" in html
    assert "停止了" in html  # what "in doubt" means
    assert WECOM not in html


def test_the_outbox_is_filtered_by_status(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"])
    rows = robot_rows(places["compound_a"], 3)
    fail(rows[1], Status.IN_DOUBT)
    client.force_login(dave)
    html = page(client, f"{OUTBOX}?status=in_doubt")
    assert "路灯坏了1" in html
    assert "路灯坏了0" not in html
    assert "路灯坏了0" in page(client, f"{OUTBOX}?status=nonsense")


def test_the_outbox_shows_only_the_persons_places(
    client: Client, dave: Person, bella: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"])
    robot(bella, places["compound_b"], name="锦绣苑工作群")
    robot_rows(places["compound_a"], 1, prefix="a")
    robot_rows(places["compound_b"], 1, prefix="b")
    client.force_login(bella)
    html = page(client, OUTBOX)
    assert "锦绣苑工作群" in html
    assert "上河园网格工作群" not in html


def test_resending_from_the_outbox(
    client: Client, dave: Person, bella: Person, places: dict[str, Place]
) -> None:
    robot(dave, places["compound_a"])
    [row] = robot_rows(places["compound_a"], 1)
    fail(row)
    resend = reverse("notify:notification-resend", args=[row.uid])
    client.force_login(bella)
    assert client.post(resend).status_code == 404
    row.refresh_from_db()
    assert row.status == Status.FAILED
    client.force_login(dave)
    response = client.post(resend, {"status": "failed"})
    assert response["Location"] == f"{OUTBOX}?status=failed"
    row.refresh_from_db()
    assert row.status == Status.PENDING
    again = client.post(resend, follow=True).content.decode()
    assert "不需要重新发送" in again


@pytest.mark.parametrize("count", [3, 40])
def test_the_outbox_query_count_does_not_grow(
    client: Client,
    dave: Person,
    places: dict[str, Place],
    count: int,
    django_assert_max_num_queries: Any,
) -> None:
    robot(dave, places["compound_a"])
    robot(dave, places["building_a"], name="3号楼业主群")
    for row in robot_rows(places["building_a"], count)[::3]:
        fail(row)
    client.force_login(dave)
    with django_assert_max_num_queries(7):
        assert client.get(OUTBOX).status_code == 200


# --- where the pages are found ---------------------------------------------------------------


def test_the_workspace_links_to_robots_and_the_outbox_when_permitted(
    client: Client, dave: Person, erin: Person, carol: Person
) -> None:
    client.force_login(dave)
    html = page(client, reverse("core:workspace"))
    assert ROBOTS in html
    assert OUTBOX in html
    client.force_login(erin)  # connects robots, does not run the outbox
    html = page(client, reverse("core:workspace"))
    assert ROBOTS in html
    assert OUTBOX not in html
    client.force_login(carol)
    html = page(client, reverse("core:workspace"))
    assert ROBOTS not in html
    assert OUTBOX not in html


def test_the_home_page_links_to_the_choices(client: Client, alice: Person, oscar: Person) -> None:
    for person in (alice, oscar):
        client.force_login(person)
        assert PREFERENCES in page(client, reverse("core:home"))


def test_in_app_messages_are_not_in_the_outbox(
    client: Client, dave: Person, alice: Person, places: dict[str, Place]
) -> None:
    tell(alice, "居民的站内消息")
    client.force_login(dave)
    assert "居民的站内消息" not in page(client, OUTBOX)
    assert Notification.objects.filter(channel=Channel.IN_APP).count() == 1
