"""factory_boy factories shared by every test folder."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.declarations import PostGenerationMethodCall, Sequence

from qinlin.core.roles import Role
from qinlin.people.models import Person, Residency, ResidencyStatus, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.places.services import child_path, next_child_number


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place

    kind = PlaceKind.SUBDISTRICT
    name = Sequence(lambda n: f"地点{n}")

    @classmethod
    def _create(cls, model_class: type[Place], *args: Any, **kwargs: Any) -> Place:
        parent = kwargs.get("parent")
        kwargs.setdefault("path", child_path(parent, next_child_number(parent)))
        if kwargs.get("kind") == PlaceKind.HOME and kwargs.get("area") is None:
            kwargs["area"] = Decimal("89.50")
        place: Place = super()._create(model_class, *args, **kwargs)
        return place


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = Sequence(lambda n: f"居民{n}")
    phone = Sequence(lambda n: f"139{n:08d}")
    password = PostGenerationMethodCall("set_password", "qinlin-test-pw")

    @classmethod
    def _after_postgeneration(cls, instance: Person, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


def tree(prefix: str = "") -> dict[str, Place]:
    """A small place tree: one subdistrict, one community, two compounds (A and B)."""
    sub = PlaceFactory.create(kind=PlaceKind.SUBDISTRICT, name=f"{prefix}北苑街道")
    com = PlaceFactory.create(kind=PlaceKind.COMMUNITY, name=f"{prefix}北苑社区", parent=sub)
    a = PlaceFactory.create(kind=PlaceKind.COMPOUND, name=f"{prefix}上河园", parent=com)
    a3 = PlaceFactory.create(kind=PlaceKind.BUILDING, name="3号楼", parent=a)
    a32 = PlaceFactory.create(kind=PlaceKind.UNIT, name="2单元", parent=a3)
    a_home = PlaceFactory.create(kind=PlaceKind.HOME, name="101", parent=a32, area=Decimal("89.50"))
    a_home2 = PlaceFactory.create(
        kind=PlaceKind.HOME, name="102", parent=a32, area=Decimal("120.00")
    )
    b = PlaceFactory.create(kind=PlaceKind.COMPOUND, name=f"{prefix}锦绣苑", parent=com)
    b1 = PlaceFactory.create(kind=PlaceKind.BUILDING, name="1号楼", parent=b)
    b11 = PlaceFactory.create(kind=PlaceKind.UNIT, name="1单元", parent=b1)
    b_home = PlaceFactory.create(kind=PlaceKind.HOME, name="201", parent=b11, area=Decimal("76.30"))
    return {
        "subdistrict": sub,
        "community": com,
        "compound_a": a,
        "building_a": a3,
        "unit_a": a32,
        "home_a": a_home,
        "home_a2": a_home2,
        "compound_b": b,
        "building_b": b1,
        "unit_b": b11,
        "home_b": b_home,
    }


def resident_of(home: Place, *, relation: str = "owner", **person: Any) -> Person:
    """A person with a confirmed residency at `home`."""
    p = PersonFactory.create(**person)
    Residency.objects.create(
        person=p, home=home, relation=relation, status=ResidencyStatus.CONFIRMED, via="staff"
    )
    return p


def holding(name: str, role: Role, place: Place) -> Person:
    """A person holding `role` at `place` from today."""
    person = PersonFactory.create(name=name)
    RoleAssignment.objects.create(person=person, role=role, place=place)
    return person
