"""Eight writers at once on a SQLite file, in a process of its own with the production
settings (WAL, IMMEDIATE transactions, a 20 s busy timeout): run by
tests/core/test_sqlite_writers.py as `python -m tests.core.sqlite_writers '<json>'` with
QINLIN_DATABASE_URL pointing at the file. Prints what happened as JSON."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from typing import Any


def main(plan: dict[str, Any]) -> dict[str, Any]:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "qinlin.settings"
    django.setup()
    from django.db import connection

    from qinlin.appeals.models import Category, Channel
    from qinlin.appeals.services import appeal_submit
    from qinlin.people.models import Person
    from qinlin.places.models import Place
    from qinlin.votes.models import Vote
    from qinlin.votes.services import ballot_cast

    writers = list(Person.objects.filter(pk__in=plan["writers"]).order_by("pk"))
    homes = list(Place.objects.filter(pk__in=plan["homes"]).order_by("pk"))
    vote = Vote.objects.get(pk=plan["vote"])
    unit = Place.objects.get(pk=plan["unit"])
    category = Category.objects.get(code="facilities")
    start = threading.Barrier(len(writers))
    errors: list[str] = []
    retries = _Count()
    logging.getLogger("qinlin.core.sqlite.base").addHandler(retries)
    slowest = [0.0]
    lock = threading.Lock()

    def write(person: Person, n: int) -> None:
        try:
            start.wait()
            for home in homes[n:] + homes[:n]:
                began = time.monotonic()
                appeal_submit(
                    actor=person,
                    text=f"{home.name}门口的灯不亮",
                    category=category,
                    place=unit,
                    channel=Channel.VISIT,
                    reporter_name="王女士",
                )
                ballot_cast(
                    actor=person,
                    vote=vote,
                    home=home,
                    choices={"A": "agree", "B": "abstain"},
                    channel="door",
                )
                with lock:
                    slowest[0] = max(slowest[0], time.monotonic() - began)
        except Exception as error:  # every failure is the result, reported to the test
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(p, n)) for n, p in enumerate(writers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "errors": errors,
        "seconds": round(time.monotonic() - began, 1),
        "slowest": round(slowest[0], 1),
        "retries": retries.count,
    }


class _Count(logging.Handler):
    """How often a transaction had to ask again for the write lock (core/sqlite/base.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))  # noqa: T201 - the test reads stdout
