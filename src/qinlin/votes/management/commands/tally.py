"""`qinlin tally FILE.json`: recount an owners' vote from a file with the same engine."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.votes.rules import TallyError
from qinlin.votes.tallyfile import tally_file


class Command(BaseCommand):
    help = (
        "Tally an owners' vote from FILE.json (rule, options, homes, ballots) under Civil Code "
        "Art. 278 and print each option's exact result as JSON. Exit status 2 on bad input."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the vote as JSON (see the README)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            # Areas written as JSON numbers stay exact: 89.50 is read as Decimal("89.50").
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except OSError:
            self._refuse(_("无法读取文件 %(path)s。") % {"path": path})
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self._refuse(_("文件不是有效的 JSON：%(error)s") % {"error": error})
        try:
            result = tally_file(data)
        except TallyError as error:
            self._refuse(error.message(get_language() or "zh-hans"))
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _refuse(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)
