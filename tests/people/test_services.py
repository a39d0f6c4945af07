"""People services: sign-up, home claims and their decision, claim codes, roles, phone reveal."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.core.roles import Role
from qinlin.people.models import (
    ClaimCode,
    ConfirmedVia,
    Person,
    Relation,
    Residency,
    ResidencyStatus,
    RoleAssignment,
)
from qinlin.people.selectors import person_active_roles
from qinlin.people.services import (
    claim_codes_issue,
    person_phone_reveal,
    person_register,
    residency_claim,
    residency_claim_with_code,
    residency_decide,
    role_assign,
    role_end,
)
from qinlin.places.models import Place
from tests.factories import PersonFactory, tree

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "lanhua-2024-qiuyue"


def _fresh(person: Person) -> Person:
    """The person as the next request would load them (no cached roles)."""
    return Person.objects.get(pk=person.pk)


def _verbs() -> list[str]:
    return list(AuditEvent.objects.values_list("verb", flat=True))


# --- person_register ---------------------------------------------------------------------


def test_register_creates_a_person_who_can_log_in() -> None:
    person = person_register(phone="138 1234 5678", name=" 张三 ", password=GOOD_PASSWORD)
    person = _fresh(person)
    assert person.phone == "13812345678"
    assert person.name == "张三"
    assert person.check_password(GOOD_PASSWORD)
    assert person.has_login
    assert _verbs() == ["people.person.registered"]


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567x", ""])
def test_register_refuses_a_bad_phone_and_changes_nothing(phone: str) -> None:
    with pytest.raises(DomainError) as refused:
        person_register(phone=phone, name="张三", password=GOOD_PASSWORD)
    assert refused.value.code == "invalid_phone"
    assert refused.value.field == "phone"
    assert "11 位手机号码" in str(refused.value)
    assert not Person.objects.exists()
    assert _verbs() == []


@pytest.mark.parametrize("password", ["123", "12345678901", "password"])
def test_register_refuses_a_weak_password(password: str) -> None:
    with pytest.raises(DomainError) as refused:
        person_register(phone="13812345678", name="张三", password=password)
    assert refused.value.code == "weak_password"
    assert refused.value.field == "password"
    assert not Person.objects.exists()


def test_register_refuses_a_blank_name() -> None:
    with pytest.raises(DomainError) as refused:
        person_register(phone="13812345678", name="  ", password=GOOD_PASSWORD)
    assert refused.value.code == "name_required"


def test_register_refuses_a_phone_already_registered(alice: Person) -> None:
    assert alice.phone is not None
    with pytest.raises(ConflictError) as refused:
        person_register(phone=alice.phone, name="冒名者", password=GOOD_PASSWORD)
    assert refused.value.code == "phone_taken"
    assert _fresh(alice).check_password("qinlin-test-pw")
    assert _fresh(alice).name == "李爱丽"


def _imported_owner(places: dict[str, Place]) -> Person:
    imported = PersonFactory.create(name="赵业主", phone="13900001111", password=None)
    Residency.objects.create(
        person=imported,
        home=places["home_a"],
        relation=Relation.OWNER,
        status=ResidencyStatus.CONFIRMED,
        via=ConfirmedVia.IMPORT,
    )
    assert not imported.has_login
    return imported


def test_imported_owner_cannot_be_taken_over_by_knowing_the_phone_alone(
    places: dict[str, Place],
) -> None:
    imported = _imported_owner(places)

    with pytest.raises(DomainError) as excinfo:
        person_register(phone="13900001111", name="冒名者", password=GOOD_PASSWORD)

    assert excinfo.value.code == "register_code_required"
    assert not _fresh(imported).has_login


def test_imported_owner_registers_with_the_code_printed_for_their_home(
    places: dict[str, Place], dave: Person
) -> None:
    imported = _imported_owner(places)
    codes = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))

    person = person_register(
        phone="13900001111",
        name="赵某",
        password=GOOD_PASSWORD,
        claim_code=codes[places["home_a"]],
    )

    assert person.pk == imported.pk
    person = _fresh(person)
    assert person.has_login
    assert person.name == "赵业主"
    assert (Role.OWNER, places["home_a"].path) in person_active_roles(person)
    # The code is spent: it cannot open the home a second time.
    with pytest.raises(DomainError):
        residency_claim_with_code(person=PersonFactory.create(), code=codes[places["home_a"]])


def test_a_code_for_someone_elses_home_does_not_open_an_imported_record(
    places: dict[str, Place], dave: Person
) -> None:
    _imported_owner(places)
    codes = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))

    with pytest.raises(DomainError):
        person_register(
            phone="13900001111",
            name="冒名者",
            password=GOOD_PASSWORD,
            claim_code=codes[places["home_a2"]],
        )


# --- residency_claim and residency_decide ------------------------------------------------


def test_claim_of_a_home_waits_for_staff(oscar: Person, places: dict[str, Place]) -> None:
    residency = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.TENANT)
    assert residency.status == ResidencyStatus.PENDING
    assert person_active_roles(_fresh(oscar)) == []
    assert _verbs() == ["people.residency.claimed"]


@pytest.mark.parametrize("level", ["compound_a", "building_a", "unit_a"])
def test_claim_of_something_that_is_not_a_home_is_refused(
    oscar: Person, places: dict[str, Place], level: str
) -> None:
    with pytest.raises(DomainError) as refused:
        residency_claim(person=oscar, home=places[level], relation=Relation.OWNER)
    assert refused.value.code == "not_a_home"
    assert not Residency.objects.exists()


def test_claim_with_an_unknown_relation_is_refused(oscar: Person, places: dict[str, Place]) -> None:
    with pytest.raises(DomainError) as refused:
        residency_claim(person=oscar, home=places["home_a2"], relation="landlord")
    assert refused.value.code == "bad_relation"


def test_claiming_the_same_home_twice_is_refused(oscar: Person, places: dict[str, Place]) -> None:
    residency_claim(person=oscar, home=places["home_a2"], relation=Relation.OWNER)
    with pytest.raises(ConflictError) as refused:
        residency_claim(person=oscar, home=places["home_a2"], relation=Relation.FAMILY)
    assert refused.value.code == "already_claimed"
    assert Residency.objects.filter(person=oscar).count() == 1
    assert _verbs() == ["people.residency.claimed"]


def test_grid_worker_confirms_a_claim_in_their_compound(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    claim = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.OWNER)
    decided = residency_decide(actor=dave, residency=claim, approve=True, note=" 已核对房产证 ")
    assert decided.status == ResidencyStatus.CONFIRMED
    assert decided.via == ConfirmedVia.STAFF
    assert decided.decided_by == dave
    assert decided.note == "已核对房产证"
    assert sorted(person_active_roles(_fresh(oscar))) == [
        (Role.OWNER, places["home_a2"].path),
        (Role.RESIDENT, places["home_a2"].path),
    ]
    assert _verbs()[-1] == "people.residency.confirmed"


def test_confirmed_tenant_is_a_resident_but_not_an_owner(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    claim = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.TENANT)
    residency_decide(actor=dave, residency=claim, approve=True)
    assert person_active_roles(_fresh(oscar)) == [(Role.RESIDENT, places["home_a2"].path)]


def test_rejected_claim_gives_no_role(dave: Person, oscar: Person, places) -> None:
    claim = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.OWNER)
    decided = residency_decide(actor=dave, residency=claim, approve=False, note="不是本户")
    assert decided.status == ResidencyStatus.REJECTED
    assert person_active_roles(_fresh(oscar)) == []
    assert _verbs()[-1] == "people.residency.rejected"


def test_grid_worker_cannot_decide_a_claim_in_another_compound(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    claim = residency_claim(person=oscar, home=places["home_b"], relation=Relation.OWNER)
    with pytest.raises(ForbiddenError):
        residency_decide(actor=dave, residency=claim, approve=True)
    claim.refresh_from_db()
    assert claim.status == ResidencyStatus.PENDING


def test_resident_cannot_decide_their_neighbours_claim(
    alice: Person, oscar: Person, places: dict[str, Place]
) -> None:
    claim = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.OWNER)
    with pytest.raises(ForbiddenError):
        residency_decide(actor=alice, residency=claim, approve=True)


def test_a_claim_cannot_be_decided_twice(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    claim = residency_claim(person=oscar, home=places["home_a2"], relation=Relation.OWNER)
    residency_decide(actor=dave, residency=claim, approve=True)
    with pytest.raises(ConflictError) as refused:
        residency_decide(actor=dave, residency=claim, approve=False)
    assert refused.value.code == "already_decided"
    claim.refresh_from_db()
    assert claim.status == ResidencyStatus.CONFIRMED


# --- claim codes -------------------------------------------------------------------------


def test_grid_worker_issues_one_code_per_home_of_a_unit(dave: Person, places) -> None:
    issued = claim_codes_issue(actor=dave, place=places["unit_a"])
    assert [home for home, _code in issued] == [places["home_a"], places["home_a2"]]
    for _home, code in issued:
        assert len(code) == 9
        assert code[4] == "-"
    assert ClaimCode.objects.count() == 2
    assert _verbs() == ["people.claim_codes.issued"]


def test_codes_are_stored_hashed_only(dave: Person, places: dict[str, Place]) -> None:
    issued = claim_codes_issue(actor=dave, place=places["unit_a"])
    stored = list(ClaimCode.objects.values_list("code_hash", flat=True))
    for _home, code in issued:
        plain = code.replace("-", "")
        assert hashlib.sha256(plain.encode()).hexdigest() in stored
        for row in ClaimCode.objects.values():
            assert plain not in " ".join(str(value) for value in row.values())
        for event in AuditEvent.objects.all():
            assert plain not in str(event.data)


def test_claim_with_a_code_confirms_at_once(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    code = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))[places["home_a2"]]
    residency = residency_claim_with_code(person=oscar, code=f" {code.lower()} ")
    assert residency.home == places["home_a2"]
    assert residency.status == ResidencyStatus.CONFIRMED
    assert residency.via == ConfirmedVia.CODE
    assert (Role.OWNER, places["home_a2"].path) in person_active_roles(_fresh(oscar))
    used = ClaimCode.objects.get(home=places["home_a2"])
    assert used.used_by == oscar
    assert used.used_at is not None


def test_claim_with_a_code_confirms_a_pending_claim_instead_of_adding_one(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    residency_claim(person=oscar, home=places["home_a2"], relation=Relation.TENANT)
    code = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))[places["home_a2"]]
    residency_claim_with_code(person=oscar, code=code)
    only = Residency.objects.get(person=oscar)
    assert only.status == ResidencyStatus.CONFIRMED
    assert only.relation == Relation.OWNER


def test_a_used_code_fails(dave: Person, oscar: Person, places: dict[str, Place]) -> None:
    code = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))[places["home_a2"]]
    residency_claim_with_code(person=oscar, code=code)
    stranger = PersonFactory.create()
    with pytest.raises(DomainError) as refused:
        residency_claim_with_code(person=stranger, code=code)
    assert refused.value.code == "bad_claim_code"
    assert not Residency.objects.filter(person=stranger).exists()


def test_a_wrong_code_fails(oscar: Person, dave: Person, places) -> None:
    claim_codes_issue(actor=dave, place=places["unit_a"])
    with pytest.raises(DomainError) as refused:
        residency_claim_with_code(person=oscar, code="AAAA-AAAA")
    assert refused.value.field == "code"


def test_reissuing_codes_revokes_the_old_ones(
    dave: Person, oscar: Person, places: dict[str, Place]
) -> None:
    old = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))[places["home_a2"]]
    new = dict(claim_codes_issue(actor=dave, place=places["unit_a"]))[places["home_a2"]]
    with pytest.raises(DomainError):
        residency_claim_with_code(person=oscar, code=old)
    assert residency_claim_with_code(person=oscar, code=new).home == places["home_a2"]
    assert ClaimCode.objects.filter(revoked_at__isnull=False).count() == 2


def test_only_the_listed_roles_issue_codes(
    alice: Person, carol: Person, dave: Person, places: dict[str, Place]
) -> None:
    for person in (alice, carol):
        with pytest.raises(ForbiddenError):
            claim_codes_issue(actor=person, place=places["unit_a"])
    with pytest.raises(ForbiddenError):
        claim_codes_issue(actor=dave, place=places["unit_b"])
    assert not ClaimCode.objects.exists()


# --- role_assign and role_end ------------------------------------------------------------


def test_community_staff_assign_a_building_head(
    frank: Person, oscar: Person, places: dict[str, Place]
) -> None:
    assignment = role_assign(
        actor=frank, person=oscar, role=Role.BUILDING_HEAD, place=places["building_a"]
    )
    assert assignment.granted_by == frank
    assert assignment.starts_on == timezone.localdate()
    assert assignment.ends_on is None
    assert (Role.BUILDING_HEAD, places["building_a"].path) in person_active_roles(_fresh(oscar))
    event = AuditEvent.objects.get(verb="people.role.assigned")
    assert event.actor == frank
    assert event.data["role"] == "building_head"


def test_grid_worker_cannot_assign_roles(dave: Person, oscar: Person, places) -> None:
    with pytest.raises(ForbiddenError):
        role_assign(actor=dave, person=oscar, role=Role.UNIT_HEAD, place=places["unit_a"])
    assert not RoleAssignment.objects.filter(person=oscar).exists()


def test_community_staff_cannot_assign_roles_in_another_subdistrict(
    frank: Person, oscar: Person
) -> None:
    other = tree("乙")
    with pytest.raises(ForbiddenError):
        role_assign(actor=frank, person=oscar, role=Role.GRID_WORKER, place=other["compound_a"])


@pytest.mark.parametrize("role", [Role.OWNER, Role.RESIDENT, "king"])
def test_household_and_unknown_roles_cannot_be_assigned(
    frank: Person, oscar: Person, places: dict[str, Place], role: str
) -> None:
    with pytest.raises(DomainError) as refused:
        role_assign(actor=frank, person=oscar, role=role, place=places["home_a"])
    assert refused.value.code == "bad_role"
    assert not RoleAssignment.objects.filter(person=oscar).exists()


def test_role_cannot_end_before_it_starts(frank: Person, oscar: Person, places) -> None:
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        role_assign(
            actor=frank,
            person=oscar,
            role=Role.GRID_WORKER,
            place=places["compound_a"],
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )
    assert refused.value.code == "bad_dates"


def test_ending_a_role_today_keeps_it_until_tonight_and_yesterday_ends_it(
    frank: Person, oscar: Person, places: dict[str, Place]
) -> None:
    today = timezone.localdate()
    assignment = role_assign(
        actor=frank,
        person=oscar,
        role=Role.GRID_WORKER,
        place=places["compound_a"],
        starts_on=today - timedelta(days=10),
    )
    role_end(actor=frank, assignment=assignment)
    assert assignment.ends_on == today
    assert person_active_roles(_fresh(oscar)) == [(Role.GRID_WORKER, places["compound_a"].path)]
    role_end(actor=frank, assignment=assignment, ends_on=today - timedelta(days=1))
    assert person_active_roles(_fresh(oscar)) == []
    assert _verbs().count("people.role.ended") == 2


def test_role_end_refuses_a_date_before_the_start(frank: Person, oscar: Person, places) -> None:
    assignment = role_assign(
        actor=frank, person=oscar, role=Role.GRID_WORKER, place=places["compound_a"]
    )
    with pytest.raises(DomainError) as refused:
        role_end(actor=frank, assignment=assignment, ends_on=timezone.localdate() - timedelta(1))
    assert refused.value.code == "bad_dates"
    assignment.refresh_from_db()
    assert assignment.ends_on is None


def test_grid_worker_cannot_end_a_role(dave: Person, erin: Person) -> None:
    assignment = RoleAssignment.objects.get(person=erin)
    with pytest.raises(ForbiddenError):
        role_end(actor=dave, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.ends_on is None


# --- person_phone_reveal -----------------------------------------------------------------


def test_person_sees_their_own_phone_without_an_audit_event(alice: Person) -> None:
    assert person_phone_reveal(viewer=alice, person=alice) == alice.phone
    assert _verbs() == []


def test_community_staff_reveal_a_phone_and_it_is_audited(frank: Person, alice: Person) -> None:
    assert person_phone_reveal(viewer=frank, person=alice) == alice.phone
    event = AuditEvent.objects.get(verb="people.phone.revealed")
    assert event.actor == frank
    assert event.object_type == "people.person"
    assert event.object_id == alice.uid


def test_resident_cannot_reveal_a_neighbours_phone(alice: Person, bob: Person) -> None:
    with pytest.raises(ForbiddenError):
        person_phone_reveal(viewer=alice, person=bob)
    assert _verbs() == []


def test_grid_worker_reveals_phones_in_their_compound_only(
    dave: Person, alice: Person, bob: Person
) -> None:
    assert person_phone_reveal(viewer=dave, person=alice) == alice.phone
    with pytest.raises(ForbiddenError):
        person_phone_reveal(viewer=dave, person=bob)
    assert _verbs() == ["people.phone.revealed"]
