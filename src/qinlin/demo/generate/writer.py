"""The bulk writer: rows as plain tuples, streamed to the database in large chunks.

PostgreSQL gets `COPY … FROM STDIN` (psycopg 3), SQLite one `executemany` per chunk; both
inside the caller's transaction. Rows carry their own ids, so that later rows can refer to
earlier ones without reading them back. Chunks of all tables are flushed together, between
compounds and in the order the tables were opened (parents first), so that PostgreSQL can
check every foreign key at the end of each statement instead of queueing tens of millions of
deferred checks until the commit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Model

Convert = Callable[[Any], Any]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Stored as Django stores it on SQLite: naive UTC, "YYYY-MM-DD HH:MM:SS".
    return None if value is None else value.replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _converter(model_field: models.Field[Any, Any], vendor: str) -> Convert | None:
    if isinstance(model_field, models.JSONField):
        return _json
    if vendor != "sqlite":
        return None
    if isinstance(model_field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(model_field, models.DateField):
        return _sqlite_date
    if isinstance(model_field, models.DecimalField):
        return _sqlite_decimal
    return None


@dataclass
class Table:
    """One table's pending rows, its next id and what it has written so far."""

    writer: Writer
    model: type[Model]
    name: str
    columns: list[str]
    converters: list[tuple[int, Convert]]
    next_id: int
    constants: tuple[Any, ...] = ()
    rows: list[Sequence[Any]] = field(default_factory=list)
    written: int = 0
    seconds: float = 0.0

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, row: Sequence[Any]) -> None:
        self.rows.append(row)


class Writer:
    def __init__(self, *, chunk: int = 20_000, say: Callable[[str], object] | None = None):
        self.chunk = chunk
        self.vendor = connection.vendor
        self.tables: list[Table] = []
        self.say = say or (lambda _text: None)

    def table(self, model: type[Model], fields: list[str]) -> Table:
        """Open a table for the named fields (in this order); tables opened later may refer
        to rows of tables opened earlier."""
        opts = model._meta
        chosen = [opts.get_field(name) for name in fields]
        # The fields a row leaves out take their model default, as an INSERT by the ORM would.
        constants: list[Any] = []
        for rest in opts.concrete_fields:
            if rest in chosen or rest.primary_key or rest.null:
                continue
            if rest.has_default() and not callable(rest.default):
                value = rest.default
            elif rest.blank and isinstance(
                rest, models.CharField | models.TextField | models.FileField
            ):
                value = ""
            else:
                raise ValueError(f"{opts.label}.{rest.name} needs a value")
            chosen.append(rest)
            constants.append(value)
        columns = [str(f.column) for f in chosen]  # type: ignore[union-attr]
        converters = [
            (i, convert)
            for i, f in enumerate(chosen)
            if (convert := _converter(f, self.vendor)) is not None  # type: ignore[arg-type]
        ]
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT MAX("id") FROM "{opts.db_table}"')  # noqa: S608 - model names
            (top,) = cursor.fetchone() or (None,)
        made = Table(
            self, model, opts.db_table, columns, converters, (top or 0) + 1, tuple(constants)
        )
        self.tables.append(made)
        return made

    def maybe_flush(self) -> None:
        """Flush when a table has a chunk's worth; called between compounds, where every
        row written so far has the rows it refers to."""
        if any(len(t.rows) >= self.chunk for t in self.tables):
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            if table.rows:
                started = time.perf_counter()
                self._write(table)
                table.seconds += time.perf_counter() - started
                table.written += len(table.rows)
                table.rows = []

    def _write(self, table: Table) -> None:
        rows = table.rows
        if table.converters or table.constants:
            converted: list[Sequence[Any]] = []
            for row in rows:
                values = [*row, *table.constants]
                for i, convert in table.converters:
                    values[i] = convert(values[i])
                converted.append(values)
            rows = converted
        columns = ", ".join(f'"{c}"' for c in table.columns)
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_sql = f'COPY "{table.name}" ({columns}) FROM STDIN'
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        marks = ", ".join("?" * len(table.columns))
        raw = connection.connection
        assert raw is not None
        raw.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)  # noqa: S608

    def finish(self) -> None:
        """Write what is left; on PostgreSQL move the id sequences past the written ids."""
        self.flush()
        if self.vendor == "postgresql":
            models_with_ids = [t.model for t in self.tables if "id" in t.columns]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                    cursor.execute(statement)

    def analyze(self) -> None:
        """Fresh planner statistics, so the first pages on the new data use the indexes."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def check_each_statement(self, *, except_: list[tuple[type[Model], str]]) -> None:
        """On PostgreSQL, check foreign keys at each COPY rather than at the commit, except
        those of a cycle (a topic's decided option is an option of the topic)."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model, name in except_:
                column = model._meta.get_field(name).column  # type: ignore[union-attr]
                cursor.execute(
                    "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a"
                    " ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
                    " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s",
                    [model._meta.db_table, column],
                )
                for (constraint,) in cursor.fetchall():
                    cursor.execute(f'SET CONSTRAINTS "{constraint}" DEFERRED')
