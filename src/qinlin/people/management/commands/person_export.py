"""`qinlin person-export PHONE FILE`: write everything stored about a person to a JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError
from qinlin.people.management.commands.person_erase import BAD_INPUT, person_by_phone
from qinlin.people.personal_data import person_export


class Command(BaseCommand):
    help = _(
        "把一个人的全部个人信息（资料、房屋、角色、诉求、异议、申请、报名、测评、表决回执）"
        "导出为 JSON 文件，供本人依法查阅、复制；导出会记入审计日志。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone", help=_("这个人的手机号码"))
        parser.add_argument("file", type=Path, help=_("输出文件（.json）"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            person = person_by_phone(options["phone"])
            data = person_export(person=person, actor=None)
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
            _("已把 %(name)s 的个人信息导出到 %(path)s。") % {"name": person.name, "path": path}
        )
