"""What every part of the generator shares: the seeded draw, the clock and the open tables.

Everything random comes from one `random.Random(seed)` drawn in a fixed order, public ids
included, so the same arguments give the same rows. Times are Asia/Shanghai working hours
(the zone has no daylight saving, so a fixed offset is exact), kept as aware UTC datetimes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone

from qinlin.core.ids import ALPHABET, UID_LENGTH
from qinlin.demo.generate.writer import Table, Writer

SHANGHAI = timedelta(hours=8)


class Later(Exception):  # noqa: N818 - a signal, not an error
    """A path's next step falls after today (or past the stage asked for): it stops there."""


@dataclass
class Options:
    homes: int
    seed: int = 2026
    years: int = 4
    appeals_per_home: float = 5.0
    # The community's own day (Asia/Shanghai), not the server's UTC date.
    until: date = field(default_factory=timezone.localdate)


class City:
    def __init__(self, options: Options, writer: Writer) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.writer = writer
        self.until = options.until
        self.first_day = date(options.until.year - options.years, options.until.month, 1)
        self.days = (self.until - self.first_day).days
        # "Now" for the generated world: the end of the last day's office hours.
        self.now = self.moment(self.until, 17)
        self.first_day_moment = self.moment(self.first_day, 9)
        self.tables: dict[type[Model], Table] = {}
        self.register_no = 0
        self.photo = ""  # the acceptances' shared photo, saved once
        self.phone_seq = 0

    def open(self, model: type[Model], fields: list[str]) -> Table:
        table = self.writer.table(model, fields)
        self.tables[model] = table
        return table

    def __getitem__(self, model: type[Model]) -> Table:
        return self.tables[model]

    def add(self, model: type[Model], *row: Any) -> None:
        self.tables[model].add(row)

    def new_id(self, model: type[Model]) -> int:
        return self.tables[model].new_id()

    # --- draws -------------------------------------------------------------------------
    def uid(self) -> str:
        return "".join(self.rng.choices(ALPHABET, k=UID_LENGTH))

    def moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        return local - SHANGHAI

    def when(self, day: date, *, evening: bool = False) -> datetime:
        rng = self.rng
        if evening:
            return self.moment(day, 19, rng.choice((0, 0, 30)))
        return self.moment(day, rng.choice((9, 9, 10, 14, 15, 16)), rng.choice((0, 15, 30, 45)))

    def day(self, *, start: int = 0, end: int | None = None) -> date:
        """A day between `start` and `end` days after the first day of the history."""
        last = self.days if end is None else end
        return self.first_day + timedelta(days=self.rng.randint(start, max(start, last)))

    def local_date(self, at: datetime) -> date:
        return (at + SHANGHAI).date()
