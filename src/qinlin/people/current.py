"""The person behind a request, for the pages and API operations that require a login."""

from __future__ import annotations

from django.http import HttpRequest

from qinlin.people.models import Person


def current_person(request: HttpRequest) -> Person:
    """The logged-in person; the login check (`login_required`, the API's auth) has run."""
    user = request.user
    assert isinstance(user, Person)
    return user
