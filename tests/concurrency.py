"""Many clients at once, for the concurrency tests on PostgreSQL (docs/security.md §6).

Every client is a thread with its own database connection; a barrier releases them all
together. PostgreSQL's default max_connections is 100, shared with the rest of the machine,
so at most QINLIN_TEST_CONNECTIONS (default 40) clients hold a connection at one moment; the
others queue for a seat, as requests queue for a worker behind a real server.

`make soak` sets QINLIN_SOAK_ROUNDS to run the same tests for several rounds with more homes.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db import connection

T = TypeVar("T")

CLIENTS = 200
CONNECTIONS = int(os.environ.get("QINLIN_TEST_CONNECTIONS", "40"))
SOAK_ROUNDS = int(os.environ.get("QINLIN_SOAK_ROUNDS", "0") or "0")
ROUNDS = SOAK_ROUNDS or 1


@dataclass
class Outcome(Generic[T]):
    """What each client got back (None for a client that raised), what was raised, and the
    most clients that were at work at one moment (more than one, or nothing was concurrent)."""

    results: list[T | None]
    errors: list[BaseException] = field(default_factory=list)
    peak: int = 0
    seconds: float = 0.0

    def report(self, what: str) -> None:
        """The figure for docs/security.md §6, shown by `pytest -s` (as `make soak` runs)."""
        sys.stdout.write(
            f"\n{what}: {len(self.results)} clients over {CONNECTIONS} connections "
            f"(at most {self.peak} at once), {len(self.errors)} errors, {self.seconds:.1f} s\n"
        )


def at_once(clients: Sequence[Callable[[], T]], *, seats: int = CONNECTIONS) -> Outcome[T]:
    outcome: Outcome[T] = Outcome(results=[None] * len(clients))
    start = threading.Barrier(len(clients))
    connections = threading.BoundedSemaphore(seats)
    lock = threading.Lock()
    at_work = [0]

    def run(n: int, client: Callable[[], T]) -> None:
        try:
            start.wait()
            with connections:
                with lock:
                    at_work[0] += 1
                    outcome.peak = max(outcome.peak, at_work[0])
                try:
                    outcome.results[n] = client()
                finally:
                    # Gives the seat's connection back before the next client takes the seat.
                    connection.close()
                    with lock:
                        at_work[0] -= 1
        except BaseException as error:  # reported by the caller's assert
            with lock:
                outcome.errors.append(error)

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.monotonic() - began
    return outcome
