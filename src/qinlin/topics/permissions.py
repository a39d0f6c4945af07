"""Who may read a topic: the staff of its board, and the residents of its compound."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qinlin.core.permissions import can
from qinlin.core.roles import Role
from qinlin.places.models import SEGMENT

if TYPE_CHECKING:
    from qinlin.people.models import Person
    from qinlin.topics.models import Topic

COMPOUND_DEPTH = 3 * SEGMENT


def resident_compound_paths(person: Person) -> set[str]:
    """The paths of the compounds where the person has a confirmed home."""
    from qinlin.people.selectors import person_active_roles

    return {
        path[:COMPOUND_DEPTH]
        for role, path in person_active_roles(person)
        if role == Role.RESIDENT and len(path) >= COMPOUND_DEPTH
    }


def resident_reaches(compound_path: str, place_path: str) -> bool:
    """A resident of the compound reads topics at or under it, and those of its community."""
    return place_path.startswith(compound_path) or compound_path.startswith(place_path)


def can_read(person: Person | None, topic: Topic) -> bool:
    """May `person` read the topic, its public timeline and its meetings?"""
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    if can(person, "topics.view_board", topic.place):
        return True
    return any(resident_reaches(c, topic.place.path) for c in resident_compound_paths(person))
