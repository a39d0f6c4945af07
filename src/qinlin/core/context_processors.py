from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qinlin.core.permissions import can
from qinlin.notify.selectors import unread_count
from qinlin.people.models import Person


class Bell:
    """The unread count in the top bar, counted when a page first shows it: fragments and
    print views that leave out the top bar cost no query."""

    def __init__(self, person: Person) -> None:
        self.person = person

    @cached_property
    def unread(self) -> int:
        return unread_count(self.person)


def qinlin(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    person = user if isinstance(user, Person) and user.is_authenticated else None
    return {
        "site_name": settings.QINLIN_SITE_NAME,
        "uses_workspace": bool(person) and can(person, "core.use_workspace"),
        "bell": Bell(person) if person is not None else None,
    }
