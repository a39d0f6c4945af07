"""`qinlin appeals group FILE`: group appeals about the same matter, for review or measurement.

FILE is CSV (UTF-8, a header with `id`, `text` and optionally `place`) or JSONL (one object
per line with the same keys). The groups go to stdout as `{"groups": [["id1", "id2"], …]}`,
every id exactly once, in the order of the input; nothing else is written to stdout, so the
output can be piped into an evaluation script. Bad input is reported on stderr with exit
code 2 and produces no output at all.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qinlin.appeals.similarity import DEFAULT_TUNING, Appeal, group

# The exit code of bad input, as for a command-line usage error.
BAD_INPUT = 2

_CSV_SUFFIXES = {".csv"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _bad(
            _("无法读取文件 %(path)s：%(reason)s") % {"path": path, "reason": error.strerror}
        ) from error
    try:
        # utf-8-sig: a CSV saved by Excel starts with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _bad(
            _("文件 %(path)s 不是 UTF-8 编码的文本，请另存为 UTF-8 的 CSV 或 JSONL。")
            % {"path": path}
        ) from error


def _looks_like_jsonl(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return True
    if suffix in _CSV_SUFFIXES:
        return False
    return text.lstrip().startswith("{")


class _Collector:
    """Checks ids as rows arrive: present, unique; remembers the appeals in input order."""

    def __init__(self) -> None:
        self.appeals: list[Appeal] = []
        self._seen: set[str] = set()

    def add(self, line: int, appeal_id: str, text: str, place: str | None) -> None:
        if not appeal_id.strip():
            raise _bad(_("第 %(line)d 行：id 为空。每条诉求都需要一个 id。") % {"line": line})
        if appeal_id in self._seen:
            raise _bad(
                _("第 %(line)d 行：id “%(id)s”重复。每个 id 只能出现一次。")
                % {"line": line, "id": appeal_id}
            )
        self._seen.add(appeal_id)
        self.appeals.append(Appeal(id=appeal_id, text=text, place=place or None))


def _read_csv(text: str) -> list[Appeal]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
        if not header:
            raise _bad(_("CSV 文件没有表头。第一行应为列名：id,text[,place]。"))
        columns = [name.strip() for name in header]
        missing = [name for name in ("id", "text") if name not in columns]
        if missing:
            raise _bad(
                _("CSV 文件缺少列：%(columns)s。表头应包含 id 和 text，place 可选。")
                % {"columns": "、".join(missing)}
            )
        reader.fieldnames = columns
        collector = _Collector()
        for row in reader:
            if None in row or any(row[name] is None for name in ("id", "text")):
                raise _bad(_("第 %(line)d 行的列数与表头不一致。") % {"line": reader.line_num})
            collector.add(reader.line_num, row["id"], row["text"], row.get("place"))
    except csv.Error as error:
        raise _bad(
            _("不是有效的 CSV 文件（第 %(line)d 行：%(reason)s）。")
            % {"line": reader.line_num, "reason": error}
        ) from error
    return collector.appeals


def _jsonl_field(line: int, record: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = record.get(name)
    if value is None:
        if required:
            raise _bad(_("第 %(line)d 行缺少 %(field)s。") % {"line": line, "field": name})
        return None
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _bad(_("第 %(line)d 行的 %(field)s 应为文本。") % {"line": line, "field": name})
    return value


def _read_jsonl(text: str) -> list[Appeal]:
    collector = _Collector()
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            record = json.loads(content)
        except json.JSONDecodeError as error:
            raise _bad(
                _("不是有效的 JSONL 文件（第 %(line)d 行：%(reason)s）。每行应是一个 JSON 对象。")
                % {"line": line, "reason": error.msg}
            ) from error
        if not isinstance(record, dict):
            raise _bad(_("第 %(line)d 行不是 JSON 对象。") % {"line": line})
        appeal_id = _jsonl_field(line, record, "id", required=True)
        appeal_text = _jsonl_field(line, record, "text", required=True)
        place = _jsonl_field(line, record, "place", required=False)
        collector.add(line, appeal_id or "", appeal_text or "", place)
    return collector.appeals


def read_appeals(path: Path) -> list[Appeal]:
    """The appeals of a CSV or JSONL file, or a CommandError (exit 2) saying what to fix."""
    text = _read_text(path)
    if not text.strip():
        raise _bad(_("文件 %(path)s 是空的。") % {"path": path})
    if _looks_like_jsonl(path, text):
        return _read_jsonl(text)
    return _read_csv(text)


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 < number < 1.0:
        raise argparse.ArgumentTypeError(_("阈值应为 0 到 1 之间的小数，例如 0.25。"))
    return number


class Command(BaseCommand):
    help = _("诉求的命令行工具。group FILE：把说同一件事的诉求归为一组。")
    # Reads a file and touches no database: the system checks would only slow it down.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        grouping = actions.add_parser(
            "group",
            help=_("把说同一件事的诉求归组，结果以 JSON 写到标准输出。"),
            description=_(
                "读取 CSV（UTF-8，表头 id,text[,place]）或 JSONL（每行一个含 id、text、"
                "可选 place 的对象）文件；place 写成从小区往下的路径，如“上河园/3号楼/2单元”。"
                '输出 {"groups": [["id1", "id2"], ["id3"]]}，每个 id 恰好出现一次；'
                "不同小区的诉求不会归入同一组。输入有误时在标准错误说明原因，退出码为 2。"
            ),
        )
        grouping.add_argument("file", metavar="FILE", type=Path, help=_("CSV 或 JSONL 文件"))
        grouping.add_argument(
            "--threshold",
            type=_threshold,
            default=DEFAULT_TUNING.threshold,
            help=_("归组的相似度阈值（默认 %(default)s）：越高分组越细。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Only one action today; the sub-command leaves room for the next ones.
        appeals = read_appeals(options["file"])
        groups = group(appeals, threshold=options["threshold"])
        self.stdout.write(json.dumps({"groups": groups}, ensure_ascii=False))
