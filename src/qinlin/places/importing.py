"""Importing a compound's register of homes and owners from a spreadsheet (docs/import-format.md).

Community workers keep the register in Excel. One file holds one compound: a header row, then
one row per home, or one row per co-owner when a home has several. The whole file is checked
before anything is written, and every problem is reported with the row number the worker sees
in Excel, so a file is fixed in one pass and a half-imported compound never exists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import IO, TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import ConfirmedVia, Person, Relation, Residency, ResidencyStatus
from qinlin.places.models import PATH_END, SEGMENT, Place, PlaceKind, segment_number
from qinlin.places.services import child_path, next_child_number

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# A register is at most a few thousand homes; the caps stop a zip bomb or a runaway sheet
# from holding a worker process, and say so instead of timing out.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 20_000
MAX_COLUMNS = 50
# Values per IN (...) list: below SQLite's historical limit of 999 variables per statement.
_IN_CHUNK = 900
_BATCH = 500

_AREA_LIMIT = Decimal("100000000")  # Place.area: max_digits=10, decimal_places=2
_CENT = Decimal("0.01")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-－—()（）]")
# "面积（㎡）", "面积(m²)", "*楼栋": a unit or a required-marker around the column name.
_HEADER_DECORATION = re.compile(r"[（(][^)）]*[)）]\s*$|^\s*\*|\*\s*$")
_AREA_UNIT = re.compile(r"\s*(㎡|m²|m2|平方米|平米)\s*$", re.IGNORECASE)
# Spreadsheet programs run a cell starting with these as a formula; exports prefix such a
# value with an apostrophe (OWASP's advice) and imports take the apostrophe off again.
FORMULA_START = ("=", "+", "-", "@")

TRUE_WORDS = frozenset({"是", "true", "1", "yes", "y"})
FALSE_WORDS = frozenset({"否", "false", "0", "no", "n", ""})


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, as exports write it
    required: bool
    example: str
    help: _StrPromise


COLUMNS: tuple[Column, ...] = (
    Column("building", "楼栋", True, "3号楼", gettext_lazy("楼栋名称。")),
    Column("unit", "单元", True, "2单元", gettext_lazy("单元名称。")),
    Column("room", "房号", True, "101", gettext_lazy("房号；同一单元内不能重复。")),
    Column(
        "register_no",
        "不动产登记号",
        False,
        "鲁(2021)潍坊市不动产权第0012345号",
        gettext_lazy("不动产权证上的登记号；不同房屋不能相同。"),
    ),
    Column(
        "area",
        "面积",
        True,
        "89.5",
        gettext_lazy("专有部分面积，单位平方米，大于 0，最多两位小数。"),
    ),
    Column("owner_name", "业主姓名", False, "张明", gettext_lazy("与业主手机同时填写。")),
    Column(
        "owner_phone",
        "业主手机",
        False,
        "13812341234",
        gettext_lazy("11 位手机号；一套房屋有几位共有人就写几行。"),
    ),
    Column(
        "owner_key",
        "业主标识",
        False,
        "Z001",
        gettext_lazy("同一业主的多套房屋填相同标识，表决时计为一人。"),
    ),
    Column(
        "developer_unsold",
        "开发商未售",
        False,
        "否",
        gettext_lazy("开发商未售出或未交付的房屋填“是”；留空即为“否”。"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HEADERS = [column.header for column in COLUMNS]
# The columns that describe the home itself: co-owners' rows must repeat them identically.
HOME_FIELDS = ("area", "register_no", "owner_key", "developer_unsold")


def _header_token(text: str) -> str:
    return _HEADER_DECORATION.sub("", text.replace("\ufeff", "")).strip()


_HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    _HEADER_LOOKUP[_column.header] = _column.key
    _HEADER_LOOKUP[_column.key] = _column.key
    _HEADER_LOOKUP[_column.key.replace("_", " ")] = _column.key


def column_for_header(text: str) -> str | None:
    """The column key a header cell names, in Chinese or English (any case), or None."""
    token = _header_token(text)
    return _HEADER_LOOKUP.get(token) or _HEADER_LOOKUP.get(token.lower())


# --- results and errors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing to fix: the row as the spreadsheet numbers it (header = 1) and the column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("第 %(row)d 行 · %(column)s：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("第 %(row)d 行：%(message)s") % {"row": self.row, "message": self.message}


class ImportRejected(DomainError):  # noqa: N818 — "rejected" says what happened to the file
    """The file has problems; nothing was written. `problems` lists every one of them."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.row)
        count = len(self.problems)
        super().__init__(
            ngettext(
                "表格中有 %(count)d 处需要修改，没有导入任何数据。",
                "表格中有 %(count)d 处需要修改，没有导入任何数据。",
                count,
            )
            % {"count": count}
        )


