"""Django's SQLite backend, asking again when a transaction could not take the write lock.

Transactions begin IMMEDIATE (settings.py), so the write lock is taken at BEGIN or not at all;
until it is, nothing of the transaction has run, and asking again is always safe. SQLite's busy
handler is not first come, first served: a writer that has been waiting a while polls every
100 ms and can lose the lock, again and again, to writers that came later (measured: one of
eight writers waited over 10 s of a 20 s busy timeout, docs/security.md §6). Asking again starts
its wait afresh, so a resident sees a slow page instead of "database is locked".
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

# Each attempt waits up to the busy timeout (20 s in settings.py).
ATTEMPTS = 3


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]
            except OperationalError as error:
                if "database is locked" not in str(error) or attempt == ATTEMPTS:
                    raise
                logger.warning("SQLite write lock still taken after the busy timeout; again")
            else:
                return
