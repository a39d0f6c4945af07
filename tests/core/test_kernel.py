"""The small pieces of the shared kernel: masking, public ids, domain errors."""

from __future__ import annotations

import pytest
from django.test import Client

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from qinlin.core.ids import ALPHABET, UID_LENGTH, new_uid
from qinlin.core.masking import mask_name, mask_phone
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("053612345678", "********5678"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_shows_only_what_identifies_it_to_its_owner(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张", "张"), ("张三", "张*"), ("欧阳修", "欧*修"), ("司马相如", "司**如")]
)
def test_name_keeps_its_first_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_public_ids_are_short_unambiguous_and_distinct() -> None:
    uids = {new_uid() for _ in range(1000)}
    assert len(uids) == 1000
    for uid in uids:
        assert len(uid) == UID_LENGTH
        assert set(uid) <= set(ALPHABET)
        assert not set(uid) & set("01ilo")


def test_domain_errors_carry_a_code_a_status_and_the_field() -> None:
    error = DomainError("请填写姓名。", code="name_required", field="name")
    assert (str(error), error.code, error.status, error.field) == (
        "请填写姓名。",
        "name_required",
        400,
        "name",
    )
    assert (ForbiddenError("x").status, ForbiddenError("x").code) == (403, "permission_denied")
    assert NotFoundError("x").status == 404
    assert ConflictError("x").status == 409
    assert isinstance(ConflictError("x"), DomainError)


def test_a_nul_character_in_a_page_query_is_left_to_the_page(client: Client, alice: Person) -> None:
    client.force_login(alice)
    answer = client.get("/appeals/mine/", {"q": "门\x00"})
    assert answer.status_code == 200


def test_a_nul_character_reaches_the_api_as_its_own_validation_error(
    client: Client, alice: Person
) -> None:
    client.force_login(alice)
    answer = client.get("/api/v1/appeals", {"status": "\x00"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "status"]


def test_a_nul_character_in_a_form_post_is_refused_by_the_form_keeping_the_rest(
    client: Client, alice: Person
) -> None:
    client.force_login(alice)
    before = AuditEvent.objects.count()
    answer = client.post("/appeals/new/", {"text": "楼道灯\x00坏了", "other": "还有别的"})
    assert answer.status_code == 200
    assert 'class="errorlist' in answer.content.decode()
    assert AuditEvent.objects.count() == before
