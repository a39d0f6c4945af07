"""Login throttling with django-axes: a phone is locked after QINLIN_LOGIN_ACCOUNT_LIMIT
failures from any address, an address after QINLIN_LOGIN_ADDRESS_LIMIT failures for any phone.

Unknown phones count like known ones, so a lockout says nothing about who is registered.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from qinlin.people.models import Person
from qinlin.people.services import normalise_phone


def login_phone(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The phone an attempt was for, as axes keys its counts (AXES_USERNAME_CALLABLE)."""
    # authenticate() passes the phone as "username"; axes' own checks key it by USERNAME_FIELD.
    given = credentials or {}
    raw = given.get(Person.USERNAME_FIELD) or given.get("username")
    if not credentials:
        raw = request.POST.get("username")
    if raw is None:
        return None
    return normalise_phone(str(raw)) or str(raw)[:40]


class LoginThrottle(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes compares one count with one limit (AXES_FAILURE_LIMIT = 1); a phone and an
    address have limits of their own, so the count here is 1 once either is reached."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_phone, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        locked = (
            by_phone >= settings.QINLIN_LOGIN_ACCOUNT_LIMIT
            or by_address >= settings.QINLIN_LOGIN_ADDRESS_LIMIT
        )
        return 1 if locked else 0

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        """A right password clears the phone's failures; the address keeps its count, or one
        account of an attacker's own would wipe the record of their guesses at others."""
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()
