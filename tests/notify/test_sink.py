"""The local test webhook (`qinlin webhook-sink`): what it accepts, refuses, drops and shows."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from qinlin.notify.sink import Sink, running

BODY = {"id": "n1", "subject": "新诉求：楼道灯坏了", "text": "新诉求：楼道灯坏了\n上河园 3号楼"}


def post(
    url: str, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the loopback sink of the test
        url, data=raw, method="POST", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def signed(body: dict[str, Any], secret: str, key: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Idempotency-Key": key, "X-Qinlin-Signature": f"sha256={digest}"}


@pytest.fixture
def sink() -> Iterator[tuple[Sink, str]]:
    box = Sink(secret="s3")
    with running(box) as server:
        yield box, server.url + "robot/shanghe"


def test_a_signed_post_is_accepted_and_a_repeat_of_its_key_is_not_counted(
    sink: tuple[Sink, str],
) -> None:
    box, url = sink
    raw, headers = signed(BODY, "s3", "n1")
    assert post(url, raw, headers) == (200, {"ok": True, "duplicate": False})
    assert post(url, raw, headers) == (200, {"ok": True, "duplicate": True})
    assert (box.count, box.duplicates) == (1, 1)
    [got] = box.messages()
    assert (got.platform, got.path, got.key, got.body) == ("webhook", "/robot/shanghe", "n1", BODY)


def test_a_wrong_or_missing_signature_is_refused_with_401(sink: tuple[Sink, str]) -> None:
    box, url = sink
    raw, headers = signed(BODY, "not-the-secret", "n1")
    assert post(url, raw, headers)[0] == 401
    assert post(url, raw, {"Idempotency-Key": "n1"})[0] == 401
    assert (box.count, box.refused) == (0, 2)


def test_a_body_that_is_not_a_json_object_is_refused_with_400(sink: tuple[Sink, str]) -> None:
    box, url = sink
    assert post(url, b"not json")[0] == 400
    assert post(url, b"[1, 2]")[0] == 400
    assert box.count == 0


def test_the_first_posts_can_be_failed_on_purpose() -> None:
    box = Sink(fail_first=2)
    with running(box) as server:
        statuses = [post(server.url, {"text": f"第{n}条"})[0] for n in range(3)]
    assert statuses == [500, 500, 200]
    assert (box.requests, box.failed, box.count) == (3, 2, 1)


def test_chat_platform_bodies_are_accepted_as_those_platforms_answer() -> None:
    box = Sink()
    with running(box) as server:
        wecom = post(server.url + "wecom", {"msgtype": "text", "text": {"content": "企微\n第二行"}})
        feishu = post(server.url + "feishu", {"msg_type": "text", "content": {"text": "飞书"}})
        again = post(server.url + "wecom", {"msgtype": "text", "text": {"content": "企微\n第二行"}})
    assert wecom == feishu == again == (200, {"errcode": 0, "errmsg": "ok"})
    # Without an Idempotency-Key nothing is dropped: a repeat is counted, so it shows.
    assert [m.line() for m in box.messages()] == [
        "[群机器人·企业微信] 企微 · 第二行",
        "[群机器人·飞书] 飞书",
        "[群机器人·企业微信] 企微 · 第二行",
    ]


def test_a_stale_dingtalk_signature_is_refused() -> None:
    box = Sink(secret="SEC")
    with running(box) as server:
        url = server.url + "robot/send?timestamp=1000&sign=abc"
        status, _ = post(url, {"msgtype": "text", "text": {"content": "钉钉"}})
    assert status == 401


def test_waiting_for_a_count_ends_at_the_deadline_when_nothing_comes() -> None:
    box = Sink()
    assert not box.wait_until(lambda s: s.count >= 1, timeout=0.05)
    box.receive("/", {}, b'{"text": "x"}')
    assert box.wait_until(lambda s: s.count >= 1, timeout=0.05)


# --- the command -------------------------------------------------------------------------------


class Lines:
    """The lines a process prints, read on a thread so a test can wait with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line.rstrip("\n"))

    def next(self, timeout: float = 30) -> str:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return ""

    def rest(self) -> list[str]:
        self.thread.join(timeout=10)
        return list(self.queue.queue)


def test_the_command_prints_each_accepted_message_and_logs_it(tmp_path: Path) -> None:
    log = tmp_path / "sink.jsonl"
    env = os.environ | {"PYTHONUNBUFFERED": "1", "QINLIN_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "qinlin", "webhook-sink", "--port", "0"]
    command += ["--secret", "s3", "--fail-first", "1", "--log", str(log)]
    process = subprocess.Popen(  # noqa: S603 - our own command, arguments fixed by the test
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    assert process.stderr is not None
    lines = Lines(process.stdout)
    try:
        first = lines.next()
        assert first.startswith("webhook sink listening on http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1] + "robot/shanghe"
        raw, headers = signed(BODY, "s3", "n1")
        assert post(url, raw, headers)[0] == 500
        assert post(url, raw, headers)[0] == 200
        assert post(url, raw, headers)[0] == 200  # a repeat: answered, not shown again
        assert lines.next() == "[群机器人] 新诉求：楼道灯坏了 · 上河园 3号楼"
    finally:
        process.terminate()
        process.wait(timeout=10)
    rest = lines.rest()
    with process.stdout, process.stderr:
        err = process.stderr.read()
    assert process.returncode == 0, err
    assert rest == ["webhook sink stopped: 1 received, 1 repeats dropped"]
    [entry] = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert entry["key"] == "n1"
    assert entry["body"] == BODY


def test_the_command_says_so_when_its_port_is_taken(tmp_path: Path) -> None:
    env = os.environ | {"QINLIN_DATA_DIR": str(tmp_path)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run(  # noqa: S603 - our own command, arguments fixed by the test
            [sys.executable, "-m", "qinlin", "webhook-sink", "--port", port],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
