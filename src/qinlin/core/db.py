"""Reading the dashboard's figures from a read replica, when one is configured.

Only code inside `reads_from_replica()` reads from the `replica` database; every write, and
every read anywhere else, goes to the primary. The replica may lag the primary by a moment,
which the dashboard can bear and a form that writes cannot: that is why the choice is made
per view, not for the whole site.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"

_on_replica: ContextVar[bool] = ContextVar("qinlin_reads_from_replica", default=False)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads inside go to the replica (a no-op without one). Also a view decorator:
    `@reads_from_replica()` below `@login_required`, so that the session and the person are
    read from the primary before the view runs."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: the replica for reads inside `reads_from_replica()`."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _on_replica.get()
            and REPLICA in settings.DATABASES
            # Inside a transaction a read may decide a write: it must see the primary.
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may be linked
        # to one read from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica copies the primary; migrations run there only.
        return db != REPLICA
