"""`qinlin restore FILE`: replace the database and the uploaded files with a backup's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.backup import BackupError, RestoreCheckError, backup_inspect, backup_restore


class Command(BaseCommand):
    help = _(
        "用 qinlin backup 生成的文件替换全部数据和上传文件，然后按清单核对行数、审计链和文件。"
        "请先停止服务和后台任务。拒绝非亲邻备份、其他数据库类型的备份和来自更新版本的备份"
        "（退出码 2，不做任何改动）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("qinlin backup 生成的备份文件"))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("只检查文件能否恢复并显示其清单，不做任何改动"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件 %(file)s。") % {"file": path}, returncode=2)
        try:
            act = backup_inspect if options["check"] else backup_restore
            manifest = act(path=path)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        except RestoreCheckError as error:
            raise CommandError(
                _("已恢复，但核对未通过：\n%(problems)s") % {"problems": error}, returncode=1
            ) from None
        rows = sum(manifest["tables"].values())
        done = _("可以恢复") if options["check"] else _("已恢复并核对无误")
        self.stdout.write(
            _(
                "%(done)s：%(file)s（%(created)s 备份，%(tables)d 个表共 %(rows)d 行，"
                "%(files)d 个上传文件）"
            )
            % {
                "done": done,
                "file": path.name,
                "created": manifest["created_at"],
                "tables": len(manifest["tables"]),
                "rows": rows,
                "files": len(manifest["media"] or {}),
            }
        )
