"""Writing messages into the outbox, inside the caller's transaction.

A change calls `notify_people` (or the events module does, from the change's audit event);
the rows and the worker's task commit or roll back with the change itself. In-app messages
are delivered by being written; the other channels wait for the worker (delivery.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from qinlin.notify.kinds import SPECS, Channel, Kind
from qinlin.notify.models import Notification, Preferences, Robot, Status
from qinlin.people.models import Person
from qinlin.places.models import Place


@dataclass(frozen=True)
class Message:
    subject: str
    body: str = ""
    link: str = ""  # a path on this site, e.g. /appeals/<uid>/


Compose = Callable[[], Message]


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (local time), or None outside them."""
    start, end = settings.QINLIN_QUIET_HOURS
    local = timezone.localtime(now)
    clock = local.time()
    in_quiet = (clock >= start or clock < end) if start > end else start <= clock < end
    if not in_quiet:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def channels_for(person: Person, kind: Kind, prefs: Preferences | None) -> list[Channel]:
    """The channels besides in-app this person gets `kind` on, as they chose or by default,
    leaving out those they have no address for."""
    spec = SPECS[kind]
    chosen = prefs.chosen(kind) if prefs is not None else None
    wanted = [Channel(c) for c in chosen if c in Channel.values] if chosen is not None else None
    channels = list(spec.channels) if wanted is None else wanted
    if spec.staff and kind != Kind.DIGEST and prefs is not None and prefs.digest:
        return []  # they read these in the morning digest
    usable = []
    for channel in channels:
        has_email = channel == Channel.EMAIL and prefs is not None and prefs.email
        if has_email or (channel == Channel.SMS and person.phone):
            usable.append(channel)
    return usable


def _address(person: Person, channel: Channel, prefs: Preferences | None) -> str:
    if channel == Channel.EMAIL:
        return prefs.email if prefs is not None else ""
    if channel == Channel.SMS:
        return person.phone or ""
    return ""


class _Composer:
    """Renders a message once per language."""

    def __init__(self, compose: Compose) -> None:
        self.compose = compose
        self.cache: dict[str, Message] = {}

    def __call__(self, language: str) -> Message:
        if language not in self.cache:
            with translation.override(language):
                self.cache[language] = self.compose()
        return self.cache[language]


def notify_people(
    *,
    kind: Kind,
    event_key: str,
    people: Iterable[Person],
    compose: Compose,
    place: Place | None = None,
    now: datetime | None = None,
) -> int:
    """Write `kind`'s message for each person (and for the robots at `place` and above that
    post this kind); returns how many rows were written. Writing the same event again for
    the same recipient and channel writes nothing."""
    now = now or timezone.now()
    recipients = {p.pk: p for p in people if p.is_active}
    prefs = {p.person_id: p for p in Preferences.objects.filter(person_id__in=list(recipients))}
    render = _Composer(compose)
    spec = SPECS[kind]
    held = None if spec.urgent else quiet_until(now)
    rows: list[Notification] = []

    def row(message: Message, **fields: object) -> Notification:
        return Notification(
            event_key=event_key,
            kind=kind,
            subject=message.subject[:200],
            body=message.body,
            link=message.link[:300],
            urgent=spec.urgent,
            created_at=now,
            **fields,
        )

    for person in recipients.values():
        message = render(person.language)
        rows.append(
            row(
                message,
                person=person,
                channel=Channel.IN_APP,
                language=person.language,
                status=Status.SENT,
                sent_at=now,
                due_at=now,
            )
        )
        choice = prefs.get(person.pk)
        quiet = held if (choice is None or choice.quiet_hours) else None
        for channel in channels_for(person, kind, choice):
            rows.append(
                row(
                    message,
                    person=person,
                    channel=channel,
                    address=_address(person, channel, choice),
                    language=person.language,
                    due_at=quiet or now,
                )
            )
    if place is not None:
        for robot in robots_for(kind, place):
            rows.append(
                row(
                    render(robot.language),
                    robot=robot,
                    channel=Channel.ROBOT,
                    language=robot.language,
                    due_at=(held if robot.quiet_hours else None) or now,
                )
            )
    if not rows:
        return 0
    with transaction.atomic():
        before = Notification.objects.filter(event_key=event_key).count()
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        written = Notification.objects.filter(event_key=event_key).count() - before
        # Writing an event again wrote nothing, so it queues nothing either.
        waiting = {r.due_at for r in rows if r.channel != Channel.IN_APP} if written else set()
        for due in sorted(waiting):
            from qinlin.notify.delivery import deliver

            task = deliver if due <= now else deliver.using(run_after=due)
            task.enqueue(event_key)
    return written


def robots_for(kind: Kind, place: Place) -> list[Robot]:
    return [
        robot
        for robot in Robot.objects.filter(place__path__in=place.ancestor_paths, active=True)
        if kind in robot.kinds
    ]
