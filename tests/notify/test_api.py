"""/api/v1/notifications: the caller's own in-app notifications, the unread count, and marking
them read; nobody reads or marks another person's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qinlin.api.services import api_token_issue
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Notification
from qinlin.notify.services import preferences_save
from qinlin.people.models import Person
from tests.notify.test_services import tell

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


def bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="亲邻小程序")
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, url: str, body: dict[str, Any] | None, person: Person) -> Any:
    return client.post(url, body, content_type="application/json", headers=bearer(person))


def test_the_caller_lists_their_own_notifications_newest_first(
    client: Client, alice: Person, bob: Person
) -> None:
    old = tell(alice, "旧的", link="/appeals/abc/")
    tell(alice, "新的")
    tell(bob, "别人的")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    response = client.get(API, headers=bearer(alice))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    newest, oldest = body["items"]
    assert (newest["subject"], newest["read"]) == ("新的", False)
    assert oldest == {
        "uid": old.uid,
        "kind": Kind.APPEAL_STATUS,
        "kind_label": str(Kind.APPEAL_STATUS.label),
        "subject": "旧的",
        "body": "正文",
        "link": "/appeals/abc/",
        "created_at": oldest["created_at"],
        "read": True,
    }


def test_only_in_app_messages_are_listed(client: Client, alice: Person) -> None:
    preferences_save(
        actor=alice,
        email="alice@example.com",
        channels={Kind.APPEAL_STATUS: ["email"]},
        quiet_hours=False,
        digest=False,
    )
    tell(alice, "一")
    assert Notification.objects.filter(person=alice).count() == 2
    assert client.get(API, headers=bearer(alice)).json()["count"] == 1
    assert client.get(f"{API}/unread", headers=bearer(alice)).json() == {"unread": 1}


def test_marking_one_and_then_all_read(client: Client, alice: Person, bob: Person) -> None:
    first = tell(alice, "一")
    tell(alice, "二")
    tell(alice, "三")
    theirs = tell(bob, "四")
    response = post(client, f"{API}/{first.uid}/read", None, alice)
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 2}
    assert post(client, f"{API}/read", {}, alice).json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_named_notifications_read(client: Client, alice: Person) -> None:
    first, second = tell(alice, "一"), tell(alice, "二")
    tell(alice, "三")
    response = post(client, f"{API}/read", {"uids": [first.uid, second.uid]}, alice)
    assert response.json() == {"marked": 2, "unread": 1}
    assert post(client, f"{API}/read", {"uids": []}, alice).json() == {"marked": 0, "unread": 1}


def test_someone_elses_notification_is_not_found_and_nothing_is_marked(
    client: Client, alice: Person, bob: Person
) -> None:
    mine, theirs = tell(alice, "一"), tell(bob, "二")
    response = post(client, f"{API}/read", {"uids": [mine.uid, theirs.uid]}, alice)
    assert response.status_code == 404
    assert response.json()["code"] == "notification_not_found"
    assert post(client, f"{API}/{theirs.uid}/read", None, alice).status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_a_malformed_body_is_refused(client: Client, alice: Person) -> None:
    tell(alice, "一")
    response = post(client, f"{API}/read", {"uids": "all"}, alice)
    assert response.status_code == 422
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_anonymous_callers_are_refused(client: Client, alice: Person) -> None:
    tell(alice, "一")
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/unread").status_code == 401
    assert client.post(f"{API}/read", {}, content_type="application/json").status_code == 401
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_the_browser_session_works_too(client: Client, alice: Person) -> None:
    tell(alice, "一")
    client.force_login(alice)
    assert client.get(f"{API}/unread").json() == {"unread": 1}


def test_the_endpoints_are_documented(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/notifications",
        "/api/v1/notifications/unread",
        "/api/v1/notifications/read",
        "/api/v1/notifications/{uid}/read",
    } <= set(paths)


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_query_count_does_not_grow(
    client: Client, alice: Person, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        tell(alice, f"通知{i}")
    headers = bearer(alice)
    with django_assert_max_num_queries(4):
        assert client.get(API, headers=headers).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"{API}/unread", headers=headers).status_code == 200