@dataclass(frozen=True)
class SheetRows:
    """What `read_rows` found in a file: the header cells and the numbered rows below it."""

    header: list[str]
    rows: list[tuple[int, list[object]]]
    sha256: str
    filename: str = ""


@dataclass(frozen=True)
class ImportReport:
    rows: int
    buildings_created: int
    units_created: int
    homes_created: int
    homes_updated: int
    homes_unchanged: int
    people_created: int
    residencies_confirmed: int
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report as short sentences for a page or a terminal."""
        return [
            _("读取 %(n)d 行。") % {"n": self.rows},
            _("新建楼栋 %(b)d 个、单元 %(u)d 个、房屋 %(h)d 户。")
            % {"b": self.buildings_created, "u": self.units_created, "h": self.homes_created},
            _("更新房屋 %(n)d 户，%(same)d 户没有变化。")
            % {"n": self.homes_updated, "same": self.homes_unchanged},
            _("新建人员 %(p)d 人，确认业主关系 %(r)d 条。")
            % {"p": self.people_created, "r": self.residencies_confirmed},
        ]

    @property
    def changed(self) -> bool:
        return any(
            (
                self.buildings_created,
                self.units_created,
                self.homes_created,
                self.homes_updated,
                self.people_created,
                self.residencies_confirmed,
            )
        )


# --- reading a file --------------------------------------------------------------------------

Records = Iterator[tuple[int, Sequence[object]]]


def read_rows(file: bytes | IO[bytes], filename: str = "") -> SheetRows:
    """Parse an xlsx or CSV file into header and rows; raise ImportRejected if unreadable.

    The kind is told by content first (an xlsx is a zip) and by the file name second, so a
    file renamed by a chat app still opens. CSV is read as UTF-8 (with or without BOM) and
    otherwise as GB18030, the superset of GBK that Excel in China saves.
    """
    data = file if isinstance(file, bytes) else file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _unreadable(_("文件太大（上限 10 MB）。一个小区的名册通常不到 1 MB。"))
    header, rows = _split_header(_records(data, filename.lower()))
    return SheetRows(
        header=header, rows=rows, sha256=hashlib.sha256(data).hexdigest(), filename=filename
    )


def _records(data: bytes, lower_name: str) -> Records:
    if data.startswith(b"\xd0\xcf\x11\xe0") or lower_name.endswith(".xls"):
        raise _unreadable(_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv。"))
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data)
    if lower_name.endswith((".xlsx", ".xlsm")):
        raise _not_xlsx()
    return _csv_records(data)


def _split_header(records: Records) -> tuple[list[str], list[tuple[int, list[object]]]]:
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    for number, cells in records:
        if header is None:
            header = [_text(cell) for cell in cells]
            while header and not header[-1]:
                header.pop()
            if not header:
                raise _unreadable(_("第一行应是表头（楼栋、单元、房号、面积……），但它是空的。"))
            if len(header) > MAX_COLUMNS:
                raise _unreadable(_("表头的列太多，请只保留名册需要的列。"))
        elif any(not _is_blank(cell) for cell in cells):
            if len(rows) >= MAX_DATA_ROWS:
                raise _unreadable(
                    _("行数超过 %(max)d，请按小区分成几个文件。") % {"max": MAX_DATA_ROWS}
                )
            values = list(cells)
            while _is_blank(values[-1]):
                values.pop()
            rows.append((number, values))
    if header is None:
        raise _unreadable(_("文件是空的。"))
    return header, rows


def _unreadable(message: str) -> ImportRejected:
    return ImportRejected([Problem(row=1, column="", message=message)])


def _not_xlsx() -> ImportRejected:
    return _unreadable(_("文件不是有效的 xlsx 表格，请在 Excel 中重新保存后再试。"))


def _xlsx_records(data: bytes) -> Records:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _not_xlsx() from None
    try:
        if not book.worksheets:
            raise _unreadable(_("文件是空的。"))
        # Read-only sheets stream from the zip: numbering by position keeps the row numbers
        # Excel shows, since empty rows come through as empty tuples.
        yield from enumerate(
            book.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1
        )
    finally:
        book.close()


def _csv_records(data: bytes) -> Records:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _unreadable(
                _("无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 xlsx。")
            ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        # Numbering records (not physical lines) matches the rows Excel shows, even when a
        # quoted cell holds a line break.
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
    except csv.Error:
        raise _unreadable(_("CSV 文件格式有误，请在 Excel 中重新保存后再试。")) from None


# --- cell values -----------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: object) -> str:
    """A cell as text: Excel stores "101" or a phone number as a number when typed bare."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    text = str(cell).replace("\u3000", " ").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def _words(cell: object, *, max_length: int, required: bool) -> str:
    if isinstance(cell, datetime | date | time):
        # "1-101" typed into Excel becomes the date 1 January: a real case, named plainly.
        raise _CellError(_("Excel 把这一格当成了日期。请把这一列设为“文本”格式后重新输入。"))
    text = " ".join(_text(cell).split())
    if required and not text:
        raise _CellError(_("必须填写。"))
    if len(text) > max_length:
        raise _CellError(_("太长了，最多 %(max)d 个字。") % {"max": max_length})
    return text


