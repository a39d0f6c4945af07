"""两步验证 for staff: enrol with an authenticator app, log in with a code, turn it off."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qinlin.core.models import AuditEvent
from qinlin.people.models import Person

pytestmark = pytest.mark.django_db

PASSWORD = "qinlin-test-pw"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def with_device(person: Person) -> TOTPDevice:
    return TOTPDevice.objects.create(user=person, name="authenticator", confirmed=True)


def password_step(client: Client, person: Person, next_url: str = ""):
    data = {"username": person.phone, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("people:login"), data)


def test_staff_enrol_by_scanning_then_confirming_a_code(client: Client, dave: Person) -> None:
    client.force_login(dave)
    page = client.get(reverse("people:two-step")).content.decode()
    assert "开始设置" in page
    client.post(reverse("people:two-step"), {"action": "begin"})
    device = TOTPDevice.objects.get(user=dave)
    assert not device.confirmed
    page = client.get(reverse("people:two-step")).content.decode()
    assert "<svg" in page
    assert "<script" not in page
    assert "手动输入密钥" in page
    wrong = client.post(
        reverse("people:two-step"), {"action": "confirm", "code": wrong_code(device)}
    )
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    response = client.post(
        reverse("people:two-step"), {"action": "confirm", "code": current_code(device)}
    )
    assert "离开这个页面后不会再显示" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(verb="people.two_step.enabled", actor=dave).exists()


def test_the_secret_is_shown_as_text_for_manual_entry(client: Client, dave: Person) -> None:
    client.force_login(dave)
    client.post(reverse("people:two-step"), {"action": "begin"})
    page = client.get(reverse("people:two-step")).content.decode()
    assert 'class="slip-code two-step-secret"' in page


def test_a_resident_is_not_offered_two_step(client: Client, alice: Person) -> None:
    client.force_login(alice)
    assert client.get(reverse("people:two-step")).status_code == 403
    assert "两步验证" not in client.get(reverse("people:security")).content.decode()


def test_without_a_device_the_password_alone_logs_in(client: Client, dave: Person) -> None:
    assert password_step(client, dave).status_code == 302
    assert client.get(reverse("core:workspace")).status_code == 200


def test_with_a_device_the_password_leads_to_the_code_step(client: Client, dave: Person) -> None:
    device = with_device(dave)
    response = password_step(client, dave, next_url=reverse("core:audit"))
    assert response["Location"] == reverse("people:login-code")
    # Not logged in between the two steps.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:workspace")).status_code == 302
    response = client.post(reverse("people:login-code"), {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:audit")
    assert client.get(reverse("core:workspace")).status_code == 200


def test_a_wrong_code_does_not_log_in(client: Client, dave: Person) -> None:
    device = with_device(dave)
    password_step(client, dave)
    response = client.post(reverse("people:login-code"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("core:workspace")).status_code == 302


def test_five_wrong_codes_lock_the_phone_like_five_wrong_passwords(dave: Person) -> None:
    device = with_device(dave)
    client = Client()
    password_step(client, dave)
    for _ in range(4):
        device.throttle_reset()
        assert client.post(reverse("people:login-code"), {"code": "999999"}).status_code == 200
    device.throttle_reset()
    assert client.post(reverse("people:login-code"), {"code": "999999"}).status_code == 429
    assert client.get(reverse("people:login-code"))["Location"] == reverse("people:login")
    assert password_step(Client(), dave).status_code == 429


def test_wrong_codes_and_wrong_passwords_add_up(dave: Person) -> None:
    device = with_device(dave)
    client = Client()
    password_step(client, dave)
    for _ in range(4):
        device.throttle_reset()
        client.post(reverse("people:login-code"), {"code": "999999"})
    locked = Client().post(reverse("people:login"), {"username": dave.phone, "password": "x"})
    assert locked.status_code == 429


def test_the_code_step_is_throttled_by_the_device(client: Client, dave: Person) -> None:
    device = with_device(dave)
    password_step(client, dave)
    client.post(reverse("people:login-code"), {"code": wrong_code(device)})
    # Straight after a wrong code django-otp refuses to check even the right one.
    response = client.post(reverse("people:login-code"), {"code": current_code(device)})
    assert "尝试过于频繁" in response.content.decode()


def test_turning_two_step_off_needs_a_current_code(client: Client, dave: Person) -> None:
    device = with_device(dave)
    client.force_login(dave)
    refused = client.post(
        reverse("people:two-step"), {"action": "disable", "code": wrong_code(device)}
    )
    assert "验证码不正确" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=dave).exists()
    device.throttle_reset()
    client.post(reverse("people:two-step"), {"action": "disable", "code": current_code(device)})
    assert not TOTPDevice.objects.filter(user=dave).exists()
    assert AuditEvent.objects.filter(verb="people.two_step.disabled").exists()


def test_the_admin_needs_the_code_from_people_with_a_device(grace: Person) -> None:
    Person.objects.filter(pk=grace.pk).update(is_staff=True, is_superuser=True)
    grace.refresh_from_db()
    device = with_device(grace)
    unverified = Client()
    unverified.force_login(grace)
    response = unverified.get(reverse("admin:index"))
    assert response.status_code == 302
    # The admin's own password form is not a way round the second step.
    assert unverified.get(reverse("admin:login")).status_code == 403
    verified = Client()
    password_step(verified, grace, next_url=reverse("admin:index"))
    response = verified.post(reverse("people:login-code"), {"code": current_code(device)})
    assert response["Location"] == reverse("admin:index")
    assert verified.get(reverse("admin:index")).status_code == 200


def test_the_admin_without_a_device_asks_only_for_the_password(grace: Person) -> None:
    Person.objects.filter(pk=grace.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    login_page = client.get(reverse("admin:index"), follow=True)
    assert login_page.redirect_chain[-1][0].startswith(reverse("people:login"))
    password_step(client, grace, next_url=reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200


def _enrol(client: Client, person: Person) -> list[str]:
    client.force_login(person)
    client.post(reverse("people:two-step"), {"action": "begin"})
    device = TOTPDevice.objects.get(user=person)
    page = client.post(
        reverse("people:two-step"), {"action": "confirm", "code": current_code(device)}
    ).content.decode()
    return [a + b for a, b in re.findall(r"<code>(\d{4}) (\d{4})</code>", page)]


def test_turning_two_step_on_shows_ten_recovery_codes_once(client: Client, dave: Person) -> None:
    codes = _enrol(client, dave)
    assert len(set(codes)) == 10
    again = client.get(reverse("people:two-step")).content.decode()
    assert codes[0] not in again
    assert "还剩 10 个未用的恢复码" in again


def test_a_recovery_code_logs_in_once_in_place_of_the_app(dave: Person) -> None:
    codes = _enrol(Client(), dave)
    client = Client()
    password_step(client, dave)
    spaced = f"{codes[0][:4]} {codes[0][4:]}"
    assert client.post(reverse("people:login-code"), {"code": spaced}).status_code == 302
    assert client.get(reverse("core:workspace")).status_code == 200
    again = Client()
    password_step(again, dave)
    assert again.post(reverse("people:login-code"), {"code": codes[0]}).status_code == 200


def test_new_recovery_codes_replace_the_old_and_need_a_current_code(dave: Person) -> None:
    client = Client()
    old = _enrol(client, dave)
    device = TOTPDevice.objects.get(user=dave)
    device.last_t = -1
    device.save()
    refused = client.post(
        reverse("people:two-step"), {"action": "recovery", "code": wrong_code(device)}
    )
    assert "验证码不正确" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    page = client.post(
        reverse("people:two-step"), {"action": "recovery", "code": current_code(device)}
    ).content.decode()
    new = [a + b for a, b in re.findall(r"<code>(\d{4}) (\d{4})</code>", page)]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    login = Client()
    password_step(login, dave)
    assert login.post(reverse("people:login-code"), {"code": old[1]}).status_code == 200
