"""Reads about notifications: a person's bell and messages, the robots and the robots' outbox
under the places where someone looks after them."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from qinlin.core.permissions import roles_for
from qinlin.notify.kinds import Channel
from qinlin.notify.models import Notification, Robot, Status
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import PATH_END

# What a person has to decide comes first in the outbox: nothing else will move these.
NEEDS_A_PERSON = (Status.FAILED, Status.IN_DOUBT)


def unread_count(person: Person) -> int:
    """The bell: one COUNT on the notify_inbox index (person, channel, read_at)."""
    return Notification.objects.filter(
        person=person, channel=Channel.IN_APP, read_at__isnull=True
    ).count()


def notifications_of(person: Person) -> QuerySet[Notification]:
    """A person's in-app messages, newest first (the model's ordering, on the same index)."""
    return Notification.objects.filter(person=person, channel=Channel.IN_APP).order_by(
        "-created_at", "-id"
    )


def scope_paths(person: Person, action: str) -> list[str]:
    """The paths of the places where `person` holds a role for `action`, without those under
    another of them (the roles are cached on the person by the permission checks)."""
    allowed = roles_for(action)
    paths = sorted({path for role, path in person_active_roles(person) if role in allowed})
    tops: list[str] = []
    for path in paths:
        if not any(path.startswith(top) for top in tops):
            tops.append(path)
    return tops


def _under(paths: list[str], field: str) -> Q:
    scope = Q(pk__in=[])
    for path in paths:
        scope |= Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})
    return scope


def robots_under(paths: list[str]) -> QuerySet[Robot]:
    """The robots at or under the places with these paths, by place then name."""
    return (
        Robot.objects.filter(_under(paths, "place__path"))
        .select_related("place__parent__parent")
        .order_by("place__path", "name", "id")
    )


def outbox_under(paths: list[str], *, status: str = "") -> QuerySet[Notification]:
    """The messages of the robots under these places: failed and in-doubt first (they wait
    for a person), then the newest. `status` narrows to one status; `held` marks a message
    kept back (quiet hours, a retry's wait)."""
    rows = Notification.objects.filter(
        _under(paths, "robot__place__path"), channel=Channel.ROBOT
    ).select_related("robot__place__parent__parent")
    if status:
        rows = rows.filter(status=status)
    return rows.annotate(
        waiting=Case(
            When(status__in=NEEDS_A_PERSON, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        held=ExpressionWrapper(Q(due_at__gt=F("created_at")), output_field=BooleanField()),
    ).order_by("waiting", "-created_at", "-id")
