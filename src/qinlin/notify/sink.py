"""A local stand-in for a chat group: receives what the group robots post, checks it as the
platform would, and shows it. `qinlin demo` starts one as the grid's "local test webhook";
the tests post to it to see what leaves the outbox, byte for byte.

It speaks the generic webhook (docs/notifications.md): with a secret, the body's HMAC in
`X-Qinlin-Signature` must match, and a repeated `Idempotency-Key` is answered 200 and not
counted again. WeCom-, DingTalk- and Feishu-shaped bodies are accepted too (their signatures
checked where the platform signs), and answered as those platforms answer success.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

HOST = "127.0.0.1"
MAX_BODY = 1024 * 1024
# DingTalk and Feishu refuse a signature whose timestamp is more than an hour off.
MAX_SKEW_SECONDS = 3600
LABELS = {
    "webhook": "群机器人",
    "wecom": "群机器人·企业微信",
    "dingtalk": "群机器人·钉钉",
    "feishu": "群机器人·飞书",
}


@dataclass(frozen=True)
class Received:
    """One accepted message."""

    platform: str  # webhook, wecom, dingtalk or feishu
    path: str
    key: str  # the Idempotency-Key of a generic webhook post, else ""
    text: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """One readable line: what a person watching the demo sees."""
        text = " · ".join(part.strip() for part in self.text.splitlines() if part.strip())
        return f"[{LABELS.get(self.platform, self.platform)}] {text}"


class RefusedError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def platform_of(body: dict[str, Any], query: dict[str, str]) -> str:
    if "msg_type" in body:
        return "feishu"
    if "msgtype" in body:
        # WeCom and DingTalk post the same body; only DingTalk signs, in the address.
        return "dingtalk" if "sign" in query else "wecom"
    return "webhook"


def text_of(platform: str, body: dict[str, Any]) -> str:
    if platform == "feishu":
        content = body.get("content")
        return str(content.get("text", "")) if isinstance(content, dict) else ""
    if platform in ("wecom", "dingtalk"):
        part = body.get(str(body.get("msgtype", "text")))
        return str(part.get("content", "")) if isinstance(part, dict) else ""
    return str(body.get("text") or body.get("subject") or "")


def _b64_hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _fresh(timestamp: str, *, per_second: int) -> bool:
    try:
        seconds = int(timestamp) / per_second
    except ValueError:
        return False
    return abs(time.time() - seconds) <= MAX_SKEW_SECONDS


def check_signature(
    platform: str,
    secret: str,
    *,
    raw: bytes,
    body: dict[str, Any],
    headers: dict[str, str],
    query: dict[str, str],
) -> None:
    """Raise RefusedError(401) unless the post is signed as its platform signs with `secret`."""
    if platform == "webhook":
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-qinlin-signature", ""), expected):
            raise RefusedError(401, "bad or missing X-Qinlin-Signature")
    elif platform == "dingtalk":
        # DingTalk: a millisecond timestamp; the key is the secret, the message "<ts>\n<secret>".
        timestamp = query.get("timestamp", "")
        expected = _b64_hmac(secret.encode(), f"{timestamp}\n{secret}".encode())
        if not _fresh(timestamp, per_second=1000) or not hmac.compare_digest(
            query.get("sign", ""), expected
        ):
            raise RefusedError(401, "bad DingTalk timestamp or sign")
    elif platform == "feishu":
        # Feishu: a timestamp in seconds; the key is "<ts>\n<secret>", the message empty.
        timestamp = str(body.get("timestamp", ""))
        expected = _b64_hmac(f"{timestamp}\n{secret}".encode(), b"")
        if not _fresh(timestamp, per_second=1) or not hmac.compare_digest(
            str(body.get("sign", "")), expected
        ):
            raise RefusedError(401, "bad Feishu timestamp or sign")
    # WeCom's group robots do not sign: the key in the address is the secret.


class Sink:
    """What the server has received, and how it answers. Thread-safe."""

    def __init__(
        self,
        *,
        secret: str = "",
        fail_first: int = 0,
        delay: float = 0.0,
        log: Path | None = None,
        echo: TextIO | None = None,
    ) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.delay = delay  # seconds to hold each answer, after the message is recorded
        self.log = log
        self.echo = echo
        self.received: list[Received] = []
        self.requests = 0  # every POST, failed and refused ones too
        self.failed = 0  # answered 500 on purpose
        self.refused = 0  # answered 4xx
        self.duplicates = 0  # repeated Idempotency-Keys, answered 200 and not counted
        self._keys: set[str] = set()
        self._changed = threading.Condition()
        self._closing = threading.Event()

    @property
    def count(self) -> int:
        with self._changed:
            return len(self.received)

    def messages(self, platform: str | None = None) -> list[Received]:
        with self._changed:
            return [r for r in self.received if platform is None or r.platform == platform]

    def wait_until(self, condition: Callable[[Sink], bool], timeout: float) -> bool:
        """Block until `condition(self)` holds (checked after each request) or `timeout`
        seconds pass; returns whether it holds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def receive(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        """Handle one POST: (status, JSON answer). `headers` have lower-case names."""
        try:
            return 200, self._accept(path, headers, raw)
        except RefusedError as refusal:
            return refusal.status, {"errcode": refusal.status, "errmsg": refusal.reason}
        finally:
            with self._changed:
                self._changed.notify_all()

    def _accept(self, path: str, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        with self._changed:
            self.requests += 1
            if self.failed < self.fail_first:
                self.failed += 1
                raise RefusedError(500, "failing on purpose (--fail-first)")
        split = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(split.query))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._refuse()
            raise RefusedError(400, "the body is not a JSON object")
        platform = platform_of(body, query)
        if self.secret:
            try:
                check_signature(
                    platform, self.secret, raw=raw, body=body, headers=headers, query=query
                )
            except RefusedError:
                self._refuse()
                raise
        key = headers.get("idempotency-key", "") if platform == "webhook" else ""
        message = Received(platform, split.path, key, text_of(platform, body), body, headers, query)
        with self._changed:
            if key and key in self._keys:
                self.duplicates += 1
                duplicate = True
            else:
                duplicate = False
                if key:
                    self._keys.add(key)
                self.received.append(message)
                self._record(message)
            # Waiters learn of the message now, not only once its answer has gone out.
            self._changed.notify_all()
        if self.delay:
            self._closing.wait(self.delay)
        if platform == "webhook":
            return {"ok": True, "duplicate": duplicate}
        return {"errcode": 0, "errmsg": "ok"}

    def _refuse(self) -> None:
        with self._changed:
            self.refused += 1

    def _record(self, message: Received) -> None:
        # Called with the lock held, so lines from simultaneous posts never interleave.
        if self.echo is not None:
            self.echo.write(message.line() + "\n")
            self.echo.flush()
        if self.log is not None:
            entry = asdict(message)
            del entry["headers"], entry["query"]
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")

    def close(self) -> None:
        """Release answers held by `delay`, so the server can stop at once."""
        self._closing.set()


class _Handler(BaseHTTPRequestHandler):
    server: SinkServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, {"errcode": 413, "errmsg": "body too large"})
            self.close_connection = True
            return
        raw = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer = self.server.sink.receive(self.path, headers, raw)
        self._answer(status, answer)

    def do_GET(self) -> None:
        sink = self.server.sink
        self._answer(
            200,
            {
                "received": sink.count,
                "duplicates": sink.duplicates,
                "messages": [m.line() for m in sink.messages()[-50:]],
            },
        )

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the accepted messages are what a person wants to see."""


class SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sink: Sink, port: int = 0) -> None:
        super().__init__((HOST, port), _Handler)
        self.sink = sink

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a worker killed mid-post, a timeout) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def stop(self) -> None:
        self.sink.close()
        self.shutdown()
        self.server_close()


@contextmanager
def running(sink: Sink, port: int = 0) -> Iterator[SinkServer]:
    """Serve `sink` on a thread for the duration of the block (port 0: any free port)."""
    server = SinkServer(sink, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=5)
