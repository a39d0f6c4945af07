"""Importing a building chat group's messages (一楼一群) as appeals (docs/appeals-import.md).

Grid workers collect what residents post in their building's chat group and keep it in Excel:
one row per message, with its time, the speaker as the group shows them, what they said and,
when known, their phone and home. One file goes into one compound. Every row is checked
before anything is written, and each problem is reported with the row number Excel shows, so
a file is fixed in one pass. Re-importing the same export is harmless: a message already
imported (same time to the minute, speaker and text) is skipped and counted.

The file reading (xlsx or CSV, UTF-8 or GB18030) and the problem reporting are the register
import's (places/importing.py).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinlin.appeals.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Category,
    Channel,
)
from qinlin.appeals.services import MAX_TEXT
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person, Residency, ResidencyStatus
from qinlin.places.importing import Column, ImportRejected, Problem, SheetRows
from qinlin.places.models import PATH_END, SEGMENT, Place, PlaceKind, with_place_paths

COLUMNS: tuple[Column, ...] = (
    Column(
        "time",
        "时间",
        True,
        "2022-05-03 19:20",
        gettext_lazy(
            "消息的发送时间，如 2022-05-03 19:20 或 2022/5/3 19:20；Excel 日期格式也可以。"
        ),
    ),
    Column("speaker", "发言人", True, "王阿姨", gettext_lazy("群里显示的名字（群昵称）。")),
    Column(
        "phone",
        "手机",
        False,
        "13812341234",
        gettext_lazy("11 位手机号；与本小区已认证的居民相同时，诉求记在该居民名下。"),
    ),
    Column(
        "place",
        "位置",
        False,
        "3号楼/2单元/301",
        gettext_lazy("小区以下的位置：3号楼/2单元/301、3号楼、3-2-301 都可以；留空即为整个小区。"),
    ),
    Column("text", "内容", True, "单元门坏了，关不上", gettext_lazy("发言内容，最多 2000 字。")),
    Column(
        "category",
        "类别",
        False,
        "物业服务",
        gettext_lazy("类别的中文名、英文名或代码；留空则用导入时选择的默认类别。"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# Names that chat-export tools and hand-made sheets give the same columns.
_ALIASES: dict[str, str] = {
    "发送时间": "time",
    "发言时间": "time",
    "日期时间": "time",
    "昵称": "speaker",
    "群昵称": "speaker",
    "发送人": "speaker",
    "发送者": "speaker",
    "name": "speaker",
    "手机号": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "mobile": "phone",
    "地点": "place",
    "房号": "place",
    "发言内容": "text",
    "消息内容": "text",
    "content": "text",
    "message": "text",
    "分类": "category",
    "诉求类别": "category",
}
_HEADER_LOOKUP: dict[str, str] = {
    **_ALIASES,
    **{column.header: column.key for column in COLUMNS},
    **{column.key: column.key for column in COLUMNS},
}
# "手机（选填）", "*时间": a note or a required-marker around the column name.
_HEADER_DECORATION = re.compile(r"[（(][^)）]*[)）]\s*$|^\s*\*|\*\s*$")

MAX_SPEAKER = 50  # Appeal.reporter_name
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-—()]")
# 2022-05-03 19:20, 2022/5/3 19:20:05, 2022.5.3, 2022年5月3日 19:20 (after NFKC).
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)
# Excel day numbers of 2000-01-01 and 2100-01-01: a date cell that lost its format.
_EXCEL_DAYS = (36526.0, 73051.0)
_EARLIEST_YEAR = 2000
# A sender's phone clock may run a little ahead of ours; beyond this a time is a mistake.
_CLOCK_SKEW = timedelta(minutes=5)
# "3号楼", "03栋", "2单元", "301室": the number is what people compare.
_NUMBERED = re.compile(r"0*(\d+)\s*(?:号楼|号|栋|幢|楼|座|#|单元|室)?")
_LEVEL_END = re.compile(r"(号楼|栋|幢|座|单元)(?=.)")
_PLACE_SPLIT = re.compile(r"[-—\s]+")
_LEVELS = (PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOME)
_IN_CHUNK = 900  # below SQLite's historical 999 variables per statement
_BATCH = 500
KEY_PREFIX = "chat_group:"


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatImportReport:
    rows: int
    created: int
    skipped_duplicates: int
    residents_matched: int

    def lines(self) -> list[str]:
        """The report as short sentences for a page or a terminal."""
        return [
            _("读取 %(n)d 条消息。") % {"n": self.rows},
            _("新建诉求 %(n)d 条，其中 %(m)d 条记在已认证居民名下。")
            % {"n": self.created, "m": self.residents_matched},
            _("跳过已导入过的重复消息 %(n)d 条。") % {"n": self.skipped_duplicates},
        ]


# --- cells -----------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(cell: object) -> str:
    """A cell as text: Excel stores a bare number (a phone, a room) as a number."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).replace("\u3000", " ").strip()


