"""Party branches: formed for one compound (单建) or several (联建), and their members' roles."""

from __future__ import annotations

import pytest

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.core.roles import Role
from qinlin.organisations.models import BranchKind, MemberRole, PartyBranch, PartyMembership
from qinlin.organisations.services import branch_create, branch_enrol
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import Place
from tests.factories import PersonFactory, tree

pytestmark = pytest.mark.django_db


def _joint(places: dict[str, Place], actor: Person | None = None) -> PartyBranch:
    return branch_create(
        actor=actor,
        community=places["community"],
        name="上河园锦绣苑联合党支部",
        compounds=[places["compound_a"], places["compound_b"]],
    )


def _roles(person: Person) -> list[tuple[str, str]]:
    return sorted(person_active_roles(Person.objects.get(pk=person.pk)))


def test_branch_for_one_compound_is_single(frank: Person, places: dict[str, Place]) -> None:
    branch = branch_create(
        actor=frank,
        community=places["community"],
        name=" 上河园党支部 ",
        compounds=[places["compound_a"]],
    )
    assert branch.kind == BranchKind.SINGLE
    assert branch.name == "上河园党支部"
    assert list(branch.compounds.all()) == [places["compound_a"]]
    event = AuditEvent.objects.get(verb="organisations.branch.created")
    assert event.actor == frank
    assert event.data == {"kind": "single", "compounds": [places["compound_a"].uid]}


def test_branch_for_several_compounds_is_joint(places: dict[str, Place]) -> None:
    branch = _joint(places)
    assert branch.kind == BranchKind.JOINT
    assert set(branch.compounds.all()) == {places["compound_a"], places["compound_b"]}


def test_compound_outside_the_community_is_refused(places: dict[str, Place]) -> None:
    other = tree("乙")
    with pytest.raises(DomainError) as refused:
        branch_create(
            actor=None,
            community=places["community"],
            name="跨社区支部",
            compounds=[places["compound_a"], other["compound_a"]],
        )
    assert refused.value.code == "bad_compound"
    assert other["compound_a"].name in str(refused.value)
    assert not PartyBranch.objects.exists()


def test_a_building_is_not_a_compound(places: dict[str, Place]) -> None:
    with pytest.raises(DomainError) as refused:
        branch_create(
            actor=None,
            community=places["community"],
            name="楼栋支部",
            compounds=[places["building_a"]],
        )
    assert refused.value.code == "bad_compound"


def test_branch_needs_a_community_a_name_and_a_compound(places: dict[str, Place]) -> None:
    with pytest.raises(DomainError) as refused:
        branch_create(
            actor=None,
            community=places["compound_a"],
            name="支部",
            compounds=[places["compound_a"]],
        )
    assert refused.value.code == "bad_community"
    with pytest.raises(DomainError) as refused:
        branch_create(actor=None, community=places["community"], name="支部", compounds=[])
    assert refused.value.code == "no_compounds"
    with pytest.raises(DomainError) as refused:
        branch_create(
            actor=None, community=places["community"], name=" ", compounds=[places["compound_a"]]
        )
    assert refused.value.code == "name_required"
    assert not PartyBranch.objects.exists()


def test_two_branches_of_a_community_cannot_share_a_name(places: dict[str, Place]) -> None:
    _joint(places)
    with pytest.raises(ConflictError) as refused:
        branch_create(
            actor=None,
            community=places["community"],
            name="上河园锦绣苑联合党支部",
            compounds=[places["compound_a"]],
        )
    assert refused.value.code == "branch_name_taken"
    assert PartyBranch.objects.count() == 1


def test_only_community_office_forms_branches(
    dave: Person, erin: Person, places: dict[str, Place]
) -> None:
    for actor in (dave, erin):
        with pytest.raises(ForbiddenError):
            _joint(places, actor=actor)
    assert not PartyBranch.objects.exists()


def test_member_is_a_party_member_at_their_home_compound(places: dict[str, Place]) -> None:
    branch = _joint(places)
    member = PersonFactory.create()
    membership = branch_enrol(
        actor=None, branch=branch, person=member, home_compound=places["compound_b"]
    )
    assert membership.role == MemberRole.MEMBER
    assert _roles(member) == [(Role.PARTY_MEMBER, places["compound_b"].path)]
    assert AuditEvent.objects.filter(verb="organisations.member.enrolled").count() == 1


def test_secretary_is_branch_secretary_at_every_covered_compound(
    frank: Person, places: dict[str, Place]
) -> None:
    branch = _joint(places, actor=frank)
    secretary = PersonFactory.create()
    branch_enrol(
        actor=frank,
        branch=branch,
        person=secretary,
        home_compound=places["compound_a"],
        role=MemberRole.SECRETARY,
    )
    assert _roles(secretary) == sorted(
        [
            (Role.PARTY_MEMBER, places["compound_a"].path),
            (Role.BRANCH_SECRETARY, places["compound_a"].path),
            (Role.BRANCH_SECRETARY, places["compound_b"].path),
        ]
    )


def test_single_branch_secretary_does_not_reach_other_compounds(places) -> None:
    branch = branch_create(
        actor=None,
        community=places["community"],
        name="上河园党支部",
        compounds=[places["compound_a"]],
    )
    secretary = PersonFactory.create()
    branch_enrol(
        actor=None,
        branch=branch,
        person=secretary,
        home_compound=places["compound_a"],
        role=MemberRole.SECRETARY,
    )
    assert (Role.BRANCH_SECRETARY, places["compound_b"].path) not in _roles(secretary)


def test_home_compound_must_be_covered_by_the_branch(places: dict[str, Place]) -> None:
    branch = branch_create(
        actor=None,
        community=places["community"],
        name="上河园党支部",
        compounds=[places["compound_a"]],
    )
    member = PersonFactory.create()
    with pytest.raises(DomainError) as refused:
        branch_enrol(actor=None, branch=branch, person=member, home_compound=places["compound_b"])
    assert refused.value.code == "bad_compound"
    assert not PartyMembership.objects.exists()
    assert _roles(member) == []


def test_a_person_is_enrolled_in_a_branch_once(places: dict[str, Place]) -> None:
    branch = _joint(places)
    member = PersonFactory.create()
    branch_enrol(actor=None, branch=branch, person=member, home_compound=places["compound_a"])
    with pytest.raises(ConflictError) as refused:
        branch_enrol(
            actor=None,
            branch=branch,
            person=member,
            home_compound=places["compound_b"],
            role=MemberRole.SECRETARY,
        )
    assert refused.value.code == "already_member"
    assert _roles(member) == [(Role.PARTY_MEMBER, places["compound_a"].path)]


def test_unknown_member_role_is_refused(places: dict[str, Place]) -> None:
    branch = _joint(places)
    with pytest.raises(DomainError) as refused:
        branch_enrol(
            actor=None,
            branch=branch,
            person=PersonFactory.create(),
            home_compound=places["compound_a"],
            role="chairman",
        )
    assert refused.value.code == "bad_member_role"


def test_only_community_office_enrols_members(dave: Person, places: dict[str, Place]) -> None:
    branch = _joint(places)
    with pytest.raises(ForbiddenError):
        branch_enrol(
            actor=dave,
            branch=branch,
            person=dave,
            home_compound=places["compound_a"],
            role=MemberRole.SECRETARY,
        )
    assert not PartyMembership.objects.exists()
