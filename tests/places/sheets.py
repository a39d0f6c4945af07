"""Build register files in memory, the way a community worker's Excel would save them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl

HEADER = [
    "楼栋",
    "单元",
    "房号",
    "不动产登记号",
    "面积",
    "业主姓名",
    "业主手机",
    "业主标识",
    "开发商未售",
]

Cells = Sequence[object]


def xlsx(rows: Sequence[Cells], header: Sequence[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Sequence[Cells],
    header: Sequence[str] = HEADER,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode(encoding)


def home_row(  # noqa: PLR0917 — the nine columns, in the order of the format
    building: object = "5号楼",
    unit: object = "1单元",
    room: object = "101",
    register_no: str = "",
    area: object = "89.50",
    owner_name: str = "",
    owner_phone: object = "",
    owner_key: str = "",
    developer_unsold: object = "",
) -> list[object]:
    return [
        building,
        unit,
        room,
        register_no,
        area,
        owner_name,
        owner_phone,
        owner_key,
        developer_unsold,
    ]
