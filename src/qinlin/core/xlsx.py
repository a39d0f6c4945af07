"""Cells for the workbooks people download (write-only openpyxl sheets)."""

from __future__ import annotations

from typing import Any


def cell(sheet: Any, value: Any, *, strong: bool = False, fmt: str = "") -> Any:
    """A cell whose text stays text: a name or an answer starting with "=" never becomes a
    formula in the reader's spreadsheet."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    made = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        made.data_type = "s"
    if strong:
        made.font = Font(bold=True)
    if fmt:
        made.number_format = fmt
    return made
