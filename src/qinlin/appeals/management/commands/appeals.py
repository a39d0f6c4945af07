"""`qinlin appeals group FILE` and `qinlin appeals import COMPOUND FILE`.

`group` puts appeals about the same matter together, for review or measurement.

FILE is CSV (UTF-8, a header with `id`, `text` and optionally `place`) or JSONL (one object
per line with the same keys). The groups go to stdout as `{"groups": [["id1", "id2"], …]}`,
every id exactly once, in the order of the input; nothing else is written to stdout, so the
output can be piped into an evaluation script. Bad input is reported on stderr with exit
code 2 and produces no output at all.

`import` loads a building chat group's export (xlsx or CSV, docs/appeals-import.md) into a
compound as appeals; bad rows go to stderr as "第 N 行 · 列：说明" with exit code 2, and
nothing is imported.
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

from qinlin.appeals.importing import appeals_import
from qinlin.appeals.models import Category
from qinlin.appeals.similarity import DEFAULT_TUNING, Appeal, group
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.people.models import Person
from qinlin.people.services import normalise_phone
from qinlin.places.importing import ImportRejected, read_rows
from qinlin.places.selectors import compound_find

# The exit code of bad input, as for a command-line usage error.
BAD_INPUT = 2

_CSV_SUFFIXES = {".csv"}
_SHEET_SUFFIXES = {".xlsx", ".csv"}
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


def _read_sheet(path: Path) -> bytes:
    if path.suffix.lower() not in _SHEET_SUFFIXES:
        raise DomainError(
            _("只能导入 .xlsx 或 .csv 文件，而“%(path)s”不是。") % {"path": path},
            code="bad_extension",
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise DomainError(
            _("无法读取文件 %(path)s：%(reason)s")
            % {"path": path, "reason": error.strerror or error},
            code="unreadable_file",
        ) from None


def _category(text: str | None) -> Category | None:
    if text is None:
        return None
    category = Category.objects.filter(code=text.strip()).first()
    if category is None:
        codes = "、".join(
            Category.objects.filter(is_active=True).order_by("order").values_list("code", flat=True)
        )
        raise DomainError(
            _("没有代码为“%(code)s”的类别。可用的代码：%(codes)s。")
            % {"code": text, "codes": codes},
            code="bad_category",
        )
    return category


def _actor(phone: str | None) -> Person | None:
    if phone is None:
        return None
    person = Person.objects.filter(phone=normalise_phone(phone), is_active=True).first()
    if person is None:
        raise NotFoundError(_("没有手机号为 %(phone)s 的人员。") % {"phone": phone})
    return person


class Command(BaseCommand):
    help = _(
        "诉求的命令行工具。group FILE：把说同一件事的诉求归为一组；"
        "import COMPOUND FILE：把楼栋群的聊天记录导入为诉求。"
    )
    # Neither action needs the system checks; `group` touches no database at all.
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

        importing = actions.add_parser(
            "import",
            help=_("把楼栋群（一楼一群）的聊天记录导入为一个小区的诉求。"),
            description=_(
                "读取 .xlsx 或 .csv 文件（首行为表头：时间、发言人、内容必填，手机、位置、类别"
                "可选；见 docs/appeals-import.md），导入为 COMPOUND 小区的诉求，渠道为一楼一群。"
                "只要有一行有误，就在标准错误逐行列出“第 N 行 · 列：说明”，退出码为 2，"
                "不导入任何数据。已导入过的消息（时间、发言人、内容相同）会跳过。"
            ),
        )
        importing.add_argument(
            "compound", metavar="COMPOUND", help=_("小区编号，或在全库唯一的小区名称")
        )
        importing.add_argument("file", metavar="FILE", type=Path, help=_(".xlsx 或 .csv 文件"))
        importing.add_argument(
            "--category",
            metavar="CODE",
            help=_("“类别”一栏为空的消息所用的类别代码，例如 property"),
        )
        importing.add_argument(
            "--actor",
            metavar="PHONE",
            help=_("以此手机号的工作人员身份导入（检查其权限，并记为录入人）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
            return
        appeals = read_appeals(options["file"])
        groups = group(appeals, threshold=options["threshold"])
        self.stdout.write(json.dumps({"groups": groups}, ensure_ascii=False))

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            compound = compound_find(options["compound"])
            default_category = _category(options["category"])
            actor = _actor(options["actor"])
            sheet = read_rows(_read_sheet(path), path.name)
            report = appeals_import(
                actor=actor, compound=compound, rows=sheet, default_category=default_category
            )
        except ImportRejected as exc:
            self.stderr.write(str(exc))
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise SystemExit(BAD_INPUT) from None
        except DomainError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(BAD_INPUT) from None
        self.stdout.write(
            _("已导入 %(name)s（%(uid)s）。") % {"name": compound.name, "uid": compound.uid}
        )
        for line in report.lines():
            self.stdout.write(line)
