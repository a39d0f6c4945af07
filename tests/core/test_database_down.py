"""PostgreSQL stopped mid-run (`pg_ctl stop -m immediate`, a crash) under a server taking
door-to-door ballots, then started again.

Never the machine's PostgreSQL: the test makes a private cluster with initdb on port 5499
and throws it away after. While it is down, people get the translated "temporarily
unavailable" page (503, Retry-After) and the API a JSON 503; nothing half-written survives
the restart (every ballot whole, with its audit event, the chain verifying); the server
recovers by itself, and entering the refused ballots again works.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qinlin.core.backup import BackupError, client_tool
from tests.scratch import ROOT, Scratch, free_port, process_env
from tests.votes.test_server_kill import (
    DEADLINE,
    DoorClient,
    Tally,
    _audit_verifies,
    _enter,
    _kill,
    _ready,
    _receipts_on_record,
    _serve,
    _stored,
    _wait,
)

pytestmark = pytest.mark.soak

PORT = 5499
HOMES = 40


@dataclass
class Cluster:
    data: Path
    run: list[str]  # the prefix that runs a PostgreSQL program as the cluster's owner

    def ctl(self, *args: str) -> None:
        command = [*self.run, client_tool("pg_ctl"), "-D", str(self.data), *args]
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own program, arguments ours
            command, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = f"-p {PORT} -c listen_addresses=127.0.0.1 -k {self.data}"
        self.ctl("-l", str(self.data / "server.log"), "-w", "-o", options, "start")

    def crash(self) -> None:
        self.ctl("-m", "immediate", "-w", "stop")


def _runner() -> list[str]:
    """initdb refuses to run as root: then as the `postgres` user, through runuser."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to own a private cluster")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root and runuser is missing: initdb cannot run")
    return [runuser, "-u", "postgres", "--"]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pytest.importorskip("psycopg")
    try:
        initdb = client_tool("initdb")
        client_tool("pg_ctl")
    except BackupError:
        pytest.skip("initdb and pg_ctl (the PostgreSQL server package) are not installed")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.skip(f"port {PORT} is taken: the private cluster needs it")
    run = _runner()
    # Under /tmp, not pytest's folder: the postgres user must reach it, and root's 0700
    # temporary folders are closed to it.
    data = Path(tempfile.mkdtemp(prefix="qinlin-pg-", dir="/tmp"))
    if run:
        owner = pwd.getpwnam("postgres")
        os.chown(data, owner.pw_uid, owner.pw_gid)
    options = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
    made = subprocess.run(  # noqa: S603 - PostgreSQL's own program, arguments ours
        [*run, initdb, "-D", str(data), *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    private = Cluster(data, run)
    private.start()
    try:
        yield private
    finally:
        subprocess.run(  # noqa: S603 - PostgreSQL's own program, arguments ours
            [*run, client_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=120,
            check=False,
        )
        shutil.rmtree(data, ignore_errors=True)


def _database(cluster: Cluster) -> Scratch:
    import psycopg

    where: dict[str, Any] = {"host": "127.0.0.1", "port": PORT, "user": "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        admin.execute("CREATE DATABASE qinlin")

    def query(text: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname="qinlin", autocommit=True, **where) as connection:
            return connection.execute(text.encode()).fetchall()

    return Scratch({"QINLIN_DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT}/qinlin"}, query)


def _get(client: DoorClient, path: str, language: str) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(client.base + path, headers={"Accept-Language": language})  # noqa: S310
    try:
        with client.opener.open(request, timeout=20) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), dict(answer.headers)


def test_stopping_postgresql_mid_run_shows_a_clear_page_and_leaves_nothing_half_written(
    tmp_path: Path, cluster: Cluster
) -> None:
    started = time.monotonic()
    scratch = _database(cluster)
    env = process_env(tmp_path, scratch)
    seeded = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "tests.votes.kill_seed", str(HOMES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout)
    vote, homes = seed["vote"], seed["homes"]
    port, log = free_port(), tmp_path / "server.log"
    server = _serve(env, port, log)
    try:
        _ready(f"http://127.0.0.1:{port}", server, log)
        client = DoorClient(f"http://127.0.0.1:{port}", seed["phone"])
        client.login()
        tally = Tally()
        stream = threading.Thread(target=_enter, args=(client, vote, homes, tally))
        stream.start()
        _wait(lambda: len(tally.acknowledged) >= 10, "no ballots acknowledged")
        cluster.crash()

        # While it is down: pages and the API say so, in the reader's language.
        status, page, headers = _get(client, "/topics/", "zh-hans")
        assert status == 503
        assert headers.get("Retry-After") == "30"
        assert "服务暂时无法使用" in page
        assert "您刚才的操作没有保存" in page
        status, page, _ = _get(client, "/topics/", "en")
        assert (status, "temporarily unavailable" in page) == (503, True)
        status, body, _ = _get(client, "/api/v1/people/me", "zh-hans")
        assert (status, json.loads(body)["code"]) == (503, "unavailable")
        stream.join(timeout=DEADLINE * 2)
        refused = [home for home, status in tally.refused if status == 503]
        assert refused, "no ballot was refused while the database was down"
        assert {status for _, status in tally.refused} == {503}

        cluster.start()
        stored = _stored(scratch, vote)
        assert tally.acknowledged <= set(stored), "an acknowledged ballot was lost"
        assert not set(refused) & set(stored), "a ballot the page said was not saved was saved"
        assert {tuple(sorted(c)) for c, _ in stored.values()} <= {("A", "B")}
        receipts, superseded = _receipts_on_record(scratch)
        assert {r for _, r in stored.values()} == receipts - superseded
        assert _audit_verifies(env).returncode == 0

        # The server reconnects by itself; the head enters the refused doors again.
        again = Tally()
        _enter(client, vote, refused + tally.cut, again)
        assert again.acknowledged == set(refused + tally.cut)
    finally:
        _kill(server)
    assert set(_stored(scratch, vote)) == set(homes)
    assert _audit_verifies(env).returncode == 0
    sys.stdout.write(
        f"\npostgresql stopped mid-run: {len(tally.acknowledged)} ballots acknowledged before "
        f"and all stored, {len(refused)} refused with the 503 page and none stored, "
        f"{len(tally.cut)} cut off, all {len(homes)} stored after the restart, "
        f"{time.monotonic() - started:.1f} s\n"
    )
