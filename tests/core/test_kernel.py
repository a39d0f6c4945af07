"""The small pieces of the shared kernel: masking, public ids, domain errors."""

from __future__ import annotations

import pytest

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from qinlin.core.ids import ALPHABET, UID_LENGTH, new_uid
from qinlin.core.masking import mask_name, mask_phone


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
