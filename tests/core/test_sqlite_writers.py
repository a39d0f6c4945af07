"""SQLite under 8 concurrent writers: no "database is locked" reaches anyone. The writers run
in a process of their own against a copy of the test database in a file, with the settings
production uses (settings.py: WAL, IMMEDIATE transactions, 20 s busy timeout)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from tests.concurrency import SOAK_ROUNDS
from tests.factories import PersonFactory, PlaceFactory
from tests.votes.helpers import door_vote

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
# Each writer files an appeal and casts a ballot for every home: 160 write transactions, or
# ten times as many per round under `make soak`.
WRITERS = 8
HOMES = 100 * SOAK_ROUNDS if SOAK_ROUNDS else 10
ROOT = Path(__file__).resolve().parents[2]


def test_eight_writers_at_once_all_succeed_on_a_sqlite_file(
    places: dict[str, Place], frank: Person, tmp_path: Path
) -> None:
    homes = [
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=f"{500 + i}", parent=places["unit_a"], area=Decimal("80.00")
        )
        for i in range(HOMES)
    ]
    writers = PersonFactory.create_batch(WRITERS)
    for person in writers:
        RoleAssignment.objects.create(
            person=person, role=Role.BUILDING_HEAD, place=places["building_a"]
        )
    vote = door_vote(frank, places, changeable=True)
    database = tmp_path / "qinlin.sqlite3"
    with sqlite3.connect(database) as copy:
        connection.ensure_connection()
        connection.connection.backup(copy)
    plan = {
        "writers": [p.pk for p in writers],
        "homes": [h.pk for h in homes],
        "vote": vote.pk,
        "unit": places["unit_a"].pk,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINLIN_")}
    env |= {"QINLIN_DATABASE_URL": f"sqlite:///{database}", "QINLIN_DATA_DIR": str(tmp_path)}
    run = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.core.sqlite_writers", json.dumps(plan)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    sys.stdout.write(f"\nSQLite writers: {WRITERS} at once, {HOMES} homes each: {outcome}\n")
    assert outcome["errors"] == [], outcome
    with sqlite3.connect(database) as written:
        appeals = written.execute("SELECT count(*) FROM appeals_appeal").fetchone()[0]
        current = written.execute(
            "SELECT count(*) FROM votes_ballot WHERE vote_id = ?", [vote.pk]
        ).fetchone()[0]
        kept = written.execute(
            "SELECT count(*) FROM votes_supersededballot WHERE vote_id = ?", [vote.pk]
        ).fetchone()[0]
        mode = written.execute("PRAGMA journal_mode").fetchone()[0]
    assert (appeals, current, kept) == (WRITERS * HOMES, HOMES, WRITERS * HOMES - HOMES)
    assert mode == "wal"
