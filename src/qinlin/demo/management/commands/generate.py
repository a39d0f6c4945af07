"""`qinlin generate --homes N`: build a city-scale dataset in the current, empty database."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qinlin.demo.generate.city import Options
from qinlin.demo.generate.run import generate
from qinlin.demo.management.commands.demo import ROLE_EN
from qinlin.places.models import Place


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise CommandError(
            _("%(value)s 不是正整数，请给出大于 0 的整数。") % {"value": text}, returncode=2
        )
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise CommandError(
            _("%(value)s 不是正数，请给出大于 0 的数。") % {"value": text}, returncode=2
        )
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(value)s 不是日期，请按 YYYY-MM-DD 填写。") % {"value": text}, returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "在当前（空）数据库中生成城市规模的数据：N 户的小区、楼栋、单元和业主，几年的诉求、"
        "各阶段的议题、会议、表决、公示、测评和活动；同样的参数生成同样的数据。"
        " / Build a deterministic city-scale dataset in the current, empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--homes", required=True, help="户数 N / number of homes")
        parser.add_argument("--seed", default="2026", help="随机种子 / seed (default 2026)")
        parser.add_argument("--years", default="4", help="历史年数 / years of history (default 4)")
        parser.add_argument(
            "--appeals-per-home",
            default="5",
            help="每户诉求数 / appeals per home over the years (default 5)",
        )
        parser.add_argument(
            "--until", default="", help="历史截止日 YYYY-MM-DD / last day (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed = int(options["seed"])
        except ValueError:
            raise CommandError(
                _("%(value)s 不是整数，请给出整数种子。") % {"value": options["seed"]},
                returncode=2,
            ) from None
        chosen = Options(
            homes=_positive_int(options["homes"]),
            seed=seed,
            years=_positive_int(options["years"]),
            appeals_per_home=_positive_float(options["appeals_per_home"]),
        )
        if options["until"]:
            chosen.until = _day(options["until"])
        if Place.objects.exists():
            raise CommandError(
                _("数据库中已有地点数据，未做任何改动。请在空数据库上运行 qinlin generate。"),
                returncode=2,
            )
        self.stdout.write(f"生成 / Generating {chosen.homes:,} homes (seed {chosen.seed}) …")
        result = generate(chosen, say=self.stdout.write)
        total = sum(result.counts.values())
        self.stdout.write("")
        self.stdout.write(f"{'table':<34} {'rows':>12} {'s':>8} {'rows/s':>10}")
        for table, rows in result.counts.items():
            seconds = result.seconds[table]
            rate = f"{rows / seconds:,.0f}" if seconds else "-"
            self.stdout.write(f"{table:<34} {rows:>12,} {seconds:>8.1f} {rate:>10}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 / Generated {total:,} rows in {result.total_seconds:.1f} s "
                f"({total / max(result.total_seconds, 0.001):,.0f} rows/s)"
            )
        )
        self.stdout.write(f"演示账号（密码均为 / password for all: {result.logins[0].password}）:")
        for login in result.logins:
            self.stdout.write(
                f"  {login.role.label:<8} {ROLE_EN[login.role.value]:<24} "
                f"{login.name:<4}  {login.phone}"
            )
