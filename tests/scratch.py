"""A database of its own for a test that runs real processes (a worker, a server) against it,
killed and restarted: SQLite in a temporary folder, or on PostgreSQL (when the suite runs
there) a database made for the test and dropped after it. The test reads it with the driver
alone, so nothing of the suite's own connection is involved."""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Scratch:
    """The processes' own database, which the test reads with the driver alone."""

    env: dict[str, str]
    query: Callable[[str], list[tuple[Any, ...]]]


def _sqlite(tmp_path: Path) -> Iterator[Scratch]:
    path = tmp_path / "qinlin.sqlite3"

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path, timeout=20) as connection:
            return connection.execute(sql).fetchall()

    yield Scratch({}, query)


def _postgres() -> Iterator[Scratch]:
    import psycopg
    from psycopg import sql

    server = settings.DATABASES["default"]
    where = {
        "host": server["HOST"] or "127.0.0.1",
        "port": server["PORT"] or 5432,
        "user": server["USER"],
        "password": server["PASSWORD"] or None,
    }
    # Named after the suite's own test database, so parallel runs of the suite never meet.
    name = f"{server['NAME']}_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    password = f":{where['password']}" if where["password"] else ""
    url = f"postgres://{where['user']}{password}@{where['host']}:{where['port']}/{name}"

    def query(text: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname=name, autocommit=True, **where) as connection:
            return connection.execute(text.encode()).fetchall()

    try:
        yield Scratch({"QINLIN_DATABASE_URL": url}, query)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Scratch]:
    """A database of its own on the engine the suite runs on."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        yield from _postgres()
    else:
        yield from _sqlite(tmp_path)


def process_env(tmp_path: Path, scratch: Scratch, **extra: str) -> dict[str, str]:
    """The environment of a process under test: nothing of the test run's own configuration
    leaks into it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINLIN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env | {
        "QINLIN_DATA_DIR": str(tmp_path),
        "QINLIN_SECRET_KEY": "kill-test-" + "k" * 50,
        **scratch.env,
        **extra,
    }


def free_port() -> int:
    """A free local port from QINLIN_TEST_PORTS ("8700-8709", the default), so that servers
    the tests start stay within a range the machine's operator gave them."""
    first, last = (int(p) for p in os.environ.get("QINLIN_TEST_PORTS", "8700-8709").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {first}-{last} (set QINLIN_TEST_PORTS)")
