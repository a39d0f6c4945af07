"""Logging in: Argon2 hashes, throttling per phone and per address, and the session."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from qinlin.core.models import AuditEvent
from qinlin.core.ratelimit import client_ip
from qinlin.people.middleware import SEEN_KEY
from qinlin.people.models import Person

pytestmark = pytest.mark.django_db

PASSWORD = "qinlin-test-pw"
UNKNOWN = "13700001111"


def attempt(client: Client, phone: str | None, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("people:login"), {"username": phone, "password": password}, REMOTE_ADDR=address
    )


def without_tokens(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


def test_pbkdf2_hash_is_upgraded_to_argon2_at_login(client: Client, alice: Person, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    Person.objects.filter(pk=alice.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert attempt(client, alice.phone, PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$")


def test_five_failures_from_different_addresses_lock_the_phone(client: Client, alice: Person):
    for n in range(4):
        response = attempt(client, alice.phone, "wrong", address=f"10.0.1.{n}")
        assert response.status_code == 200
        assert "手机号码或密码不正确" in response.content.decode()
    assert attempt(client, alice.phone, "wrong", address="10.0.1.9").status_code == 429
    # Locked: even the right password, from yet another address, does not open it.
    locked = attempt(Client(), alice.phone, PASSWORD, address="10.0.1.200")
    assert locked.status_code == 429
    assert "_auth_user_id" not in Client().session


def test_twenty_failures_from_one_address_lock_it_for_every_phone(alice: Person) -> None:
    client = Client()
    for n in range(19):
        assert attempt(client, f"1370000{n:04d}", "wrong", address="10.0.2.2").status_code == 200
    assert attempt(client, "13700009999", "wrong", address="10.0.2.2").status_code == 429
    assert attempt(Client(), alice.phone, PASSWORD, address="10.0.2.2").status_code == 429
    assert attempt(Client(), alice.phone, PASSWORD, address="10.0.2.3").status_code == 302


def test_a_right_password_clears_the_phones_failures(alice: Person) -> None:
    for _ in range(4):
        attempt(Client(), alice.phone, "wrong")
    assert attempt(Client(), alice.phone, PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(Client(), alice.phone, "wrong").status_code == 200
    assert attempt(Client(), alice.phone, PASSWORD).status_code == 302


def test_a_phone_typed_with_spaces_counts_as_the_same_phone(alice: Person) -> None:
    phone = str(alice.phone)
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    for _ in range(4):
        attempt(Client(), spaced, "wrong")
    assert attempt(Client(), alice.phone, "wrong").status_code == 429


def test_lockout_page_says_when_to_try_again(client: Client, alice: Person) -> None:
    for _ in range(5):
        response = attempt(client, alice.phone, "wrong")
    body = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂停 15 分钟" in body
    assert re.search(r"请在 \d\d:\d\d 之后再试", body)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = attempt(client, alice.phone, "wrong").content.decode()
    assert "paused for 15 minutes" in english
    assert re.search(r"try again after \d\d:\d\d", english)


def test_an_unknown_phone_and_a_wrong_password_get_the_same_answers(alice: Person) -> None:
    wrong_password = attempt(Client(), alice.phone, "wrong")
    unknown_phone = attempt(Client(), UNKNOWN, "wrong")
    assert wrong_password.status_code == unknown_phone.status_code == 200
    # The phone typed is filled in again: that is the only difference between the two pages.
    assert without_tokens(wrong_password.content).replace(str(alice.phone), UNKNOWN) == (
        without_tokens(unknown_phone.content)
    )
    for _ in range(4):
        locked_known = attempt(Client(), alice.phone, "wrong")
        locked_unknown = attempt(Client(), UNKNOWN, "wrong")
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert without_tokens(locked_known.content) == without_tokens(locked_unknown.content)


def _request(settings, proxies: int, forwarded: str | None) -> HttpRequest:
    settings.QINLIN_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_client_address_is_the_connections_unless_proxies_are_trusted(settings) -> None:
    assert client_ip(_request(settings, 0, "203.0.113.5")) == "192.0.2.10"
    # One proxy: the entry it appended is the client; what the client sent before it is not.
    assert client_ip(_request(settings, 1, "198.51.100.1, 203.0.113.5")) == "203.0.113.5"
    assert client_ip(_request(settings, 2, "198.51.100.1, 203.0.113.5, 10.0.0.2")) == (
        "203.0.113.5"
    )
    assert client_ip(_request(settings, 2, "203.0.113.5")) == "192.0.2.10"
    assert client_ip(_request(settings, 1, "not-an-address")) == "192.0.2.10"
    assert client_ip(_request(settings, 1, None)) == "192.0.2.10"


def test_a_forged_forwarded_entry_does_not_escape_the_address_lock(settings, alice) -> None:
    """Behind one proxy, a client who writes its own X-Forwarded-For entry is still known by
    the entry the proxy appended after it."""
    settings.QINLIN_TRUSTED_PROXIES = 1
    for n in range(20):
        Client().post(
            reverse("people:login"),
            {"username": f"1370000{n:04d}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5",
        )
    forged = Client().post(
        reverse("people:login"),
        {"username": alice.phone, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.5",
    )
    assert forged.status_code == 429


# --- the session ---------------------------------------------------------------------------


def test_session_cookie_is_http_only_and_same_site_lax(client: Client, alice: Person) -> None:
    attempt(client, alice.phone, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 14 * 24 * 3600


def test_login_gives_the_browser_a_new_session_key(client: Client, alice: Person) -> None:
    client.get(reverse("people:password-reset"))
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    assert before is not None
    client.cookies["sessionid"] = before
    attempt(client, alice.phone, PASSWORD)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not SessionStore().exists(before)


def test_logout_ends_the_session(client: Client, alice: Person) -> None:
    attempt(client, alice.phone, PASSWORD)
    key = client.cookies["sessionid"].value
    client.post(reverse("people:logout"))
    assert not SessionStore().exists(key)
    assert client.get(reverse("core:home")).status_code == 302


def test_changing_the_password_ends_the_persons_other_sessions(alice: Person) -> None:
    phone, laptop = Client(), Client()
    attempt(phone, alice.phone, PASSWORD)
    attempt(laptop, alice.phone, PASSWORD)
    response = laptop.post(
        reverse("people:security"),
        {"old_password": PASSWORD, "password": "a-new-pass-2026"},
        follow=True,
    )
    assert "其他设备上的登录已全部退出" in response.content.decode()
    assert laptop.get(reverse("core:home")).status_code == 200
    assert phone.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(verb="people.person.password_changed").count() == 1


def test_password_change_needs_the_old_password_and_a_strong_new_one(client, alice) -> None:
    attempt(client, alice.phone, PASSWORD)
    wrong_old = client.post(
        reverse("people:security"), {"old_password": "nope", "password": "a-new-pass-2026"}
    )
    assert "原密码不正确" in wrong_old.content.decode()
    weak = client.post(reverse("people:security"), {"old_password": PASSWORD, "password": "123"})
    assert weak.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def _idle(client: Client, minutes: int) -> None:
    session = client.session
    session[SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_staff_sessions_end_after_two_idle_hours(client: Client, dave: Person) -> None:
    attempt(client, dave.phone, PASSWORD)
    assert client.get(reverse("core:workspace")).status_code == 200
    _idle(client, 119)
    assert client.get(reverse("core:workspace")).status_code == 200
    _idle(client, 121)
    response = client.get(reverse("core:workspace"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("people:login"))
    assert "自动退出" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302


def test_residents_keep_their_session_when_idle(client: Client, alice: Person) -> None:
    attempt(client, alice.phone, PASSWORD)
    client.get(reverse("core:home"))
    _idle(client, 600)
    assert client.get(reverse("core:home")).status_code == 200


def test_staff_idle_time_is_configurable(client: Client, dave: Person, settings) -> None:
    settings.QINLIN_STAFF_IDLE_MINUTES = 30
    attempt(client, dave.phone, PASSWORD)
    client.get(reverse("core:workspace"))
    _idle(client, 31)
    assert client.get(reverse("core:workspace")).status_code == 302


def test_the_login_page_names_the_site_like_every_other_page(client: Client) -> None:
    body = client.get(reverse("people:login")).content.decode()
    assert '<span class="brand-mark" aria-hidden="true">亲</span>亲邻议事</a>' in body


def test_the_attempts_kept_for_the_lock_hold_no_password(alice: Person) -> None:
    attempt(Client(), alice.phone, "my-secret-guess")
    (kept,) = AccessAttempt.objects.all()
    assert kept.username == alice.phone
    assert "my-secret-guess" not in kept.post_data
