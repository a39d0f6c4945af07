"""Exporting a compound's register in the import format, and the round trip back."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person, Residency
from qinlin.places.exporting import places_export_homes, register_rows
from qinlin.places.importing import HEADERS, places_import_homes, read_rows
from qinlin.places.models import Place
from tests.factories import PersonFactory, resident_of
from tests.places.sheets import csv_bytes, home_row, xlsx
from tests.places.test_import import SIMPLE, snapshot

pytestmark = pytest.mark.django_db


def xlsx_rows(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_xlsx_export_has_the_chinese_header_and_one_row_per_owner(places, alice) -> None:
    co_owner = resident_of(places["home_a"], name="李二")
    rows = xlsx_rows(places_export_homes(places["compound_a"], "xlsx"))
    assert rows[0] == HEADERS
    assert rows[1:] == [
        ["3号楼", "2单元", "101", None, 89.5, "李爱丽", alice.phone, None, "否"],
        ["3号楼", "2单元", "101", None, 89.5, "李二", co_owner.phone, None, "否"],
        ["3号楼", "2单元", "102", None, 120, None, None, None, "否"],
    ]


def test_csv_export_is_utf8_with_bom_and_keeps_two_decimals(places, alice) -> None:
    rows = csv_rows(places_export_homes(places["compound_a"], "csv"))
    assert rows[0] == HEADERS
    assert rows[1] == ["3号楼", "2单元", "101", "", "89.50", "李爱丽", alice.phone, "", "否"]
    assert rows[2] == ["3号楼", "2单元", "102", "", "120.00", "", "", "", "否"]


def test_tenants_family_and_pending_claims_are_not_exported_as_owners(places) -> None:
    resident_of(places["home_a2"], relation="tenant", name="租客")
    rows = register_rows(places["compound_a"])
    assert [row[5] for row in rows] == ["", ""]


def test_export_stays_inside_the_compound(places, bob) -> None:
    rows = register_rows(places["compound_a"])
    assert bob.phone not in {row[6] for row in rows}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(places, fmt) -> None:
    compound = places["compound_a"]
    places_import_homes(actor=None, compound=compound, rows=read_rows(xlsx(SIMPLE), "a.xlsx"))
    resident_of(places["home_a"], name="李爱丽")
    data = places_export_homes(compound, fmt)
    before = snapshot()
    report = places_import_homes(
        actor=None, compound=compound, rows=read_rows(data, f"register.{fmt}")
    )
    assert not report.changed, report
    assert snapshot()[:3] == before[:3]


def test_values_that_look_like_formulas_survive_the_round_trip_as_text(places) -> None:
    compound = places["compound_a"]
    rows = [home_row("3号楼", "2单元", "101", "=1+1", "89.5", "@张明", "13800000001")]
    # Typed into Excel, "=1+1" would be a formula; a CSV written by another program holds it.
    places_import_homes(actor=None, compound=compound, rows=read_rows(csv_bytes(rows), "a.csv"))
    csv_data = places_export_homes(compound, "csv")
    assert "'=1+1" in csv_data.decode("utf-8-sig")
    xlsx_data = places_export_homes(compound, "xlsx")
    assert xlsx_rows(xlsx_data)[1][3] == "=1+1"
    for data, name in ((csv_data, "r.csv"), (xlsx_data, "r.xlsx")):
        report = places_import_homes(actor=None, compound=compound, rows=read_rows(data, name))
        assert not report.changed
    assert Person.objects.get(phone="13800000001").name == "@张明"


def test_an_owner_without_a_phone_is_left_out_because_the_format_needs_one(places) -> None:
    walk_in = PersonFactory.create(name="无手机", phone=None)
    Residency.objects.create(
        person=walk_in, home=places["home_a2"], relation="owner", status="confirmed"
    )
    rows = register_rows(places["compound_a"])
    assert all(row[5] != "无手机" for row in rows)


def test_every_export_is_audited_because_it_carries_phone_numbers(places, dave) -> None:
    before = AuditEvent.objects.count()
    places_export_homes(places["compound_a"], "csv", actor=dave)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.verb, event.actor, event.data["format"]) == (
        "places.register.exported",
        dave,
        "csv",
    )


def test_outsiders_cannot_export(places, dave, alice) -> None:
    with pytest.raises(ForbiddenError):
        places_export_homes(places["compound_b"], "xlsx", actor=dave)
    with pytest.raises(ForbiddenError):
        places_export_homes(places["compound_a"], "xlsx", actor=alice)


def test_only_compounds_and_known_formats_are_exported(places) -> None:
    with pytest.raises(DomainError):
        places_export_homes(places["building_a"], "xlsx")
    with pytest.raises(DomainError):
        places_export_homes(places["compound_a"], "pdf")


def test_export_is_two_queries_whatever_the_size(places, django_assert_num_queries) -> None:
    compound: Place = places["compound_a"]
    places_import_homes(actor=None, compound=compound, rows=read_rows(xlsx(SIMPLE), "a.xlsx"))
    with django_assert_num_queries(2):
        rows = register_rows(compound)
    assert len(rows) == 2 + 5
