"""忘记密码: a code by text message, and answers that never tell who is registered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinlin.core.models import AuditEvent
from qinlin.people.models import PasswordReset, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-new-pass-2026"
UNKNOWN = "13700001111"


def request_code(client: Client, phone: str | None, address: str = "10.0.0.1"):
    return client.post(reverse("people:password-reset"), {"phone": phone}, REMOTE_ADDR=address)


def sent_codes(capsys: pytest.CaptureFixture[str], phone: str | None) -> list[str]:
    out = capsys.readouterr().out
    return re.findall(rf"\[SMS to {phone}\].*?验证码 (\d{{6}})", out)


def complete(client: Client, phone: str | None, code: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("people:password-reset-code"),
        {"phone": phone, "code": code, "password": password},
    )


def without_tokens(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


def test_the_answer_is_the_same_whether_or_not_the_phone_is_registered(capsys, alice) -> None:
    known_client, unknown_client = Client(), Client()
    known = request_code(known_client, alice.phone)
    unknown = request_code(unknown_client, UNKNOWN)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("people:password-reset-code")
    known_page = known_client.get(known["Location"])
    unknown_page = unknown_client.get(unknown["Location"])
    assert "如果该手机号已注册，我们已发送验证码" in known_page.content.decode()
    # The phone typed is filled in again: that is the only difference between the two pages.
    assert without_tokens(known_page.content).replace(str(alice.phone), UNKNOWN) == without_tokens(
        unknown_page.content
    )
    out = capsys.readouterr().out
    assert f"[SMS to {alice.phone}]" in out
    assert UNKNOWN not in out


def test_the_code_sets_a_new_password_ends_every_session_and_is_audited(capsys, alice) -> None:
    elsewhere = Client()
    elsewhere.force_login(alice)
    client = Client()
    request_code(client, alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    response = complete(client, alice.phone, code)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert elsewhere.get(reverse("core:home")).status_code == 302
    event = AuditEvent.objects.get(verb="people.person.password_reset")
    assert event.actor_id == alice.pk
    # Only a keyed digest of the code is kept.
    assert code not in PasswordReset.objects.get(person=alice).code_hash


def test_a_code_works_once(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    assert complete(Client(), alice.phone, code).status_code == 302
    again = complete(Client(), alice.phone, code, password="another-pass-2026")
    assert again.status_code == 200
    assert "验证码不正确或已失效" in again.content.decode()


def test_a_code_expires_after_fifteen_minutes(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    PasswordReset.objects.filter(person=alice).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert complete(Client(), alice.phone, code).status_code == 200
    alice.refresh_from_db()
    assert not alice.check_password(NEW_PASSWORD)


def test_five_wrong_guesses_spend_the_code(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert complete(Client(), alice.phone, wrong).status_code == 200
    assert complete(Client(), alice.phone, code).status_code == 200
    alice.refresh_from_db()
    assert not alice.check_password(NEW_PASSWORD)


def test_a_new_request_replaces_the_old_code(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    request_code(Client(), alice.phone)
    first, second = sent_codes(capsys, alice.phone)
    if first != second:
        assert complete(Client(), alice.phone, first).status_code == 200
    assert complete(Client(), alice.phone, second).status_code == 302


def test_a_weak_new_password_is_refused_without_spending_the_code(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    weak = complete(Client(), alice.phone, code, password="12345678")
    assert weak.status_code == 200
    assert "errorlist" in weak.content.decode()
    assert complete(Client(), alice.phone, code).status_code == 302


def test_at_most_three_codes_an_hour_go_to_one_phone(capsys, alice) -> None:
    for n in range(4):
        assert request_code(Client(), alice.phone, address=f"10.0.3.{n}").status_code == 302
    assert len(sent_codes(capsys, alice.phone)) == 3
    PasswordReset.objects.update(requested_at=timezone.now() - timedelta(minutes=61))
    request_code(Client(), alice.phone)
    assert len(sent_codes(capsys, alice.phone)) == 1


def test_an_address_asking_for_many_phones_gets_no_more_codes(capsys, alice) -> None:
    for n in range(10):
        request_code(Client(), f"1370000{n:04d}", address="10.0.4.4")
    assert request_code(Client(), alice.phone, address="10.0.4.4").status_code == 302
    assert sent_codes(capsys, alice.phone) == []
    request_code(Client(), alice.phone, address="10.0.4.5")
    assert len(sent_codes(capsys, alice.phone)) == 1


def test_a_register_owner_without_a_login_gets_no_code(capsys, places) -> None:
    owner = PersonFactory.create(name="名册业主", password=None)
    Person.objects.filter(pk=owner.pk).update(password="!")
    request_code(Client(), owner.phone)
    assert sent_codes(capsys, owner.phone) == []


def test_completing_for_an_unknown_phone_reads_like_a_wrong_code(capsys, alice) -> None:
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    wrong = "000000" if code != "000000" else "111111"
    for_known = complete(Client(), alice.phone, wrong)
    for_unknown = complete(Client(), UNKNOWN, wrong)
    assert for_known.status_code == for_unknown.status_code == 200
    assert without_tokens(for_known.content).replace(str(alice.phone), UNKNOWN) == without_tokens(
        for_unknown.content
    )


def test_a_reset_lifts_the_lock_on_the_phone(capsys, alice) -> None:
    for _ in range(5):
        Client().post(reverse("people:login"), {"username": alice.phone, "password": "wrong"})
    request_code(Client(), alice.phone)
    (code,) = sent_codes(capsys, alice.phone)
    assert complete(Client(), alice.phone, code).status_code == 302
    login = {"username": alice.phone, "password": NEW_PASSWORD}
    assert Client().post(reverse("people:login"), login).status_code == 302
