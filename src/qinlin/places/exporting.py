"""Exporting a compound's register in exactly the import format (docs/import-format.md).

One row per (home, confirmed owner); a home without an owner gets one row with the owner
columns empty. Importing the exported file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Relation, Residency, ResidencyStatus
from qinlin.places.importing import COLUMNS, FORMULA_START, HEADERS
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under

if TYPE_CHECKING:
    from qinlin.people.models import Person

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Columns Excel should show as text, or it turns "101" into a number and a long register
# number into 1.2E+17.
_TEXT_COLUMNS = frozenset({"building", "unit", "room", "register_no", "owner_phone", "owner_key"})
_WIDTHS = {"building": 10, "unit": 10, "room": 8, "register_no": 36, "area": 10}

Row = list[str | Decimal]


def register_rows(compound: Place) -> list[Row]:
    """The register as rows in column order (two queries whatever the size)."""
    homes = list(
        homes_under(compound)
        .select_related("parent", "parent__parent")
        .only(
            "id",
            "path",
            "name",
            "area",
            "register_no",
            "owner_key",
            "developer_unsold",
            "parent__name",
            "parent__parent__name",
        )
        .order_by("path")
    )
    owners: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ties = (
        Residency.objects.filter(
            compound.subtree_q("home__"),
            status=ResidencyStatus.CONFIRMED,
            relation=Relation.OWNER,
            # The format cannot hold an owner without a phone: name and phone go together.
            person__phone__isnull=False,
        )
        .exclude(person__phone="")
        .order_by("home_id", "decided_at", "id")
        .values_list("home_id", "person__name", "person__phone")
    )
    for home_id, name, phone in ties:
        owners[home_id].append((name, phone or ""))
    rows: list[Row] = []
    for home in homes:
        unit = home.parent
        building = unit.parent if unit is not None else None
        assert home.area is not None
        base: dict[str, str | Decimal] = {
            "building": building.name if building is not None else "",
            "unit": unit.name if unit is not None else "",
            "room": home.name,
            "register_no": home.register_no,
            "area": home.area,
            "owner_key": home.owner_key,
            "developer_unsold": "是" if home.developer_unsold else "否",
        }
        for name, phone in owners.get(home.pk) or [("", "")]:
            values = {**base, "owner_name": name, "owner_phone": phone}
            rows.append([values[column.key] for column in COLUMNS])
    return rows


def places_export_homes(compound: Place, fmt: str, *, actor: Person | None = None) -> bytes:
    """The compound's register as an xlsx or CSV file.

    The file carries owners' phone numbers, so the permission is checked (when a person asks;
    `actor` None is the operator at the CLI) and every export is written to the audit log.
    """
    if fmt not in FORMATS:
        raise DomainError(_("只能导出为 xlsx 或 csv。"), code="bad_format")
    if compound.kind != PlaceKind.COMPOUND:
        raise DomainError(_("只能导出小区的房屋名册。"), code="not_a_compound")
    if actor is not None and not can(actor, "places.export", compound):
        raise ForbiddenError(_("您没有权限导出这个小区的房屋名册。"))
    rows = register_rows(compound)
    data = _xlsx(compound, rows) if fmt == "xlsx" else _csv(rows)
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="places.register.exported",
            obj=compound,
            data={"format": fmt, "rows": len(rows)},
        )
    return data


def _csv(rows: list[Row]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_defuse(str(value)) for value in row])
    # The BOM makes Excel read the file as UTF-8 instead of the system's GBK.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _defuse(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula; the importer strips the mark."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _xlsx(compound: Place, rows: list[Row]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    # Sheet titles may not hold []:*?/\ and are at most 31 characters.
    title = "".join(ch for ch in compound.name if ch not in "[]:*?/\\")[:31] or "register"
    sheet = book.create_sheet(title)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column.key, 14)
    sheet.freeze_panes = "A2"
    sheet.append(HEADERS)
    for row in rows:
        cells = []
        for column, value in zip(COLUMNS, row, strict=True):
            if isinstance(value, Decimal):
                # A float repr round-trips any area of ten digits with two decimals exactly,
                # and the importer reads floats through their repr.
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.00"
                cells.append(cell)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if column.key in _TEXT_COLUMNS or value.startswith(FORMULA_START):
                # Text stays text: a value starting with "=" must not become a formula.
                cell.data_type = "s"
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
