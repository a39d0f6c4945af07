"""`qinlin export-homes COMPOUND FILE`: write a compound's register as xlsx or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError
from qinlin.places.exporting import FORMATS, places_export_homes
from qinlin.places.selectors import compound_find, homes_under

BAD_INPUT = 2


class Command(BaseCommand):
    help = _(
        "把一个小区的房屋名册导出为 .xlsx 或 .csv（按扩展名），格式与导入相同，"
        "可修改后再导入。文件含业主手机号，导出会记入审计日志。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("compound", help=_("小区编号，或在全库唯一的小区名称"))
        parser.add_argument("file", type=Path, help=_("输出文件（.xlsx 或 .csv）"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = path.suffix.lower().lstrip(".")
        try:
            if fmt not in FORMATS:
                raise DomainError(
                    _("请用 .xlsx 或 .csv 作为输出文件的扩展名，而不是“%(path)s”。")
                    % {"path": path},
                    code="bad_extension",
                )
            compound = compound_find(options["compound"])
            data = places_export_homes(compound, fmt, actor=None)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise DomainError(
                    _("无法写入文件“%(path)s”：%(reason)s")
                    % {"path": path, "reason": exc.strerror or exc},
                    code="unwritable_file",
                ) from None
        except DomainError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(BAD_INPUT) from None
        self.stdout.write(
            _("已导出 %(name)s 的 %(homes)d 户到 %(path)s。")
            % {"name": compound.name, "homes": homes_under(compound).count(), "path": path}
        )
