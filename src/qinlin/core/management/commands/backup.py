"""`qinlin backup FILE`: the database and the uploaded files in one .tar.gz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = _(
        "备份数据库（SQLite 在线备份，PostgreSQL 用 pg_dump）和全部上传文件到一个 .tar.gz "
        "文件，内含清单：迁移、每个表的行数和审计链头。服务运行时也可备份；备份不写入任何数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("备份文件路径，如 qinlin-2026-12-01.tar.gz"))
        parser.add_argument(
            "--no-media",
            action="store_true",
            help=_("不备份上传文件（例如它们存放在已另行备份的对象存储中）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.parent.resolve().is_dir():
            raise CommandError(
                _("目录 %(folder)s 不存在。") % {"folder": path.parent}, returncode=2
            )
        try:
            manifest = backup_create(path=path, media=not options["no_media"])
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        rows = sum(manifest["tables"].values())
        files = len(manifest["media"] or {})
        self.stdout.write(
            _("已备份到 %(file)s：%(tables)d 个表共 %(rows)d 行，%(files)d 个上传文件。")
            % {"file": path, "tables": len(manifest["tables"]), "rows": rows, "files": files}
        )
        head = manifest["audit"]["head"]
        if head:
            self.stdout.write(
                _("审计链头：%(head)s（请另行保存；qinlin audit-verify --head 可核验其后未被删改）")
                % {"head": head}
            )
