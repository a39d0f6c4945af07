"""API shapes of people: phone numbers are always masked here."""

from __future__ import annotations

from ninja import Schema

from qinlin.people.models import Person


class RoleOut(Schema):
    role: str
    place: str
    place_name: str


class PersonOut(Schema):
    """Built from a Person with `confirmed_ties` and `current_roles` prefetched."""

    uid: str
    name: str
    phone_masked: str
    homes: list[str]
    roles: list[RoleOut]

    @staticmethod
    def resolve_homes(obj: Person) -> list[str]:
        labels = []
        for tie in getattr(obj, "confirmed_ties", []):
            home = tie.home
            chain = [home.parent.parent.parent, home.parent.parent, home.parent, home]
            labels.append(" ".join(p.name for p in chain if p is not None))
        return labels

    @staticmethod
    def resolve_roles(obj: Person) -> list[RoleOut]:
        return [
            RoleOut(role=a.role, place=a.place.uid, place_name=a.place.name)
            for a in getattr(obj, "current_roles", [])
        ]


class PhoneOut(Schema):
    phone: str
