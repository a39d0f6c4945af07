"""`qinlin worker`: runs the background tasks (django-tasks' database backend) and, every
minute, the notification clock (reminders, digests, recovery after a crash)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from qinlin.notify.clock import tick


class Command(BaseCommand):
    help = "运行后台任务：通知投递、提醒、每日摘要 (notification delivery, reminders, digests)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks for work"
        )
        parser.add_argument(
            "--clock-every", type=float, default=60.0, help="seconds between clock ticks"
        )
        parser.add_argument(
            "--once", action="store_true", help="run the clock once, drain the queue and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["clock_every"] <= 0:
            self.stderr.write("--interval must be 0 or more and --clock-every more than 0")
            raise SystemExit(2)
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        worker_id = get_random_string(16)
        self.stdout.write(f"qinlin worker {worker_id} started")
        self.stdout.flush()
        last_tick = 0.0
        while not self.stopping:
            close_old_connections()
            if time.monotonic() - last_tick >= options["clock_every"]:
                report = tick()
                last_tick = time.monotonic()
                if report.written or report.requeued or report.in_doubt:
                    self.stdout.write(
                        f"clock: {report.written} written, {report.requeued} requeued, "
                        f"{report.in_doubt} in doubt"
                    )
            self.worker = Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            self.worker.running = not self.stopping
            self.worker.run()
            if options["once"]:
                break
            time.sleep(options["interval"])
        self.stdout.write("qinlin worker stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the message in hand, then leave; a second signal leaves at once.
        if self.stopping:
            raise SystemExit(1)
        self.stopping = True
        worker = getattr(self, "worker", None)
        if worker is not None:
            worker.running = False