def parse_area(cell: object) -> Decimal:
    """An area in m² with at most two decimals. An Excel float is read through its repr, so
    89.5 is 89.5 while 89.499999 is refused rather than silently rounded."""
    if isinstance(cell, bool):
        raise _CellError(_("请填写面积数字，例如 89.5。"))
    if isinstance(cell, float):
        text = repr(cell)
    elif isinstance(cell, int | Decimal):
        text = str(cell)
    else:
        text = _AREA_UNIT.sub("", _text(cell))
    if not text:
        raise _CellError(_("必须填写面积，例如 89.5。"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _CellError(
            _("“%(value)s”不是数字，请填写面积数字，例如 89.5。") % {"value": text}
        ) from None
    if not value.is_finite() or value <= 0:
        raise _CellError(_("面积必须大于 0。"))
    if value >= _AREA_LIMIT:
        raise _CellError(_("面积太大了，请检查单位是否为平方米。"))
    if value != value.quantize(_CENT):
        raise _CellError(_("面积最多保留两位小数，例如 89.57。"))
    return value.quantize(_CENT)


def parse_phone(cell: object) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are dropped."""
    text = _text(cell)
    digits = _PHONE_NOISE.sub("", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if digits and not _PHONE.match(digits):
        raise _CellError(
            _("“%(value)s”不是 11 位手机号码，请填写例如 13812341234。") % {"value": text}
        )
    return digits


def parse_flag(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    text = _text(cell).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _CellError(_("请填写“是”或“否”（留空即为“否”）。"))


# Each column's parser and, for an optional column the file leaves out, its value.
_PARSERS: dict[str, Callable[[object], object]] = {
    "building": partial(_words, max_length=100, required=True),
    "unit": partial(_words, max_length=100, required=True),
    "room": partial(_words, max_length=100, required=True),
    "register_no": partial(_words, max_length=64, required=False),
    "area": parse_area,
    "owner_name": partial(_words, max_length=50, required=False),
    "owner_phone": parse_phone,
    "owner_key": partial(_words, max_length=64, required=False),
    "developer_unsold": parse_flag,
}
_ABSENT: dict[str, object] = {
    "register_no": "",
    "owner_name": "",
    "owner_phone": "",
    "owner_key": "",
    "developer_unsold": False,
}


# --- checking the rows -----------------------------------------------------------------------

HomeKey = tuple[str, str, str]


@dataclass
class _HomeSpec:
    key: HomeKey
    row: int
    values: dict[str, Any]  # HOME_FIELDS → value
    owners: dict[str, int] = field(default_factory=dict)  # phone → row


@dataclass
class _Checked:
    """The file, checked: one spec per home, the owners' names, and what is wrong."""

    positions: dict[str, int]  # column key → index in the row
    labels: dict[str, str]  # column key → the header as the file writes it
    homes: dict[HomeKey, _HomeSpec] = field(default_factory=dict)
    names: dict[str, tuple[str, int]] = field(default_factory=dict)  # phone → (name, row)
    register_nos: dict[str, HomeKey] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.positions)

    def label(self, key: str) -> str:
        return self.labels.get(key, COLUMN_BY_KEY[key].header)

    def problem(self, row: int, key: str, message: str) -> None:
        self.problems.append(Problem(row, self.label(key), message))


def _check_header(header: list[str], rows: list[tuple[int, list[object]]]) -> _Checked:
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    known = "、".join(f"{c.header}（{c.key}）" for c in COLUMNS)
    width = max([len(header), *(len(cells) for _n, cells in rows)])
    for index, text in enumerate(header + [""] * (width - len(header))):
        key = column_for_header(text) if text else None
        if not text:
            if any(index < len(cells) and not _is_blank(cells[index]) for _n, cells in rows):
                problems.append(
                    Problem(
                        1,
                        _("第 %(n)d 列") % {"n": index + 1},
                        _("这一列有内容但没有列名，请补上列名或删除这一列。"),
                    )
                )
        elif key is None:
            problems.append(
                Problem(
                    1,
                    text,
                    _("不认识这一列。请删除它或改为以下列名之一：%(known)s。") % {"known": known},
                )
            )
        elif key in positions:
            problems.append(Problem(1, text, _("这一列重复了，请只保留一列。")))
        else:
            positions[key] = index
    for column in COLUMNS:
        if column.required and column.key not in positions:
            problems.append(
                Problem(
                    1, column.header, _("缺少必填的“%(header)s”列。") % {"header": column.header}
                )
            )
    return _Checked(
        positions=positions,
        labels={key: header[index] for key, index in positions.items()},
        problems=problems,
    )


def check_rows(sheet: SheetRows) -> _Checked:
    """Everything that can be checked without the database, collected in one pass."""
    checked = _check_header(sheet.header, sheet.rows)
    if checked.problems:
        return checked
    if not sheet.rows:
        checked.problems.append(Problem(2, "", _("表格只有表头，没有房屋数据。")))
        return checked
    for number, cells in sheet.rows:
        values = _parse_row(checked, number, cells)
        _check_owner(checked, number, values)
        if all(values[key] is not None for key in ("building", "unit", "room", "area")):
            _add_home(checked, number, values)
    return checked


def _parse_row(checked: _Checked, number: int, cells: list[object]) -> dict[str, Any]:
    """Each cell parsed; a cell that cannot be is reported and becomes None."""
    values: dict[str, Any] = {}
    for key, parser in _PARSERS.items():
        index = checked.positions.get(key)
        if index is None:
            values[key] = _ABSENT[key]
            continue
        try:
            values[key] = parser(cells[index] if index < len(cells) else None)
        except _CellError as exc:
            checked.problem(number, key, exc.message)
            values[key] = None
    return values


def _check_owner(checked: _Checked, number: int, values: dict[str, Any]) -> None:
    name, phone = values["owner_name"], values["owner_phone"]
    if name is None or phone is None:
        return
    if name and not phone:
        checked.problem(number, "owner_phone", _("填写了业主姓名，也请填写业主手机。"))
    elif phone and not name:
        checked.problem(number, "owner_name", _("填写了业主手机，也请填写业主姓名。"))
    elif phone:
        earlier = checked.names.setdefault(phone, (name, number))
        if earlier[0] != name:
            checked.problem(
                number,
                "owner_name",
                _("同一手机号在第 %(row)d 行的姓名是“%(name)s”，请统一。")
                % {"row": earlier[1], "name": earlier[0]},
            )


def _add_home(checked: _Checked, number: int, values: dict[str, Any]) -> None:
    key: HomeKey = (values["building"], values["unit"], values["room"])
    spec = checked.homes.get(key)
    if spec is None:
        home_values = {name: values[name] for name in HOME_FIELDS}
        spec = _HomeSpec(key=key, row=number, values=home_values)
        # A field that could not be parsed is reported already; keep the spec comparable.
        for name in ("register_no", "owner_key"):
            spec.values[name] = spec.values[name] or ""
        spec.values["developer_unsold"] = bool(spec.values["developer_unsold"])
        checked.homes[key] = spec
        register_no = spec.values["register_no"]
        if register_no:
            other = checked.register_nos.setdefault(register_no, key)
            if other != key:
                checked.problem(
                    number,
                    "register_no",
                    _("这个登记号已用于第 %(row)d 行的 %(home)s，不同房屋的登记号不能相同。")
                    % {"row": checked.homes[other].row, "home": " ".join(other)},
                )
    else:
        # A co-owner's row repeats the home: what it says of the home must match the first.
        for name in HOME_FIELDS:
            here = values[name]
            if here is not None and name in checked.present and here != spec.values[name]:
                checked.problem(
                    number,
                    name,
                    _("同一房屋在第 %(row)d 行填的是“%(value)s”，请改成一致。")
                    % {"row": spec.row, "value": _show(spec.values[name])},
                )
    phone, name = values["owner_phone"], values["owner_name"]
    if phone and name:
        first = spec.owners.setdefault(phone, number)
        if first != number:
            checked.problem(
                number,
                "owner_phone",
                _("与第 %(row)d 行重复：同一房屋的同一业主只写一行。") % {"row": first},
            )


def _show(value: object) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value) if value != "" else _("（空）")


