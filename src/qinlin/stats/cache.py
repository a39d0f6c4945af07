"""The dashboard's figures and charts, kept in Django's cache until something they count changes.

A subdistrict-year is about 35 aggregate queries: 1–2 s of PostgreSQL at 1,000,000 homes
(bench/RESULTS.md), paid by every admin who opens the page. What invalidates it is the audit
chain: every change to the records goes through a service that records an audit event
(architecture.md), and each event, once its transaction commits, moves on the *generation* of
its subdistrict — the first segment of the event's place path, since subdistricts are the roots
of the place tree and records never move from one to another. An event without a place (a
registration, a person) moves on the generation of every subdistrict at once. A cached entry
is keyed by its place, period, language and both generations, so the next request after a
commit recomputes, and every process behind one Redis agrees. Where each process has a cache
of its own (no `QINLIN_REDIS_URL`: the demo, a single server), the head of the audit chain is
the one generation: one cheap query, and any event anywhere is a change.

Writes that bypass the services (`qinlin generate`, the demo loader) call `stats_forget_all`;
`qinlin restore` records an event without a place, which does the same. The clock alone
changes one figure — an activity counts once it has started — so an entry lives no longer than
until the next such start in its scope and period; and never longer than MAX_AGE, which bounds
what a lagging read replica could leave behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from qinlin.core.audit import audit_recorded
from qinlin.core.models import AuditEvent
from qinlin.places.models import SEGMENT, Place
from qinlin.stats.charts import Charts, charts_for
from qinlin.stats.figures import Stats, stats_for
from qinlin.stats.selectors import Period, next_activity_start

T = TypeVar("T")

MAX_AGE = 10 * 60
EVERYWHERE = ""


def _generation_key(root: str) -> str:
    return f"stats:generation:{root}"


def _fresh_generation() -> int:
    # A generation lost from the cache (evicted, flushed) starts again from the clock in
    # nanoseconds, far above any count of bumps it could have reached: an old entry's key is
    # never matched again.
    return time.time_ns()


def shared_cache() -> bool:
    """Whether every process reads one cache (Redis), or each has its own (LocMemCache)."""
    return not caches["default"].__class__.__name__.startswith("LocMem")


def _generations(place: Place) -> tuple[int, int]:
    if not shared_cache():
        # A write served by another process moves on that process's generations only; the
        # head of the audit chain, in the one database, is a generation every process sees.
        head = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        return head or 0, 0
    keys = [_generation_key(EVERYWHERE), _generation_key(place.path[:SEGMENT])]
    found: dict[str, Any] = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh_generation(), timeout=None)
            found[key] = cache.get(key)
    return int(found[keys[0]]), int(found[keys[1]])


def _bump(root: str) -> None:
    key = _generation_key(root)
    try:
        cache.incr(key)
    except ValueError:  # not in the cache: any new value differs from what entries hold
        cache.set(key, _fresh_generation(), timeout=None)


def stats_forget(path: str) -> None:
    """Every cached figure of the subdistrict holding `path` ("" for all) is out of date."""
    _bump(path[:SEGMENT])


def stats_forget_all() -> None:
    _bump(EVERYWHERE)


def seconds_to_live(place: Place, period: Period, now: datetime) -> int:
    start = next_activity_start(place, period, now)
    if start is None:
        return MAX_AGE
    return max(1, min(MAX_AGE, int((start - now).total_seconds()) + 1))


def _kept(name: str, place: Place, period: Period, compute: Callable[[], T]) -> T:
    everywhere, subdistrict = _generations(place)
    key = (
        f"stats:{name}:{place.pk}:{period.start:%Y%m%d}:{period.end:%Y%m%d}:"
        f"{get_language()}:{everywhere}:{subdistrict}"
    )
    value: T | None = cache.get(key)
    if value is None:
        now = timezone.now()
        value = compute()
        cache.set(key, value, timeout=seconds_to_live(place, period, now))
    return value


def stats_cached(place: Place, period: Period) -> Stats:
    """`stats_for(place, period)`, from the cache when nothing it counts has changed."""
    return _kept("figures", place, period, lambda: stats_for(place, period))


def charts_cached(stats: Stats) -> Charts:
    """`charts_for(stats)`, likewise: the monthly counts behind them are aggregates too."""
    return _kept("charts", stats.place, stats.period, lambda: charts_for(stats))


def _on_audit_event(sender: type[AuditEvent], event: AuditEvent, **kwargs: Any) -> None:
    path = event.place_path
    # Now, for the rest of this transaction (and a test, whose transaction never commits);
    # again on commit, since a request that read the generation in between may have cached
    # the figures as they were before this change.
    stats_forget(path)
    transaction.on_commit(lambda: stats_forget(path))


def connect() -> None:
    audit_recorded.connect(_on_audit_event, sender=AuditEvent, dispatch_uid="stats.cache")


def disconnect() -> None:
    audit_recorded.disconnect(sender=AuditEvent, dispatch_uid="stats.cache")
