"""`qinlin audit-verify`: walk the audit chain and say whether it is intact."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinlin.core.audit import audit_verify


class Command(BaseCommand):
    help = _("核验审计链：完整时退出码为 0，否则指出第一个损坏的事件并以退出码 1 结束。")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.ok:
            self.stdout.write(
                ngettext(
                    "审计链完整：已核验 %(count)d 条事件。",
                    "审计链完整：已核验 %(count)d 条事件。",
                    report.checked,
                )
                % {"count": report.checked}
            )
            return
        self.stderr.write(
            _("审计链已损坏。第一个损坏的事件：#%(id)s（%(reason)s）")
            % {"id": report.broken_id, "reason": report.reason}
        )
        # SystemExit rather than CommandError: the same exit code whether the command runs
        # from the shell or through call_command (cron wrappers and tests look at it).
        raise SystemExit(1)