# --- the service -----------------------------------------------------------------------------


def places_import_homes(
    *,
    actor: Person | None,
    compound: Place,
    rows: SheetRows,
    dry_run: bool = False,
) -> ImportReport:
    """Load a compound's register: create missing buildings, units and homes, update changed
    homes, add the owners as people with confirmed owner residencies.

    The file is all or nothing: every row is checked first and any problem rejects the whole
    file (ImportRejected lists them all). Homes and owners absent from the file are left as
    they are; an import never deletes. An optional column missing from the file leaves that
    field untouched; present but empty, it clears it. `actor` None is the operator at the CLI.
    """
    if compound.kind != PlaceKind.COMPOUND:
        raise DomainError(
            _("只能向小区导入房屋名册；“%(name)s”是%(kind)s。")
            % {"name": compound.name, "kind": PlaceKind(compound.kind).label},
            code="not_a_compound",
        )
    if actor is not None and not can(actor, "places.import", compound):
        raise ForbiddenError(_("您没有权限导入这个小区的房屋名册。"))
    checked = check_rows(rows)
    if checked.problems:
        raise ImportRejected(checked.problems)
    try:
        with transaction.atomic():
            # The compound's row lock serialises imports into one compound, so the sibling
            # numbers read below stay free until our inserts commit.
            compound = Place.objects.select_for_update().get(pk=compound.pk)
            plan = _plan(compound, checked)
            report = plan.report(rows=len(rows.rows), dry_run=dry_run)
            if dry_run:
                return report
            _write(plan, actor=actor)
            audit_record(
                actor=actor,
                verb="places.register.imported",
                obj=compound,
                data={
                    "file_sha256": rows.sha256,
                    "filename": rows.filename,
                    "rows": report.rows,
                    "buildings_created": report.buildings_created,
                    "units_created": report.units_created,
                    "homes_created": report.homes_created,
                    "homes_updated": report.homes_updated,
                    "people_created": report.people_created,
                    "residencies_confirmed": report.residencies_confirmed,
                },
            )
    except IntegrityError:
        # Someone registered the same phone or added the same room while we were writing.
        raise ConflictError(
            _("导入时数据被其他人同时修改了，没有导入任何数据，请重新导入一次。"),
            code="import_conflict",
        ) from None
    return report


