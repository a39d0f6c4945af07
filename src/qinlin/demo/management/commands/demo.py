"""`qinlin demo`: migrate, load the demo subdistrict once, print the logins, serve."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from qinlin.demo.data import load_demo

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


class Command(BaseCommand):
    help = "迁移数据库、载入演示街道（北苑街道）、打印各角色演示账号并启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 (default 127.0.0.1)")
        parser.add_argument("--port", default="8000", help="端口 (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")

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
        if options["no_serve"]:
            return
        self.stdout.write("")
        call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
