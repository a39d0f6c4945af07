"""Issue 14, item 5: the two imports on arbitrary rows and bytes. Whatever a spreadsheet
holds, they answer with a report or their documented refusal (ImportRejected, a
DomainError listing every problem), and a refused file changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qinlin.appeals.importing import appeals_import
from qinlin.appeals.models import Appeal, Category
from qinlin.core.errors import DomainError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person, Residency
from qinlin.places.importing import SheetRows, places_import_homes, read_rows
from qinlin.places.models import Place
from tests.appeals.test_importing import HEADER as CHAT_HEADER
from tests.places.sheets import HEADER as REGISTER_HEADER

pytestmark = pytest.mark.django_db

cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["3号楼", "2单元", "101", "89.5", "13912345678", "是", "2025-03-01 08:00"]),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    # Excel cells hold naive date-times; openpyxl reads them so.
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001
)


def sheets(header: list[str]) -> st.SearchStrategy[SheetRows]:
    rows = st.lists(st.lists(cells, max_size=len(header) + 1), min_size=1, max_size=6)
    return rows.map(
        lambda found: SheetRows(
            header=list(header),
            rows=[(n + 2, list(row)) for n, row in enumerate(found)],
            sha256="0" * 64,
        )
    )


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Place, Person, Residency, Appeal, AuditEvent))


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(sheet=sheets(REGISTER_HEADER))
def test_the_register_import_reports_or_refuses_the_whole_file(
    places: dict[str, Place], sheet: SheetRows
) -> None:
    before = counts()
    try:
        places_import_homes(actor=None, compound=places["compound_b"], rows=sheet)
    except DomainError:
        assert counts() == before


@FUZZ
@given(sheet=sheets(CHAT_HEADER))
def test_the_chat_group_import_reports_or_refuses_the_whole_file(
    places: dict[str, Place], sheet: SheetRows
) -> None:
    before = counts()
    try:
        appeals_import(
            actor=None,
            compound=places["compound_a"],
            rows=sheet,
            default_category=Category.objects.get(code="property"),
        )
    except DomainError:
        assert counts() == before


@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["名册.csv", "名册.xlsx", "x.xls", "x"]))
def test_any_bytes_are_read_or_refused_with_a_reason(data: bytes, name: str) -> None:
    try:
        read_rows(data, name)
    except DomainError as refused:
        reason = str(refused)
    else:
        reason = "read"
    assert reason