T = TypeVar("T")


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == _IN_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Tree:
    """The compound as it stands, keyed by names the way file rows name places."""

    compound: Place
    by_names: dict[tuple[str, ...], Place]
    names_of: dict[str, tuple[str, ...]]  # path → names from the compound down
    next_number: dict[str, int]  # parent path → next free sibling number

    def child(self, parent: Place, kind: str, name: str, **fields: Any) -> Place:
        number = self.next_number[parent.path]
        self.next_number[parent.path] = number + 1
        place = Place(
            kind=kind, parent=parent, name=name, path=child_path(parent, number), **fields
        )
        names = (*self.names_of[parent.path], name)
        self.by_names[names] = place
        self.names_of[place.path] = names
        return place


def _load_tree(compound: Place) -> _Tree:
    """Everything under the compound in one range query; sibling numbers from its paths."""
    subtree = Place.objects.filter(
        path__gt=compound.path, path__lt=compound.path + PATH_END
    ).order_by("path")
    tree = _Tree(
        compound=compound,
        by_names={},
        names_of={compound.path: ()},
        next_number=defaultdict(int),
    )
    for place in subtree:
        parent_path = place.path[:-SEGMENT]
        parent_names = tree.names_of.get(parent_path)
        if parent_names is None:
            continue
        names = (*parent_names, place.name)
        tree.names_of[place.path] = names
        tree.by_names[names] = place
        tree.next_number[parent_path] = max(
            tree.next_number[parent_path], segment_number(place.path[-SEGMENT:]) + 1
        )
    # The same number the loop found, under the same lock; asking the service keeps one
    # definition of "next free sibling" for the level people add to by hand.
    tree.next_number[compound.path] = next_child_number(compound)
    return tree


