"""Who may file, see and handle appeals (the table is core/permissions.py)."""

from __future__ import annotations

from qinlin.appeals.models import Appeal
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import Place, PlaceKind

FILING_KINDS = (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOME)


def can_file(person: Person | None, place: Place) -> bool:
    """A resident files about their own home or anything around it up to the compound;
    staff enter appeals for any place they are responsible for."""
    if person is None or not person.is_authenticated or place.kind not in FILING_KINDS:
        return False
    if can(person, "appeals.enter", place):
        return True
    return any(
        role == "resident" and path.startswith(place.path)
        for role, path in person_active_roles(person)
    )


def can_view(person: Person | None, appeal: Appeal) -> bool:
    if person is None or not person.is_authenticated:
        return False
    if appeal.reporter_id == person.pk:
        return True
    return can(person, "appeals.view_inbox", appeal.place)


def can_triage(person: Person | None, appeal: Appeal) -> bool:
    return can(person, "appeals.triage", appeal.place)
