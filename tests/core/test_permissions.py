"""`can(person, action, obj)` read as a matrix built from the PERMISSIONS table itself.

Every role is tried at every level of the fixture tree, against objects inside compound A,
compound A itself and compound B; the expected answer comes from the table and from which
places a level reaches, written out by hand below rather than computed the way `can` does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinlin.core.permissions import PERMISSIONS, can
from qinlin.core.roles import ASSIGNABLE_ROLES, HOUSEHOLD_ROLES, Role
from qinlin.people.models import Person, Relation, RoleAssignment
from qinlin.people.selectors import person_active_roles
from qinlin.people.services import residency_claim, role_assign
from qinlin.places.models import Place
from tests.factories import PersonFactory, resident_of, tree

pytestmark = pytest.mark.django_db

LEVELS = ["subdistrict", "community", "compound_a", "building_a", "unit_a"]
OBJECTS = ["home_a", "compound_a", "home_b"]

# Which of OBJECTS a role held at each level reaches (a household role: its own home only).
REACHES = {
    "subdistrict": {"home_a", "compound_a", "home_b"},
    "community": {"home_a", "compound_a", "home_b"},
    "compound_a": {"home_a", "compound_a"},
    "building_a": {"home_a"},
    "unit_a": {"home_a"},
    "household": {"home_a"},
}


def _holder(role: Role, level: str, places: dict[str, Place]) -> Person:
    """A person holding `role` at `level`; household roles through a confirmed residency."""
    if role in HOUSEHOLD_ROLES:
        relation = Relation.OWNER if role == Role.OWNER else Relation.FAMILY
        return resident_of(places["home_a"], relation=relation)
    person = PersonFactory.create()
    role_assign(actor=None, person=person, role=role, place=places[level])
    return person


def _held_roles(role: Role) -> set[Role]:
    # An owner is a resident of the home as well.
    return {Role.OWNER, Role.RESIDENT} if role == Role.OWNER else {role}


MATRIX = [(role, level) for role in ASSIGNABLE_ROLES for level in LEVELS] + [
    (role, "household") for role in Role if role in HOUSEHOLD_ROLES
]


@pytest.mark.parametrize(("role", "level"), MATRIX, ids=[f"{r.value}@{lv}" for r, lv in MATRIX])
def test_role_reaches_exactly_what_the_table_and_the_tree_say(
    places: dict[str, Place], role: Role, level: str
) -> None:
    person = _holder(role, level, places)
    wrong = []
    for action, allowed in PERMISSIONS.items():
        granted = bool(_held_roles(role) & allowed)
        for name in OBJECTS:
            expected = granted and name in REACHES[level]
            if can(person, action, places[name]) != expected:
                wrong.append(f"{action} on {name}: expected {expected}")
        if can(person, action) != granted:
            wrong.append(f"{action} with no object: expected {granted}")
    assert wrong == []


def test_every_role_in_the_table_is_a_known_role_and_every_action_names_an_app() -> None:
    for action, allowed in PERMISSIONS.items():
        app_label, _sep, verb = action.partition(".")
        assert verb, action
        assert apps.is_installed(f"qinlin.{app_label}"), action
        assert allowed, f"{action} allows no role"
        assert all(isinstance(role, Role) for role in allowed), action


def test_anonymous_visitor_is_refused_everything(places: dict[str, Place]) -> None:
    for action in PERMISSIONS:
        assert not can(AnonymousUser(), action, places["home_a"])  # type: ignore[arg-type]
        assert not can(AnonymousUser(), action)  # type: ignore[arg-type]
        assert not can(None, action)


def test_inactive_person_is_refused_everything(places: dict[str, Place]) -> None:
    person = PersonFactory.create(is_active=False)
    for role in ASSIGNABLE_ROLES:
        role_assign(actor=None, person=person, role=role, place=places["subdistrict"])
    for action in PERMISSIONS:
        assert not can(person, action, places["home_a"])
        assert not can(person, action)


def test_role_that_ended_yesterday_no_longer_counts(places: dict[str, Place]) -> None:
    today = timezone.localdate()
    person = PersonFactory.create()
    role_assign(
        actor=None,
        person=person,
        role=Role.GRID_WORKER,
        place=places["compound_a"],
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
    )
    assert not can(person, "people.decide_residency", places["home_a"])
    assert not can(person, "people.decide_residency")


def test_role_ending_today_still_counts(places: dict[str, Place]) -> None:
    today = timezone.localdate()
    person = PersonFactory.create()
    role_assign(
        actor=None,
        person=person,
        role=Role.GRID_WORKER,
        place=places["compound_a"],
        starts_on=today - timedelta(days=30),
        ends_on=today,
    )
    assert can(person, "people.decide_residency", places["home_a"])


def test_role_starting_tomorrow_does_not_count_yet(places: dict[str, Place]) -> None:
    person = PersonFactory.create()
    role_assign(
        actor=None,
        person=person,
        role=Role.GRID_WORKER,
        place=places["compound_a"],
        starts_on=timezone.localdate() + timedelta(days=1),
    )
    assert not can(person, "people.decide_residency", places["home_a"])
    assert not can(person, "people.decide_residency")


def test_without_an_object_holding_the_role_anywhere_is_enough(
    dave: Person, alice: Person, places: dict[str, Place]
) -> None:
    assert can(dave, "people.view_phone")
    assert not can(dave, "people.view_phone", places["home_b"])
    assert not can(dave, "core.view_audit")
    assert not can(alice, "core.use_workspace")


def test_pending_residency_gives_no_household_role(oscar: Person, places: dict[str, Place]) -> None:
    residency_claim(person=oscar, home=places["home_a"], relation=Relation.OWNER)
    assert person_active_roles(oscar) == []
    for action, allowed in PERMISSIONS.items():
        if allowed & HOUSEHOLD_ROLES:
            assert not can(oscar, action, places["home_a"])


def test_confirmed_owner_holds_owner_and_resident_at_the_home_only(
    alice: Person, places: dict[str, Place]
) -> None:
    assert sorted(person_active_roles(alice)) == [
        (Role.OWNER, places["home_a"].path),
        (Role.RESIDENT, places["home_a"].path),
    ]


def test_household_roles_cannot_be_assigned_in_the_database(places: dict[str, Place]) -> None:
    person = PersonFactory.create()
    for role in HOUSEHOLD_ROLES:
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(person=person, role=role, place=places["home_a"])


def test_a_person_is_judged_at_the_homes_they_live_in(
    dave: Person, alice: Person, bob: Person
) -> None:
    assert can(dave, "people.view_phone", alice)
    assert not can(dave, "people.view_phone", bob)


def test_an_object_with_a_place_is_judged_at_that_place(dave: Person, places) -> None:
    class Thing:
        def __init__(self, place: Place) -> None:
            self.place = place

    assert can(dave, "people.view_people", Thing(places["building_a"]))
    assert not can(dave, "people.view_people", Thing(places["building_b"]))


def test_an_object_without_a_place_is_a_programming_error(dave: Person) -> None:
    with pytest.raises(TypeError, match="does not belong to a place"):
        can(dave, "people.view_people", object())


def test_roles_in_another_subdistrict_do_not_reach_this_one(places: dict[str, Place]) -> None:
    other = tree("乙")
    person = PersonFactory.create()
    role_assign(actor=None, person=person, role=Role.SUBDISTRICT_ADMIN, place=other["subdistrict"])
    assert can(person, "core.view_audit", other["home_a"])
    assert not can(person, "core.view_audit", places["home_a"])


def test_unknown_action_is_a_programming_error(dave: Person) -> None:
    with pytest.raises(KeyError):
        can(dave, "places.fly")