@dataclass
class _Plan:
    buildings: list[Place] = field(default_factory=list)
    units: list[Place] = field(default_factory=list)
    homes: list[Place] = field(default_factory=list)
    updated: list[Place] = field(default_factory=list)
    unchanged: int = 0
    update_fields: list[str] = field(default_factory=list)
    home_for_key: dict[HomeKey, Place] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    person_for_phone: dict[str, Person] = field(default_factory=dict)
    new_residencies: list[tuple[Place, str]] = field(default_factory=list)  # (home, phone)
    confirm: list[Residency] = field(default_factory=list)

    def report(self, *, rows: int, dry_run: bool) -> ImportReport:
        return ImportReport(
            rows=rows,
            buildings_created=len(self.buildings),
            units_created=len(self.units),
            homes_created=len(self.homes),
            homes_updated=len(self.updated),
            homes_unchanged=self.unchanged,
            people_created=len(self.people),
            residencies_confirmed=len(self.new_residencies) + len(self.confirm),
            dry_run=dry_run,
        )


def _plan(compound: Place, checked: _Checked) -> _Plan:
    """Match the file against the compound as it stands; raise ImportRejected on conflicts."""
    tree = _load_tree(compound)
    problems = _register_conflicts(tree, checked)
    if problems:
        raise ImportRejected(problems)
    plan = _Plan(update_fields=[name for name in HOME_FIELDS if name in checked.present])
    _plan_places(plan, tree, checked)
    _plan_owners(plan, compound, checked)
    return plan


def _plan_places(plan: _Plan, tree: _Tree, checked: _Checked) -> None:
    for key, spec in checked.homes.items():
        building_name, unit_name, room = key
        building = tree.by_names.get((building_name,))
        if building is None:
            building = tree.child(tree.compound, PlaceKind.BUILDING, building_name)
            plan.buildings.append(building)
        unit = tree.by_names.get((building_name, unit_name))
        if unit is None:
            unit = tree.child(building, PlaceKind.UNIT, unit_name)
            plan.units.append(unit)
        home = tree.by_names.get(key)
        if home is None:
            home = tree.child(unit, PlaceKind.HOME, room, **spec.values)
            plan.homes.append(home)
        else:
            changed = [
                name for name in plan.update_fields if getattr(home, name) != spec.values[name]
            ]
            for name in changed:
                setattr(home, name, spec.values[name])
            if changed:
                plan.updated.append(home)
            else:
                plan.unchanged += 1
        plan.home_for_key[key] = home


