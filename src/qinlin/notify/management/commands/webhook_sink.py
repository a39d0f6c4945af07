"""`qinlin webhook-sink`: a local stand-in for a chat group that receives the group robots'
posts and prints them, for the demo and for trying an installation without a real group."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qinlin.notify.sink import Sink, SinkServer


class Command(BaseCommand):
    help = (
        "本地测试 Webhook：接收并显示群机器人推送 "
        "(a local test webhook that receives and prints the group robots' posts)"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8019, help="port on 127.0.0.1 (0: any free port)"
        )
        parser.add_argument(
            "--secret",
            default="",
            help="check signatures with this secret (401 if wrong): X-Qinlin-Signature, "
            "DingTalk's and Feishu's sign",
        )
        parser.add_argument(
            "--fail-first", type=int, default=0, help="answer the first N posts with 500"
        )
        parser.add_argument("--delay", type=float, default=0.0, help="seconds to hold each answer")
        parser.add_argument(
            "--log", type=Path, default=None, help="append each accepted message as a JSON line"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["port"] < 0 or options["fail_first"] < 0 or options["delay"] < 0:
            self.stderr.write("--port, --fail-first and --delay must be 0 or more")
            raise SystemExit(2)
        # Lines go straight to the process's stdout, flushed, so a parent sees them at once.
        sink = Sink(
            secret=options["secret"],
            fail_first=options["fail_first"],
            delay=options["delay"],
            log=options["log"],
            echo=sys.stdout,
        )
        try:
            server = SinkServer(sink, options["port"])
        except OSError as error:  # the port is taken, most often by an earlier sink
            self.stderr.write(f"cannot listen on 127.0.0.1:{options['port']}: {error}")
            raise SystemExit(1) from None
        signal.signal(signal.SIGTERM, _interrupt)
        self.stdout.write(f"webhook sink listening on {server.url}")
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            sink.close()
            server.server_close()
        self.stdout.write(
            f"webhook sink stopped: {sink.count} received, {sink.duplicates} repeats dropped"
        )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
