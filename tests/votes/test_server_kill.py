"""kill -9 the web server while building heads enter door-to-door ballots through the real
page, again and again, then restart it.

Every ballot the server acknowledged (its redirect back to the door page) must be stored;
no ballot may be half-written (without its choices, or without the audit event recorded in
its transaction, or an event without its ballot); the audit chain must still verify; and
entering the ballots that were cut off again must work, leaving one ballot per home.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.scratch import ROOT, Scratch, free_port, process_env, scratch
from tests.votes.kill_seed import PASSWORD

__all__ = ["scratch"]  # the fixture, used by name

pytestmark = pytest.mark.soak

CLIENTS, PER_CLIENT = 4, 30  # four building heads, thirty homes each
KILLS, EVERY = 3, 20  # a kill after each further 20 acknowledged ballots
DEADLINE = 60.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class DoorClient:
    """A building head's browser: logs in, then posts one door-to-door row per home."""

    base: str
    phone: str
    jar: CookieJar = field(default_factory=CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def _csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict[str, str]) -> int:
        """The answer's status; 0 when the connection failed or was cut."""
        body = urllib.parse.urlencode(data | {"csrfmiddlewaretoken": self._csrf()}).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=20) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as answer:
            return answer.code
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            return 0

    def login(self) -> None:
        with self.opener.open(self.base + "/accounts/login/", timeout=20):
            pass
        status = self.post("/accounts/login/", {"username": self.phone, "password": PASSWORD})
        assert status == 302, f"login answered {status}"


def _ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            pass
        if server.poll() is not None:
            pytest.fail(f"the server exited ({server.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the server did not answer within {DEADLINE:.0f} s:\n{log.read_text()}")
        time.sleep(0.1)


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as in production, two workers of two threads, in a process group of its
    own so that kill -9 takes the master and its workers at once."""
    command = [sys.executable, "-m", "gunicorn", "qinlin.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "2", "--graceful-timeout", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own server, arguments fixed by the test
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=DEADLINE)


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    cut: list[str] = field(default_factory=list)  # no answer: the server died under it
    refused: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _enter(client: DoorClient, vote: str, homes: list[str], tally: Tally) -> None:
    for n, home in enumerate(homes):
        data = {"home": home, "option_A": "agree", "option_B": "disagree", "paper_no": f"k{n}"}
        status = client.post(f"/votes/{vote}/door/", data)
        with tally.lock:
            if status == 302:
                tally.acknowledged.add(home)
            elif status == 0:
                tally.cut.append(home)
            else:
                tally.refused.append((home, status))
        if status == 0:
            time.sleep(0.2)  # the server is down; the head waits a moment before the next door


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {DEADLINE:.0f} s")
        time.sleep(0.02)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _stored(scratch: Scratch, vote: str) -> dict[str, tuple[dict[str, str], str]]:
    rows = scratch.query(
        "SELECT h.uid, b.choices, b.receipt FROM votes_ballot b "  # noqa: S608 - the seed's uid
        "JOIN places_place h ON h.id = b.home_id JOIN votes_vote v ON v.id = b.vote_id "
        f"WHERE v.uid = '{vote}'"
    )
    return {uid: (_json(choices), receipt) for uid, choices, receipt in rows}


def _receipts_on_record(scratch: Scratch) -> tuple[set[str], set[str]]:
    """The receipts the audit events name, and those of ballots replaced since."""
    events = scratch.query(
        "SELECT data FROM core_auditevent "
        "WHERE verb IN ('votes.ballot.cast', 'votes.ballot.replaced')"
    )
    superseded = scratch.query("SELECT receipt FROM votes_supersededballot")
    return {_json(data)["receipt"] for (data,) in events}, {r for (r,) in superseded}


def _audit_verifies(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qinlin", "audit-verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_killed_mid_ingestion_keeps_every_acknowledged_ballot_whole(
    tmp_path: Path, scratch: Scratch
) -> None:
    started = time.monotonic()
    env = process_env(tmp_path, scratch)
    seeded = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "tests.votes.kill_seed", str(CLIENTS * PER_CLIENT)],
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
    base = f"http://127.0.0.1:{port}"
    server = _serve(env, port, log)
    tally = Tally()
    try:
        _ready(base, server, log)
        clients = [DoorClient(base, seed["phone"]) for _ in range(CLIENTS)]
        for client in clients:
            client.login()
        threads = [
            threading.Thread(
                target=_enter, args=(c, vote, homes[n * PER_CLIENT : (n + 1) * PER_CLIENT], tally)
            )
            for n, c in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for kill in range(1, KILLS + 1):
            _wait(lambda k=kill: len(tally.acknowledged) >= k * EVERY, "no ballots acknowledged")  # type: ignore[misc]
            _kill(server)
            server = _serve(env, port, log)
            _ready(base, server, log)
        for thread in threads:
            thread.join(timeout=DEADLINE * 2)

        stored = _stored(scratch, vote)
        assert tally.refused == []
        assert tally.cut, "no request was in flight at a kill: the test proved nothing"
        assert tally.acknowledged <= set(stored), "an acknowledged ballot was lost"
        assert {tuple(sorted(c)) for c, _ in stored.values()} == {("A", "B")}
        receipts, superseded = _receipts_on_record(scratch)
        assert {r for _, r in stored.values()} <= receipts, "a ballot without its audit event"
        assert receipts <= {r for _, r in stored.values()} | superseded, "an event, no ballot"
        verified = _audit_verifies(env)
        assert verified.returncode == 0, verified.stderr

        # The heads enter again the doors whose answer never came; a ballot that was in fact
        # stored before the kill is replaced (the vote allows changes), not doubled.
        stored_before_resend = len(set(tally.cut) & set(stored))
        again = Tally()
        _enter(clients[0], vote, tally.cut, again)
        assert again.acknowledged == set(tally.cut)
    finally:
        _kill(server)

    stored = _stored(scratch, vote)
    assert set(stored) == set(homes)
    assert _audit_verifies(env).returncode == 0
    sys.stdout.write(
        f"\nserver kill test on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}: "
        f"{KILLS} kills, {len(homes)} ballots, {len(tally.acknowledged)} acknowledged and all "
        f"stored, {len(tally.cut)} cut off and entered again ({stored_before_resend} of them "
        f"had been stored), {time.monotonic() - started:.1f} s\n"
    )