def _plan_owners(plan: _Plan, compound: Place, checked: _Checked) -> None:
    phones = sorted({phone for spec in checked.homes.values() for phone in spec.owners})
    for batch in _chunks(phones):
        for person in Person.objects.filter(phone__in=batch).only("id", "phone", "name"):
            plan.person_for_phone[str(person.phone)] = person
    for phone in phones:
        if phone not in plan.person_for_phone:
            person = Person(name=checked.names[phone][0], phone=phone)
            # Imported owners have no login until they sign up with this phone number.
            person.set_unusable_password()
            plan.people.append(person)
            plan.person_for_phone[phone] = person
    open_ties: dict[tuple[int, int], Residency] = {}
    known = [person.pk for person in plan.person_for_phone.values() if person.pk is not None]
    for ids in _chunks(known):
        for open_tie in Residency.objects.filter(
            compound.subtree_q("home__"),
            person_id__in=ids,
            status__in=[ResidencyStatus.PENDING, ResidencyStatus.CONFIRMED],
        ):
            open_ties[(open_tie.person_id, open_tie.home_id)] = open_tie
    for key, spec in checked.homes.items():
        home = plan.home_for_key[key]
        for phone in spec.owners:
            person = plan.person_for_phone[phone]
            tie = open_ties.get((person.pk, home.pk))
            if tie is None:
                plan.new_residencies.append((home, phone))
            elif tie.status != ResidencyStatus.CONFIRMED or tie.relation != Relation.OWNER:
                # The register is the authority on ownership: a pending claim, or a confirmed
                # family tie of a listed owner, becomes a confirmed ownership.
                plan.confirm.append(tie)


def _register_conflicts(tree: _Tree, checked: _Checked) -> list[Problem]:
    """A register number belongs to one home in the whole database.

    A home of this compound whose number the same file changes does not block the number:
    swapping two homes' numbers in one import is a correction, not a conflict.
    """
    wanted = {
        spec.values["register_no"]: key
        for key, spec in checked.homes.items()
        if spec.values["register_no"]
    }
    if "register_no" not in checked.present or not wanted:
        return []
    releasing = {
        tree.by_names[key].pk
        for key, spec in checked.homes.items()
        if key in tree.by_names and tree.by_names[key].register_no != spec.values["register_no"]
    }
    label_of = {place.pk: " ".join(names) for names, place in tree.by_names.items()}
    problems: list[Problem] = []
    for batch in _chunks(sorted(wanted)):
        holders = Place.objects.filter(kind=PlaceKind.HOME, register_no__in=batch).only(
            "id", "path", "register_no"
        )
        for holder in holders:
            key = wanted[holder.register_no]
            mine = tree.by_names.get(key)
            if (mine is not None and mine.pk == holder.pk) or holder.pk in releasing:
                continue
            if tree.compound.contains(holder):
                where = _("本小区的 %(home)s") % {"home": label_of.get(holder.pk, "")}
            else:
                where = _("其他小区的房屋")
            problems.append(
                Problem(
                    checked.homes[key].row,
                    checked.label("register_no"),
                    _("这个登记号已属于%(where)s，不同房屋的登记号不能相同。") % {"where": where},
                )
            )
    return problems


def _write(plan: _Plan, *, actor: Person | None) -> None:
    # Parents first: each level's rows need the ids the level above has just received.
    for level in (plan.buildings, plan.units, plan.homes):
        if level:
            Place.objects.bulk_create(level, batch_size=_BATCH)
    if plan.updated:
        Place.objects.bulk_update(plan.updated, plan.update_fields, batch_size=_BATCH)
    if plan.people:
        Person.objects.bulk_create(plan.people, batch_size=_BATCH)
    now = timezone.now()
    Residency.objects.bulk_create(
        [
            Residency(
                person=plan.person_for_phone[phone],
                home=home,
                relation=Relation.OWNER,
                status=ResidencyStatus.CONFIRMED,
                via=ConfirmedVia.IMPORT,
                requested_at=now,
                decided_at=now,
                decided_by=actor,
            )
            for home, phone in plan.new_residencies
        ],
        batch_size=_BATCH,
    )
    for tie in plan.confirm:
        tie.status = ResidencyStatus.CONFIRMED
        tie.relation = Relation.OWNER
        tie.via = ConfirmedVia.IMPORT
        tie.decided_at = now
        tie.decided_by = actor
    if plan.confirm:
        Residency.objects.bulk_update(
            plan.confirm, ["status", "relation", "via", "decided_at", "decided_by"]
        )
