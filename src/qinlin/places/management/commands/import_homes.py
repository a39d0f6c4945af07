"""`qinlin import-homes COMPOUND FILE [--dry-run]`: load a compound's register from xlsx or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError
from qinlin.places.importing import ImportRejected, places_import_homes, read_rows
from qinlin.places.selectors import compound_find

# The exit status for anything the operator must fix: bad arguments or bad rows.
BAD_INPUT = 2


class Command(BaseCommand):
    help = _(
        "从 xlsx 或 CSV 文件导入一个小区的房屋名册（格式见 docs/import-format.md）。"
        "文件有误时逐行列出问题并以退出码 2 结束，不改动任何数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("compound", help=_("小区编号，或在全库唯一的小区名称"))
        parser.add_argument("file", type=Path, help=_("名册文件（.xlsx 或 .csv）"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只检查并报告，不改动任何数据")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            compound = compound_find(options["compound"])
            data = read_file(path)
            sheet = read_rows(data, path.name)
            report = places_import_homes(
                actor=None, compound=compound, rows=sheet, dry_run=options["dry_run"]
            )
        except ImportRejected as exc:
            self.stderr.write(str(exc))
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise SystemExit(BAD_INPUT) from None
        except DomainError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(BAD_INPUT) from None
        if report.dry_run:
            self.stdout.write(_("只做了检查，没有改动任何数据。"))
        else:
            self.stdout.write(
                _("已导入 %(name)s（%(uid)s）。") % {"name": compound.name, "uid": compound.uid}
            )
        for line in report.lines():
            self.stdout.write(line)


def read_file(path: Path) -> bytes:
    """The file's bytes, or a DomainError the operator can act on."""
    if path.suffix.lower() not in {".xlsx", ".csv"}:
        raise DomainError(
            _("只能导入 .xlsx 或 .csv 文件，而“%(path)s”不是。") % {"path": path},
            code="bad_extension",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DomainError(
            _("无法读取文件“%(path)s”：%(reason)s") % {"path": path, "reason": exc.strerror or exc},
            code="unreadable_file",
        ) from None