def _plain(text: str) -> str:
    """Full-width digits and punctuation as ASCII, for values people type in either width.
    Never for what residents wrote: it would turn their "，" into ","."""
    return unicodedata.normalize("NFKC", text)


def _words(cell: object, *, max_length: int, what: str) -> str:
    text = " ".join(_text(cell).split())
    if not text:
        raise _CellError(_("必须填写%(what)s。") % {"what": what})
    if len(text) > max_length:
        raise _CellError(_("太长了，最多 %(max)d 个字。") % {"max": max_length})
    return text


def parse_time(cell: object, *, now: datetime) -> datetime:
    """A message time: an Excel date cell, or text such as "2022-05-03 19:20" or
    "2022/5/3 19:20". Times without an offset are local (settings.TIME_ZONE)."""
    value: datetime | None = None
    if isinstance(cell, datetime):
        value = cell
    elif isinstance(cell, date):
        value = datetime.combine(cell, time())
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        if _EXCEL_DAYS[0] <= cell < _EXCEL_DAYS[1]:
            from openpyxl.utils.datetime import from_excel

            value = from_excel(cell)
    else:
        value = _parse_time_text(_plain(_text(cell)))
    if value is None:
        raise _CellError(
            _("“%(value)s”不是日期时间，请写成 2022-05-03 19:20 的样子。") % {"value": _text(cell)}
            if _text(cell)
            else _("必须填写时间，例如 2022-05-03 19:20。")
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value.year < _EARLIEST_YEAR:
        raise _CellError(_("时间早于 2000 年，请检查年份。"))
    if value > now + _CLOCK_SKEW:
        raise _CellError(_("时间晚于现在，请检查日期。"))
    return value


def _parse_time_text(text: str) -> datetime | None:
    match = _DATETIME.match(text)
    if match is None:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 — made aware by the caller
    except ValueError:
        return None


def parse_phone(cell: object) -> str:
    """An 11-digit mainland mobile number, or "" for an empty cell."""
    text = _text(cell)
    digits = _PHONE_NOISE.sub("", _plain(text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if digits and not _PHONE.match(digits):
        raise _CellError(
            _("“%(value)s”不是 11 位手机号码，请填写例如 13812341234，或留空。") % {"value": text}
        )
    return digits


# --- the compound's places -------------------------------------------------------------------


def _number_key(name: str) -> str | None:
    match = _NUMBERED.fullmatch(_plain(name).strip())
    return match.group(1) if match else None


@dataclass
class _Places:
    """The compound's buildings, units and homes, found by name or by number."""

    compound: Place
    by_name: dict[tuple[str, str], Place] = field(default_factory=dict)  # (parent path, name)
    by_number: dict[tuple[str, str], Place | None] = field(default_factory=dict)

    @classmethod
    def load(cls, compound: Place) -> _Places:
        places = cls(compound=compound)
        below = Place.objects.filter(
            path__gt=compound.path, path__lt=compound.path + PATH_END, kind__in=_LEVELS
        ).only("id", "path", "name", "kind", "parent_id")
        for place in below:
            parent_path = place.path[:-SEGMENT]
            places.by_name[(parent_path, _plain(place.name).strip())] = place
            number = _number_key(place.name)
            if number is not None:
                key = (parent_path, number)
                # Two siblings with the same number ("3号楼" and "3栋"): only the name tells.
                places.by_number[key] = None if key in places.by_number else place
        return places

    def child(self, parent: Place, name: str) -> Place | None:
        found = self.by_name.get((parent.path, name))
        if found is None:
            number = _number_key(name)
            if number is not None:
                found = self.by_number.get((parent.path, number))
        return found

    def find_cell(self, cell: object) -> Place:
        return self.find(_text(cell))

    def find(self, text: str) -> Place:
        """ "3号楼/2单元/301", "3号楼", "3-2-301", "3号楼2单元301" → the place."""
        segments = self._segments(_plain(text).strip())
        if segments and segments[0] == _plain(self.compound.name).strip():
            segments = segments[1:]
        if len(segments) > len(_LEVELS):
            raise _CellError(
                _("层级太多：位置只写到小区以下的楼栋、单元、房号，例如 3号楼/2单元/301。")
            )
        node = self.compound
        for segment in segments:
            found = self.child(node, segment)
            if found is None:
                where = _("本小区") if node is self.compound else f"“{node.name}”"
                raise _CellError(
                    _("%(where)s下没有“%(name)s”。请写成 3号楼/2单元/301 的样子，或留空。")
                    % {"where": where, "name": segment}
                )
            node = found
        return node

    def _segments(self, text: str) -> list[str]:
        if "/" in text or "\\" in text:
            parts = re.split(r"[/\\]", text)
        elif self.child(self.compound, text) is not None:
            parts = [text]  # a building whose name has a dash or a space in it
        else:
            parts = _PLACE_SPLIT.split(text)
            if len(parts) == 1:
                parts = _LEVEL_END.sub(r"\1/", text).split("/")
        return [part.strip() for part in parts if part.strip()]


# --- checking the rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Message:
    row: int
    at: datetime
    speaker: str
    phone: str
    place: Place
    text: str
    category: Category
    key: str


@dataclass
class _Row:
    """One row of the sheet: its cells by column, and what is wrong with them."""

    number: int
    cells: list[object]
    positions: dict[str, int]
    labels: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def cell(self, key: str) -> object:
        index = self.positions.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def parse(self, key: str, parser: Callable[[object], object]) -> object:
        """The parsed cell, or None with the problem noted under the file's column name."""
        try:
            return parser(self.cell(key))
        except _CellError as exc:
            label = self.labels.get(key, COLUMN_BY_KEY[key].header)
            self.problems.append(Problem(self.number, label, exc.message))
            return None


def _header_key(text: str) -> str | None:
    token = _HEADER_DECORATION.sub("", _plain(text)).strip()
    return _HEADER_LOOKUP.get(token) or _HEADER_LOOKUP.get(token.lower())


def _check_header(sheet: SheetRows) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    known = "、".join(f"{c.header}（{c.key}）" for c in COLUMNS)
    width = max([len(sheet.header), *(len(cells) for _n, cells in sheet.rows)])
    for index, text in enumerate(sheet.header + [""] * (width - len(sheet.header))):
        if not text:
            if any(index < len(cells) and _text(cells[index]) for _n, cells in sheet.rows):
                problems.append(
                    Problem(
                        1,
                        _("第 %(n)d 列") % {"n": index + 1},
                        _("这一列有内容但没有列名，请补上列名或删除这一列。"),
                    )
                )
            continue
        key = _header_key(text)
        if key is None:
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
    labels = {key: sheet.header[index] for key, index in positions.items()}
    return positions, labels, problems


def _category_lookup() -> dict[str, Category]:
    lookup: dict[str, Category] = {}
    for category in Category.objects.order_by("-is_active", "order", "id"):
        for word in (category.code, category.name, category.name_en):
            lookup.setdefault(word.strip().lower(), category)
    return lookup


def _message_key(compound: Place, at: datetime, speaker: str, text: str) -> str:
    """The same message in a later export: compound, minute, speaker and text.

    The minute, because exports differ in showing seconds; the same person sending the same
    words twice in one minute is a double send, not two appeals.
    """
    minute = at.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M")
    digest = hashlib.sha256("\x1f".join((compound.uid, minute, speaker, text)).encode())
    return KEY_PREFIX + digest.hexdigest()


def check_messages(
    sheet: SheetRows, *, compound: Place, default_category: Category | None
) -> tuple[list[_Message], list[Problem]]:
    """Every row parsed and checked against the compound; all the problems at once."""
    positions, labels, problems = _check_header(sheet)
    if problems:
        return [], problems
    if not sheet.rows:
        return [], [Problem(2, "", _("表格只有表头，没有消息。"))]
    now = timezone.now()
    places = _Places.load(compound) if "place" in positions else None
    categories = _category_lookup() if "category" in positions else {}
    messages: list[_Message] = []
    for number, cells in sheet.rows:
        row = _Row(number=number, cells=cells, positions=positions, labels=labels)
        at = row.parse("time", partial(parse_time, now=now))
        speaker = row.parse("speaker", partial(_words, max_length=MAX_SPEAKER, what=_("发言人")))
        phone = row.parse("phone", parse_phone)
        text = row.parse("text", _text_of)
        place: object = compound
        if places is not None and _text(row.cell("place")):
            place = row.parse("place", places.find_cell)
        category = row.parse(
            "category", partial(_category_of, categories=categories, default=default_category)
        )
        problems.extend(row.problems)
        if (
            isinstance(at, datetime)
            and isinstance(speaker, str)
            and isinstance(phone, str)
            and isinstance(place, Place)
            and isinstance(text, str)
            and isinstance(category, Category)
        ):
            messages.append(
                _Message(
                    row=number,
                    at=at,
                    speaker=speaker,
                    phone=phone,
                    place=place,
                    text=text,
                    category=category,
                    key=_message_key(compound, at, speaker, text),
                )
            )
    return messages, problems


def _text_of(cell: object) -> str:
    text = _text(cell)
    if not text:
        raise _CellError(_("必须填写发言内容。"))
    if len(text) > MAX_TEXT:
        raise _CellError(_("太长了，最多 %(max)d 个字。") % {"max": MAX_TEXT})
    return text


def _category_of(
    cell: object, *, categories: dict[str, Category], default: Category | None
) -> Category:
    word = _text(cell)
    if not word:
        if default is None:
            raise _CellError(_("请填写类别，或在导入时选择默认类别。"))
        return default
    category = categories.get(word.lower())
    if category is None:
        names = "、".join(
            c.name for c in sorted(set(categories.values()), key=lambda c: c.order) if c.is_active
        )
        raise _CellError(
            _("没有“%(word)s”这个类别。请填写以下之一：%(names)s；或留空。")
            % {"word": word, "names": names}
        )
    if not category.is_active:
        raise _CellError(_("类别“%(name)s”已停用，请另选。") % {"name": category.name})
    return category


# --- the service -----------------------------------------------------------------------------


def appeals_import(
    *,
    actor: Person | None,
    compound: Place,
    rows: SheetRows,
    default_category: Category | None = None,
) -> ChatImportReport:
    """Record a chat group's messages as appeals of the compound, channel 一楼一群.

    All or nothing: any bad row rejects the file (ImportRejected lists every problem). A
    speaker whose phone is that of a confirmed resident of the compound becomes the
    reporter; anyone else is recorded by name and phone, like a walk-in. Each appeal is
    dated at its message's time and entered by `actor` (None: the operator at the CLI).
    Messages imported before are skipped, so importing the same export twice is harmless.
    """
    if compound.kind != PlaceKind.COMPOUND:
        raise DomainError(
            _("只能向小区导入群消息；“%(name)s”是%(kind)s。")
            % {"name": compound.name, "kind": PlaceKind(compound.kind).label},
            code="not_a_compound",
        )
    if actor is not None and not can(actor, "appeals.import", compound):
        raise ForbiddenError(_("您没有权限导入这个小区的群消息。"))
    if default_category is not None and not default_category.is_active:
        raise DomainError(
            _("默认类别“%(name)s”已停用，请另选。") % {"name": default_category.name},
            code="bad_category",
            field="category",
        )
    messages, problems = check_messages(rows, compound=compound, default_category=default_category)
    if problems:
        raise ImportRejected(problems)
    try:
        with transaction.atomic():
            # The compound's row lock serialises imports into one compound, so two people
            # importing the same export at once cannot both find its messages new.
            compound = Place.objects.select_for_update().get(pk=compound.pk)
            fresh = _new_messages(messages)
            residents = _residents(compound, {m.phone for m in fresh if m.phone})
            appeals = [_appeal(m, actor=actor, residents=residents) for m in fresh]
            Appeal.objects.bulk_create(with_place_paths(appeals), batch_size=_BATCH)
            AppealEvent.objects.bulk_create(
                [
                    AppealEvent(appeal=a, at=a.created_at, actor=actor, status=AppealStatus.NEW)
                    for a in appeals
                ],
                batch_size=_BATCH,
            )
            report = ChatImportReport(
                rows=len(rows.rows),
                created=len(appeals),
                skipped_duplicates=len(messages) - len(fresh),
                residents_matched=sum(1 for a in appeals if a.reporter_id is not None),
            )
            audit_record(
                actor=actor,
                verb="appeals.import.done",
                obj=compound,
                data={
                    "file_sha256": rows.sha256,
                    "filename": rows.filename,
                    "rows": report.rows,
                    "created": report.created,
                    "skipped_duplicates": report.skipped_duplicates,
                    "residents_matched": report.residents_matched,
                    "default_category": default_category.code if default_category else None,
                },
            )
    except IntegrityError:
        raise ConflictError(
            _("导入时数据被其他人同时修改了，没有导入任何数据，请重新导入一次。"),
            code="import_conflict",
        ) from None
    return report


def _new_messages(messages: list[_Message]) -> list[_Message]:
    """The messages neither imported before nor repeated earlier in this file."""
    seen: set[str] = set()
    for batch in _chunks(sorted({m.key for m in messages})):
        seen.update(
            key
            for key in Appeal.objects.filter(idempotency_key__in=batch).values_list(
                "idempotency_key", flat=True
            )
            if key is not None
        )
    fresh: list[_Message] = []
    for message in messages:
        if message.key not in seen:
            seen.add(message.key)
            fresh.append(message)
    return fresh


@dataclass
class _Resident:
    person_id: int
    homes: list[tuple[str, int]]  # (path, id), in path order


def _residents(compound: Place, phones: set[str]) -> dict[str, _Resident]:
    """Confirmed residents of the compound with these phones, and their homes there."""
    found: dict[str, _Resident] = {}
    for batch in _chunks(sorted(phones)):
        ties = (
            Residency.objects.filter(
                compound.subtree_q("home__"),
                status=ResidencyStatus.CONFIRMED,
                person__phone__in=batch,
                person__is_active=True,
            )
            .order_by("home__path")
            .values_list("person_id", "person__phone", "home__path", "home_id")
        )
        for person_id, phone, path, home_id in ties:
            resident = found.setdefault(str(phone), _Resident(person_id=person_id, homes=[]))
            resident.homes.append((path, home_id))
    return found


def _appeal(message: _Message, *, actor: Person | None, residents: dict[str, _Resident]) -> Appeal:
    resident = residents.get(message.phone) if message.phone else None
    place = message.place
    household_id: int | None = None
    if place.kind == PlaceKind.HOME:
        household_id = place.pk
    elif resident is not None:
        # As for an appeal filed online: the reporter's home under the place, when there is one.
        household_id = next(
            (home_id for path, home_id in resident.homes if path.startswith(place.path)), None
        )
    return Appeal(
        text=message.text,
        category=message.category,
        place=place,
        household_id=household_id,
        reporter_id=resident.person_id if resident else None,
        reporter_name="" if resident else message.speaker,
        reporter_phone="" if resident else message.phone,
        channel=Channel.CHAT_GROUP,
        entered_by=actor,
        created_at=message.at,
        idempotency_key=message.key,
    )


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
