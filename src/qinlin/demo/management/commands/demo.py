"""`qinlin demo`: migrate, load the demo subdistrict once, print the logins, serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from qinlin.demo.data import load_demo
from qinlin.demo.notifications import SINK_PORT, point_robots_at, sink_url
from qinlin.demo.story import play_story

ROLE_EN = {
    "resident": "Resident (owner)",
    "building_head": "Building head",
    "grid_worker": "Grid worker",
    "property_staff": "Property company",
    "owners_committee": "Owners' committee",
    "branch_secretary": "Branch secretary",
    "community_staff": "Community staff",
    "subdistrict_admin": "Subdistrict admin",
    "deputy": "Deputy",
    "third_party": "Third party",
    "expert": "Expert",
    "partner_contact": "Partner contact",
    "legal_adviser": "Legal adviser",
    "backbone": "Resident backbone",
    "resident_rep": "Resident representative",
    "unit_head": "Unit head",
    "party_member": "Party member",
}


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "迁移数据库、载入演示街道（北苑街道）、打印各角色演示账号并启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 (default 127.0.0.1)")
        parser.add_argument("--port", default="8000", help="端口 (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")
        parser.add_argument(
            "--story",
            action="store_true",
            help="在演示数据上完整演示一遍单元门议题（参考案例）/ play the reference story once",
        )
        parser.add_argument(
            "--sink-port",
            type=int,
            default=SINK_PORT,
            help=f"本地测试 Webhook 端口 / local test webhook port (default {SINK_PORT})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("迁移数据库 / Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        result = load_demo(stdout=self.stdout.write)
        if result.created:
            figures = "，".join(f"{k} {v}" for k, v in result.counts.items())
            self.stdout.write(
                f"已载入演示街道 / Demo subdistrict loaded in "
                f"{time.perf_counter() - started:.1f} s: {figures}"
            )
        else:
            self.stdout.write(
                "演示街道已存在，未重复载入 / The demo is already loaded; nothing added."
            )
        address = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"访问地址 / Address: {address}"))
        self.stdout.write(f"演示账号（密码均为 / password for all: {result.logins[0].password}）:")
        for login in result.logins:
            self.stdout.write(
                f"  {login.role.label:<8} {ROLE_EN[login.role.value]:<24} "
                f"{login.name:<4}  {login.phone}"
            )
        if options["story"]:
            self._story(address)
        if options["no_serve"]:
            return
        helpers = self._start_helpers(address, options["sink_port"])
        self.stdout.write("")
        # Stopped by a signal rather than Ctrl+C, the demo still stops its worker and sink.
        signal.signal(signal.SIGTERM, _exit)
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            for process in helpers:
                process.terminate()
            for process in helpers:
                process.wait(timeout=10)

    def _story(self, address: str) -> None:
        self.stdout.write("")
        self.stdout.write("参考案例：上河园单元门 / The reference story: 上河园's unit door")
        started = time.perf_counter()
        story = play_story(stdout=self.stdout.write)
        if story.created:
            self.stdout.write(
                f"参考案例已演示完毕 / The story is played in {time.perf_counter() - started:.1f} s"
            )
        else:
            self.stdout.write(
                "参考案例已存在，未重复演示 / The story is already there; nothing added."
            )
        url = address.rstrip("/") + story.path
        self.stdout.write(self.style.SUCCESS(f"议题 / Topic “{story.topic.title}”: {url}"))

    def _start_helpers(self, address: str, sink_port: int) -> list[subprocess.Popen[bytes]]:
        """The background worker that delivers notifications, and the local test webhook
        that stands in for the grid's work group (its posts are printed here)."""
        robot = point_robots_at(sink_port)
        env = {
            **os.environ,
            "QINLIN_BASE_URL": address.rstrip("/"),
            "QINLIN_ROBOT_URL_PREFIXES": ",".join(settings.QINLIN_ROBOT_URL_PREFIXES),
        }
        command = [sys.executable, "-m", "qinlin"]
        sink = [*command, "webhook-sink", "--port", str(sink_port)]
        if robot is not None and robot.secret:
            sink += ["--secret", robot.secret]
        processes = [
            subprocess.Popen(sink, env=env),  # noqa: S603 - our own command, no shell
            subprocess.Popen([*command, "worker"], env=env),  # noqa: S603
        ]
        self.stdout.write(
            f"通知 / Notifications: worker started; {robot.name if robot else 'robot'} posts to "
            f"the local test webhook {sink_url(sink_port)} (its messages appear below)."
        )
        return processes
