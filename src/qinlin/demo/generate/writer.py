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
import queue
import threading
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
        self.bulk_checks = False
        self.copier: _Copier | None = None
        self.raw: Any = None

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
        batch = [(table, table.rows) for table in self.tables if table.rows]
        for table in self.tables:
            table.rows = []
        if self.vendor == "postgresql":
            self._copier().put(batch)
        else:
            self._write_batch(batch)

    def _copier(self) -> _Copier:
        if self.copier is None:
            # Django's connection object belongs to this thread; the copy thread gets the
            # underlying psycopg connection, which only it uses until `close`.
            self.raw = connection.connection
            self.copier = _Copier(self)
        self.copier.raise_failure()
        return self.copier

    def _write_batch(self, batch: list[tuple[Table, list[Sequence[Any]]]]) -> None:
        for table, rows in batch:
            started = time.perf_counter()
            self._write(table, rows)
            table.seconds += time.perf_counter() - started
            table.written += len(rows)

    def _write(self, table: Table, rows: list[Sequence[Any]]) -> None:
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
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(table.columns))
        raw = connection.connection
        assert raw is not None
        raw.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)  # noqa: S608

    def finish(self) -> None:
        """Write what is left; on PostgreSQL check the references (when the per-row checks
        were skipped) and move the id sequences past the written ids."""
        self.flush()
        if self.copier is not None:
            self.copier.close()
        if self.bulk_checks:
            started = time.perf_counter()
            self._check_references()
            self.say(f"  foreign keys checked in {time.perf_counter() - started:.1f} s")
        if self.vendor == "postgresql":
            models_with_ids = [t.model for t in self.tables if "id" in t.columns]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                    cursor.execute(statement)

    def abandon(self) -> None:
        """Stop the copy thread without writing what is left (the load is failing)."""
        if self.copier is not None:
            self.copier.failure = self.copier.failure or RuntimeError("abandoned")
            self.copier.queue.put(None)
            self.copier.thread.join()
            self.copier = None

    def analyze(self) -> None:
        """Fresh planner statistics, so the first pages on the new data use the indexes."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def check_foreign_keys_in_bulk(self) -> None:
        """On PostgreSQL, skip the per-row foreign-key triggers for this transaction and check
        every foreign key of the written tables afterwards with one anti-join each (`finish`).

        A per-row check costs an index probe per reference, most of the load at tens of
        millions of rows; the set-based check reads each table once. Unique and check
        constraints are still enforced row by row (they are not triggers). Setting the
        replication role needs a superuser; without one, PostgreSQL checks each row itself
        (at the end of each COPY, so that no deferred checks pile up until the commit).
        """
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            (superuser,) = cursor.fetchone() or (False,)
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
                self.bulk_checks = True
            else:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._defer_cycle(cursor)

    def _defer_cycle(self, cursor: Any) -> None:
        # A topic's decided option is an option of the topic: that one waits for the commit.
        from qinlin.topics.models import Topic

        column = Topic._meta.get_field("decided_option").column
        cursor.execute(
            "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a"
            " ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
            " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s",
            [Topic._meta.db_table, column],
        )
        for (constraint,) in cursor.fetchall():
            cursor.execute(f'SET CONSTRAINTS "{constraint}" DEFERRED')

    def _check_references(self) -> None:
        """Every foreign key of every written table points at a row, or the load fails."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
            for table in self.tables:
                for model_field in table.model._meta.concrete_fields:
                    if not model_field.is_relation or model_field.column not in table.columns:
                        continue
                    target = model_field.related_model._meta  # type: ignore[union-attr]
                    column, key = model_field.column, target.pk.column
                    cursor.execute(
                        f'SELECT c."{column}" FROM "{table.name}" c'  # noqa: S608 - model names
                        f' LEFT JOIN "{target.db_table}" p ON p."{key}" = c."{column}"'
                        f' WHERE c."{column}" IS NOT NULL AND p."{key}" IS NULL LIMIT 1'
                    )
                    orphan = cursor.fetchone()
                    if orphan is not None:
                        raise ValueError(f"{table.name}.{column} = {orphan[0]} points nowhere")


class _Copier:
    """COPY in a second thread on PostgreSQL, so that the server stores one compound's rows
    while Python draws the next (the thread mostly waits on the socket, without the GIL).
    The main thread does not touch the connection until `close` has joined the thread."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.queue: queue.Queue[list[tuple[Table, list[Sequence[Any]]]] | None] = queue.Queue(2)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="qinlin-generate-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.failure is None:
                try:
                    self.writer._write_batch(batch)
                except BaseException as error:
                    self.failure = error

    def put(self, batch: list[tuple[Table, list[Sequence[Any]]]]) -> None:
        self.queue.put(batch)

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.writer.copier = None
        self.raise_failure()
