"""The acceptance test of exactly-once delivery: a real `qinlin worker`, killed with SIGKILL
while it waits for a group's answer, again and again, then left to finish.

Every generic-webhook message must be accepted exactly once and none lost (the receiver drops
the repeat the recovery sends); no WeCom message may arrive twice, so the one whose post was
cut off is set aside as in doubt. The kill is not timed by sleeping: the local test webhook
holds its answer to a chosen post until the worker has been killed.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from qinlin.notify.sink import Received, Sink, running
from tests.notify.kill_seed import SECRET
from tests.scratch import Scratch, process_env, scratch

__all__ = ["scratch"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
EVENTS, EVERY = 200, 4  # 200 webhook messages, 50 of them with a WeCom message beside
WECOM = EVENTS // EVERY
# The kills, each after this many more posts, cutting off a post of this platform.
KILLS = [(30, "webhook"), (30, "wecom"), (30, "webhook"), (30, "wecom")]
DEADLINE = 60.0  # seconds any one wait may take before the test gives up
ROWS = (
    "SELECT n.uid, n.status, r.platform, n.subject, n.attempts "
    "FROM notify_notification n JOIN notify_robot r ON r.id = n.robot_id"
)


class HoldingSink(Sink):
    """A group that, once armed, holds its answer to the next new post of one platform until
    released: the worker is killed while it waits, so every kill lands mid-send."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.after = 0
        self.platform = ""
        self.held: list[Received] = []
        self.release = threading.Event()

    def arm(self, *, after: int, platform: str) -> None:
        with self._changed:
            self.after, self.platform = after, platform
            self.release.clear()

    def _accept(self, path: str, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        answer = super()._accept(path, headers, raw)
        with self._changed:
            latest = self.received[-1] if self.received else None
            hold = bool(
                self.platform
                and self.requests >= self.after
                and not answer.get("duplicate")
                and latest is not None
                and latest.platform == self.platform
            )
            if hold and latest is not None:
                self.held.append(latest)
                self.platform = ""
                self._changed.notify_all()
        if hold:
            self.release.wait(timeout=DEADLINE)
        return answer


def _env(tmp_path: Path, scratch: Scratch, sink_url: str) -> dict[str, str]:
    return process_env(
        tmp_path,
        scratch,
        QINLIN_ROBOT_URL_PREFIXES=sink_url,
        # Recovery after a kill within a second or two, not the production two minutes.
        QINLIN_NOTIFY_LEASE_SECONDS="1",
        QINLIN_QUIET_HOURS="00:00-00:00",  # whatever the hour the test runs at
    )


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "qinlin", "worker", "--interval", "0.05"]
    command += ["--clock-every", "0.3"]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own command, arguments fixed by the test
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait(condition: Callable[[], bool], worker: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `condition` until it holds, failing if the worker dies or the deadline passes."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no progress within {DEADLINE:.0f} s:\n{log.read_text()}")
        time.sleep(0.05)


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, scratch: Scratch
) -> None:
    started = time.monotonic()
    sink = HoldingSink(secret=SECRET)
    with running(sink) as server:
        env = _env(tmp_path, scratch, server.url)
        seeded = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "tests.notify.kill_seed", server.url, str(EVENTS), str(EVERY)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
        log = tmp_path / "worker.log"

        for after, platform in KILLS:
            sink.arm(after=sink.requests + after, platform=platform)
            worker = _worker(env, log)
            held = len(sink.held)
            _wait(lambda held=held: len(sink.held) > held, worker, log)  # type: ignore[misc]
            worker.kill()
            worker.wait(timeout=DEADLINE)
            sink.release.set()

        worker = _worker(env, log)

        def settled() -> bool:
            states = {row[1] for row in scratch.query(ROWS)}
            return not states & {"pending", "sending"}

        try:
            _wait(settled, worker, log)
        finally:
            worker.terminate()
            worker.wait(timeout=DEADLINE)

    rows = scratch.query(ROWS)
    webhook = {uid: status for uid, status, platform, _, _ in rows if platform == "webhook"}
    wecom = {subject: status for _, status, platform, subject, _ in rows if platform == "wecom"}
    assert (len(webhook), len(wecom)) == (EVENTS, WECOM)
    held_webhook = sum(1 for m in sink.held if m.platform == "webhook")
    held_wecom = sum(1 for m in sink.held if m.platform == "wecom")
    assert (held_webhook, held_wecom) == (2, 2)

    # The generic webhook: every message accepted once, none lost; each post a kill cut
    # off was sent again and dropped by the receiver as a repeat.
    accepted = Counter(m.key for m in sink.messages("webhook"))
    assert set(accepted) == set(webhook)
    assert max(accepted.values()) == 1
    assert set(webhook.values()) == {"sent"}
    assert sink.duplicates == held_webhook

    # WeCom: nothing twice; the posts a kill cut off arrived once and are in doubt, for a
    # person to decide; the rest are sent.
    received = Counter(m.text.splitlines()[0] for m in sink.messages("wecom"))
    assert set(received) == set(wecom)
    assert max(received.values()) == 1
    in_doubt = {s for s, status in wecom.items() if status == "in_doubt"}
    assert in_doubt == {m.text.splitlines()[0] for m in sink.held if m.platform == "wecom"}
    assert {status for s, status in wecom.items() if s not in in_doubt} == {"sent"}

    sys.stdout.write(
        f"\nworker kill test on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}: "
        f"{len(KILLS)} kills, {len(webhook)} webhook messages sent once "
        f"({sink.duplicates} repeats dropped), {len(wecom) - len(in_doubt)} WeCom sent, "
        f"{len(in_doubt)} in doubt, {time.monotonic() - started:.1f} s\n"
    )
