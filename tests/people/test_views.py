"""The people pages as a person uses them: sign up, claim a home, get confirmed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from qinlin.core.models import AuditEvent
from qinlin.people.models import ClaimCode, Person, Residency, ResidencyStatus
from qinlin.people.services import claim_codes_issue
from qinlin.places.models import Place
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def login(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client


def test_anonymous_visitor_sees_the_landing_page_in_chinese(client: Client, places) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-Hans"' in body
    assert "亲邻议事" in body
    assert places["community"].name in body


def test_landing_page_switches_to_english(client: Client, places) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_resident_lands_on_their_home_page(client: Client, alice: Person, places) -> None:
    response = login(client, alice).get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    body = response.content.decode()
    assert "上河园" in body
    assert "3号楼" in body


def test_grid_worker_lands_on_the_workspace(client: Client, dave: Person) -> None:
    response = login(client, dave).get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:workspace")
    assert "上河园" in response.content.decode()


def test_resident_cannot_open_the_workspace(client: Client, alice: Person) -> None:
    assert login(client, alice).get(reverse("core:workspace")).status_code == 403


def test_login_with_phone_and_password(client: Client, alice: Person) -> None:
    response = client.post(
        reverse("people:login"), {"username": alice.phone, "password": "qinlin-test-pw"}
    )
    assert response.status_code == 302
    bad = Client().post(reverse("people:login"), {"username": alice.phone, "password": "nope"})
    assert "手机号码或密码不正确" in bad.content.decode()


def test_signup_then_claim_a_home_by_walking_down_the_tree(client: Client, places) -> None:
    response = client.post(
        reverse("people:signup"),
        {"name": "新居民", "phone": "138 0013 8000", "password": "a-good-pass-2026"},
    )
    assert response.status_code == 302
    person = Person.objects.get(phone="13800138000")
    # Until a claim is confirmed the person holds no household role.
    assert client.get(reverse("core:home")).status_code == 200
    page = client.get(reverse("people:claim"), {"place": places["unit_a"].uid}).content.decode()
    assert "101" in page
    home: Place = places["home_a"]
    response = client.post(reverse("people:claim"), {"place": home.uid, "relation": "owner"})
    assert response.status_code == 302
    residency = Residency.objects.get(person=person)
    assert residency.status == ResidencyStatus.PENDING
    assert "等待确认" in client.get(reverse("core:home")).content.decode()


def test_signup_with_a_bad_phone_keeps_what_was_typed(client: Client, db: None) -> None:
    response = client.post(
        reverse("people:signup"), {"name": "张三", "phone": "12345", "password": "a-good-pass-2026"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "11 位手机号码" in body
    assert 'value="张三"' in body
    assert not Person.objects.filter(name="张三").exists()


def test_grid_worker_confirms_a_claim_from_the_workspace(
    client: Client, dave: Person, places
) -> None:
    claimant = PersonFactory.create(name="申请人")
    residency = Residency.objects.create(person=claimant, home=places["home_a2"], relation="owner")
    page = login(client, dave).get(reverse("core:workspace")).content.decode()
    assert "申请人" in page
    assert claimant.phone
    assert claimant.phone not in page  # masked
    response = client.post(
        reverse("people:residency-decide", args=[residency.uid]), {"decision": "confirm"}
    )
    assert response.status_code == 302
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.CONFIRMED
    assert residency.decided_by == dave


def test_grid_worker_of_a_cannot_confirm_a_claim_in_b(client: Client, dave: Person, places) -> None:
    residency = Residency.objects.create(
        person=PersonFactory.create(), home=places["home_b"], relation="owner"
    )
    login(client, dave).post(
        reverse("people:residency-decide", args=[residency.uid]), {"decision": "confirm"}
    )
    residency.refresh_from_db()
    assert residency.status == ResidencyStatus.PENDING


def test_claim_codes_are_printed_once_and_work(client: Client, dave: Person, places) -> None:
    url = reverse("people:claim-codes", args=[places["unit_a"].uid])
    response = login(client, dave).post(url, {"relation": "owner", "confirm": "on"})
    body = response.content.decode()
    codes = re.findall(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", body)
    assert len(codes) == 2
    assert ClaimCode.objects.filter(used_at__isnull=True, revoked_at__isnull=True).count() == 2
    newcomer = PersonFactory.create()
    client.force_login(newcomer)
    response = client.post(reverse("people:claim-code"), {"code": codes[0].lower()})
    assert response.status_code == 302
    assert Residency.objects.get(person=newcomer).status == ResidencyStatus.CONFIRMED


def test_a_wrong_claim_code_says_what_to_check(client: Client, oscar: Person) -> None:
    response = login(client, oscar).post(reverse("people:claim-code"), {"code": "AAAA-BBBB"})
    assert "认证码不正确" in response.content.decode()
    assert not Residency.objects.filter(person=oscar).exists()


def test_resident_cannot_print_claim_codes(client: Client, alice: Person, places) -> None:
    url = reverse("people:claim-codes", args=[places["unit_a"].uid])
    assert login(client, alice).get(url).status_code == 403


def test_people_list_masks_phones_and_reveal_is_audited(
    client: Client, frank: Person, alice: Person, places
) -> None:
    page = login(client, frank).get(reverse("people:people-list", args=[places["compound_a"].uid]))
    body = page.content.decode()
    assert alice.name in body
    assert alice.phone
    assert alice.phone not in body
    assert alice.phone_masked in body
    response = client.post(reverse("people:phone-reveal", args=[alice.uid]))
    assert alice.phone in response.content.decode()
    assert AuditEvent.objects.filter(verb="people.phone.revealed", object_id=alice.uid).exists()


def test_people_list_query_count_does_not_grow_with_people(
    client: Client, frank: Person, places, django_assert_max_num_queries
) -> None:
    from tests.factories import resident_of

    for _ in range(30):
        resident_of(places["home_a2"], relation="family")
    login(client, frank)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:people-list", args=[places["compound_a"].uid]))
    assert response.status_code == 200


def test_workspace_query_count_is_bounded(
    client: Client, dave: Person, places, django_assert_max_num_queries
) -> None:
    for _ in range(20):
        Residency.objects.create(
            person=PersonFactory.create(), home=places["home_a2"], relation="tenant"
        )
    login(client, dave)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("core:workspace"))
    assert response.status_code == 200


def test_claim_codes_issue_is_refused_outside_the_place(dave: Person, places) -> None:
    from qinlin.core.errors import ForbiddenError

    with pytest.raises(ForbiddenError):
        claim_codes_issue(actor=dave, place=places["unit_b"])


def test_grid_worker_finds_the_chat_import_on_the_workspace(
    client: Client, dave: Person, places
) -> None:
    page = login(client, dave).get(reverse("core:workspace")).content.decode()
    url = reverse("appeals:appeal-import", args=[places["compound_a"].uid])
    assert url in page
    assert client.get(url).status_code == 200
