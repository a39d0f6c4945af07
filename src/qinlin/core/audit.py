"""Recording and verifying the audit chain.

Each event's hash covers its predecessor's hash and its own content, so changing, removing
or reordering any event breaks every hash after it; `audit_verify` names the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.models import GENESIS_HASH, AuditEvent

if TYPE_CHECKING:
    from qinlin.people.models import Person

# Sent inside the recording transaction, so what listeners write commits or rolls back with
# the change (the outbox of notify/ listens).
audit_recorded = Signal()

# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 727_001


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """The data as JSON will store it, so hashing before and after a round trip agrees."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def event_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    verb: str,
    object_type: str,
    object_id: str,
    place_path: str,
    data: dict[str, Any],
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            verb,
            object_type,
            object_id,
            place_path,
            data,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _object_ref(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    object_type = obj._meta.label_lower
    object_id = str(getattr(obj, "uid", None) or obj.pk)
    place_path = ""
    if hasattr(obj, "path") and isinstance(obj.path, str):
        place_path = obj.path
    else:
        # A vote or a survey is about its scope; a task, tender or audit about its topic's
        # place. The place is what the dashboard's cache forgets by (stats/cache.py): an
        # event without one makes every subdistrict's figures be computed again.
        place = (
            getattr(obj, "place", None)
            or getattr(obj, "home", None)
            or getattr(obj, "scope", None)
            or getattr(getattr(obj, "topic", None), "place", None)
        )
        if place is not None and hasattr(place, "path"):
            place_path = place.path
    return object_type, object_id, place_path


def audit_record(
    *,
    actor: Person | None,
    verb: str,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Writers serialise on the chain's head: PostgreSQL with a transaction-scoped advisory lock,
    SQLite because its transactions begin IMMEDIATE (settings.py).
    """
    object_type, object_id, place_path = _object_ref(obj)
    clean = _normalise(data or {})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS_HASH
        at = timezone.now()
        actor_id = actor.pk if actor is not None else None
        event = AuditEvent(
            at=at,
            actor_id=actor_id,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            place_path=place_path,
            data=clean,
            prev_hash=prev_hash,
            hash=event_hash(
                prev_hash=prev_hash,
                at=at,
                actor_id=actor_id,
                verb=verb,
                object_type=object_type,
                object_id=object_id,
                place_path=place_path,
                data=clean,
            ),
        )
        event.save()
        audit_recorded.send(sender=AuditEvent, event=event)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def audit_verify() -> ChainReport:
    """Walk the whole chain in order; report the first event whose link or hash is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in _events():
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, _("与前一事件的摘要衔接不上"))
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            actor_id=event.actor_id,
            verb=event.verb,
            object_type=event.object_type,
            object_id=event.object_id,
            place_path=event.place_path,
            data=event.data,
        )
        if recomputed != event.hash:
            return ChainReport(checked, event.pk, _("内容与摘要不符"))
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked, None, "")


def events_after(head: str) -> int | None:
    """How many events follow the one whose hash is `head`, or None when no event has it.

    Run on a chain that `audit_verify` accepts, an event found here is an ancestor of the
    current head: a head published earlier (a backup's manifest, a printed report) that is
    missing now means events were removed from the end, which the chain alone cannot show.
    """
    event_id = AuditEvent.objects.filter(hash=head).values_list("id", flat=True).first()
    if event_id is None:
        return None
    return AuditEvent.objects.filter(id__gt=event_id).count()
