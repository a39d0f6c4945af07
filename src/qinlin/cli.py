"""The `qinlin` command: Django's management commands, with hyphenated verbs.

`qinlin audit-verify` runs the `audit_verify` command; `qinlin check --deploy`, `qinlin
migrate` and the rest are Django's own.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinlin.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "qinlin"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
