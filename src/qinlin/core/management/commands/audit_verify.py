"""`qinlin audit-verify [--head HASH]`: walk the audit chain and say whether it is intact."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinlin.core.audit import audit_verify, events_after

_HASH = re.compile(r"[0-9a-f]{64}")


class Command(BaseCommand):
    help = _("核验审计链：完整时退出码为 0，否则指出第一个损坏的事件并以退出码 1 结束。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            metavar="HASH",
            help=_(
                "另外核验此前记下的链头（如备份清单中的 audit.head）仍在链中："
                "找不到即说明其后的事件被删除，退出码为 1。"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        head = options["head"]
        if head is not None and not _HASH.fullmatch(head):
            raise CommandError(
                _("--head 应为 64 位十六进制摘要（小写），例如备份清单中的 audit.head。"),
                returncode=2,
            )
        report = audit_verify()
        if not report.ok:
            self.stderr.write(
                _("审计链已损坏。第一个损坏的事件：#%(id)s（%(reason)s）")
                % {"id": report.broken_id, "reason": report.reason}
            )
            # SystemExit rather than CommandError: the same exit code whether the command
            # runs from the shell or through call_command (cron wrappers and tests look at it).
            raise SystemExit(1)
        self.stdout.write(
            ngettext(
                "审计链完整：已核验 %(count)d 条事件。",
                "审计链完整：已核验 %(count)d 条事件。",
                report.checked,
            )
            % {"count": report.checked}
        )
        if head is None:
            return
        after = events_after(head)
        if after is None:
            self.stderr.write(
                _("审计链中没有链头 %(head)s：此后记录的事件已被删除，或它来自另一套系统。")
                % {"head": head}
            )
            raise SystemExit(1)
        self.stdout.write(
            ngettext(
                "链头 %(head)s 仍在链中，其后又记录了 %(count)d 条事件。",
                "链头 %(head)s 仍在链中，其后又记录了 %(count)d 条事件。",
                after,
            )
            % {"head": head[:12], "count": after}
        )
