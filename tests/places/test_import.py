"""Importing a compound's register: every row checked first, all or nothing, fast."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinlin.core.audit import audit_verify
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person, Residency, ResidencyStatus
from qinlin.people.services import residency_claim
from qinlin.places.importing import (
    ImportRejected,
    ImportReport,
    Problem,
    places_import_homes,
    read_rows,
)
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under
from tests.factories import PersonFactory, PlaceFactory
from tests.places.sheets import HEADER, csv_bytes, home_row, xlsx

pytestmark = pytest.mark.django_db


def run(compound: Place, data: bytes, filename: str = "名册.xlsx", **kwargs) -> ImportReport:
    return places_import_homes(
        actor=kwargs.pop("actor", None),
        compound=compound,
        rows=read_rows(data, filename),
        **kwargs,
    )


def rejected(compound: Place, data: bytes, filename: str = "名册.xlsx") -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        run(compound, data, filename)
    return caught.value.problems


def snapshot() -> tuple[object, ...]:
    """Everything an import may touch, to show that a rejected one touched nothing."""
    return (
        sorted(
            Place.objects.values_list(
                "path", "name", "area", "register_no", "owner_key", "developer_unsold"
            )
        ),
        sorted(Person.objects.values_list("phone", "name")),
        sorted(Residency.objects.values_list("person_id", "home_id", "status", "relation")),
        AuditEvent.objects.count(),
    )


SIMPLE = [
    home_row("5号楼", "1单元", "101", "R-501-101", "89.5", "张明", "13800000001", "", "否"),
    home_row("5号楼", "1单元", "102", "R-501-102", "120", "李华", "138 0000 0002", "", ""),
    home_row("5号楼", "2单元", "101", "", "76.30", "", "", "", "是"),
    home_row("6号楼", "1单元", "101", "", 60, "王芳", "138-0000-0003", "W1", "否"),
    home_row("6号楼", "1单元", "102", "", 61.25, "王芳", "13800000003", "W1", "否"),
]


def test_xlsx_import_creates_the_buildings_units_homes_and_owners(places) -> None:
    compound = places["compound_a"]
    report = run(compound, xlsx(SIMPLE))

    assert report == ImportReport(
        rows=5,
        buildings_created=2,
        units_created=3,
        homes_created=5,
        homes_updated=0,
        homes_unchanged=0,
        people_created=3,
        residencies_confirmed=4,
    )
    home = Place.objects.get(name="102", parent__name="1单元", parent__parent__name="5号楼")
    assert home.kind == PlaceKind.HOME
    assert home.area == Decimal("120.00")
    assert home.register_no == "R-501-102"
    assert compound.contains(home)
    assert home.path.startswith(home.parent.path)  # type: ignore[union-attr]
    assert Place.objects.get(
        name="101", parent__name="2单元", parent__parent__name="5号楼"
    ).developer_unsold
    assert set(Place.objects.filter(owner_key="W1").values_list("area", flat=True)) == {
        Decimal("60.00"),
        Decimal("61.25"),
    }


def test_imported_owners_have_no_login_and_confirmed_ownerships(places) -> None:
    run(places["compound_a"], xlsx(SIMPLE))
    wang = Person.objects.get(phone="13800000003")
    assert wang.name == "王芳"
    assert not wang.has_usable_password()
    ties = Residency.objects.filter(person=wang)
    assert ties.count() == 2
    assert {(t.status, t.relation, t.via) for t in ties} == {("confirmed", "owner", "import")}


def test_one_audit_event_records_the_counts_and_the_file_hash(places, dave) -> None:
    data = xlsx(SIMPLE)
    before = AuditEvent.objects.count()
    run(places["compound_a"], data, actor=dave)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.verb for e in events] == ["places.register.imported"]
    event = events[0]
    assert event.actor == dave
    assert event.place_path == places["compound_a"].path
    assert event.data["file_sha256"] == read_rows(data, "x.xlsx").sha256
    assert event.data["homes_created"] == 5
    assert event.data["people_created"] == 3
    assert audit_verify().ok


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False)])
def test_csv_import_reads_utf8_with_or_without_bom_and_gbk(places, encoding, bom) -> None:
    data = csv_bytes(SIMPLE, encoding=encoding, bom=bom)
    report = run(places["compound_a"], data, "名册.csv")
    assert report.homes_created == 5
    assert Person.objects.filter(name="张明", phone="13800000001").exists()
    assert Place.objects.filter(name="5号楼", kind=PlaceKind.BUILDING).exists()


def test_csv_content_is_recognised_whatever_the_file_is_called(places) -> None:
    assert run(places["compound_a"], csv_bytes(SIMPLE), "register.txt").homes_created == 5


def test_xlsx_content_is_recognised_whatever_the_file_is_called(places) -> None:
    assert run(places["compound_a"], xlsx(SIMPLE), "register.csv").homes_created == 5


def test_english_headers_in_any_order_are_accepted(places) -> None:
    header = ["Area", "room", "unit", "building", "owner_phone", "Owner Name"]
    rows = [["88", "301", "1单元", "7号楼", "13800000009", "赵敏"]]
    report = run(places["compound_a"], xlsx(rows, header=header))
    assert report.homes_created == 1
    assert Place.objects.get(name="301").area == Decimal("88.00")


def test_headers_with_a_unit_or_a_required_mark_are_accepted(places) -> None:
    header = ["*楼栋", "单元", "房号", "面积（㎡）"]
    report = run(places["compound_a"], xlsx([["7号楼", "1单元", "101", "90"]], header=header))
    assert report.homes_created == 1


def test_existing_homes_are_matched_by_name_and_updated(places) -> None:
    compound = places["compound_a"]
    rows = [
        home_row("3号楼", "2单元", "101", "R-1", "89.50"),  # register number added
        home_row("3号楼", "2单元", "102", "", "120.00"),  # unchanged
        home_row("3号楼", "2单元", "103", "", "70"),  # new in an existing unit
    ]
    report = run(compound, xlsx(rows))
    assert (report.homes_created, report.homes_updated, report.homes_unchanged) == (1, 1, 1)
    assert (report.buildings_created, report.units_created) == (0, 0)
    places["home_a"].refresh_from_db()
    assert places["home_a"].register_no == "R-1"
    new = Place.objects.get(name="103")
    assert new.parent == places["unit_a"]
    assert new.path > places["home_a2"].path


def test_a_column_left_out_leaves_that_field_alone(places) -> None:
    home = places["home_a"]
    run(
        places["compound_a"],
        xlsx([home_row("3号楼", "2单元", "101", "R-7", "89.5", owner_key="K")]),
    )
    header = ["楼栋", "单元", "房号", "面积"]
    report = run(places["compound_a"], xlsx([["3号楼", "2单元", "101", "95"]], header=header))
    assert report.homes_updated == 1
    home.refresh_from_db()
    assert (home.area, home.register_no, home.owner_key) == (Decimal("95.00"), "R-7", "K")


def test_importing_the_same_file_twice_changes_nothing_the_second_time(places) -> None:
    data = xlsx(SIMPLE)
    run(places["compound_a"], data)
    before = snapshot()
    report = run(places["compound_a"], data)
    assert not report.changed
    assert report.homes_unchanged == 5
    after = snapshot()
    assert after[:3] == before[:3]


def test_homes_and_owners_missing_from_the_file_are_kept(places, alice) -> None:
    run(places["compound_a"], xlsx(SIMPLE))
    assert homes_under(places["compound_a"]).count() == 7
    assert Residency.objects.filter(person=alice, status="confirmed").exists()


def test_dry_run_reports_and_writes_nothing(places) -> None:
    before = snapshot()
    report = run(places["compound_a"], xlsx(SIMPLE), dry_run=True)
    assert report.dry_run
    assert report.homes_created == 5
    assert snapshot() == before


# --- co-owners -------------------------------------------------------------------------------


def test_co_owners_on_several_rows_share_one_home(places) -> None:
    rows = [
        home_row("5号楼", "1单元", "101", "R-9", "89.5", "张明", "13800000001"),
        home_row("5号楼", "1单元", "101", "R-9", "89.50", "张丽", "13800000002"),
    ]
    report = run(places["compound_a"], xlsx(rows))
    assert report.homes_created == 1
    assert report.residencies_confirmed == 2
    home = Place.objects.get(register_no="R-9")
    assert set(Residency.objects.filter(home=home).values_list("person__name", flat=True)) == {
        "张明",
        "张丽",
    }


def test_co_owner_rows_that_disagree_about_the_home_are_rejected(places) -> None:
    rows = [
        home_row("5号楼", "1单元", "101", "R-9", "89.5", "张明", "13800000001", "", "否"),
        home_row("5号楼", "1单元", "101", "R-8", "90", "张丽", "13800000002", "K", "是"),
    ]
    before = snapshot()
    problems = rejected(places["compound_a"], xlsx(rows))
    assert {(p.row, p.column) for p in problems} == {
        (3, "不动产登记号"),
        (3, "面积"),
        (3, "业主标识"),
        (3, "开发商未售"),
    }
    assert all("第 2 行" in p.message for p in problems)
    assert snapshot() == before


def test_the_same_owner_twice_on_one_home_is_rejected(places) -> None:
    rows = [
        home_row(owner_name="张明", owner_phone="13800000001"),
        home_row(owner_name="张明", owner_phone="13800000001"),
    ]
    [problem] = rejected(places["compound_a"], xlsx(rows))
    assert (problem.row, problem.column) == (3, "业主手机")


def test_one_phone_with_two_names_is_rejected(places) -> None:
    rows = [
        home_row(room="101", owner_name="张明", owner_phone="13800000001"),
        home_row(room="102", owner_name="张三", owner_phone="13800000001"),
    ]
    [problem] = rejected(places["compound_a"], xlsx(rows))
    assert (problem.row, problem.column) == (3, "业主姓名")
    assert "张明" in problem.message


def test_an_existing_person_is_reused_by_phone(places, alice) -> None:
    rows = [home_row("3号楼", "2单元", "102", "", "120", "李爱丽", alice.phone)]
    report = run(places["compound_a"], xlsx(rows))
    assert report.people_created == 0
    assert report.residencies_confirmed == 1
    assert Residency.objects.filter(
        person=alice, home=places["home_a2"], status="confirmed"
    ).exists()


def test_an_owner_already_confirmed_is_not_confirmed_again(places, alice) -> None:
    rows = [home_row("3号楼", "2单元", "101", "", "89.5", "李爱丽", alice.phone)]
    report = run(places["compound_a"], xlsx(rows))
    assert report.residencies_confirmed == 0
    assert Residency.objects.filter(person=alice).count() == 1


def test_a_pending_claim_of_a_listed_owner_is_confirmed(places) -> None:
    person = PersonFactory.create(name="周新", phone="13800000077")
    claim = residency_claim(person=person, home=places["home_a2"], relation="tenant")
    rows = [home_row("3号楼", "2单元", "102", "", "120", "周新", "13800000077")]
    report = run(places["compound_a"], xlsx(rows))
    assert report.residencies_confirmed == 1
    claim.refresh_from_db()
    assert (claim.status, claim.relation, claim.via) == (
        ResidencyStatus.CONFIRMED,
        "owner",
        "import",
    )


# --- bad rows --------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param(home_row(building=""), "楼栋", "必须填写", id="missing building"),
    pytest.param(home_row(unit="  "), "单元", "必须填写", id="blank unit"),
    pytest.param(home_row(room=""), "房号", "必须填写", id="missing room"),
    pytest.param(home_row(area=""), "面积", "必须填写", id="missing area"),
    pytest.param(home_row(area="八十"), "面积", "不是数字", id="area not a number"),
    pytest.param(home_row(area="0"), "面积", "大于 0", id="area zero"),
    pytest.param(home_row(area="-5"), "面积", "大于 0", id="area negative"),
    pytest.param(home_row(area="89.555"), "面积", "两位小数", id="area three decimals"),
    pytest.param(home_row(area=89.499999), "面积", "两位小数", id="excel float with noise"),
    pytest.param(home_row(area="1e12"), "面积", "太大", id="area huge"),
    pytest.param(home_row(area="NaN"), "面积", "大于 0", id="area nan"),
    pytest.param(
        home_row(owner_name="张明", owner_phone="1380000"), "业主手机", "11 位", id="short phone"
    ),
    pytest.param(
        home_row(owner_name="张明", owner_phone="23800000001"),
        "业主手机",
        "11 位",
        id="not a mobile",
    ),
    pytest.param(home_row(owner_name="张明"), "业主手机", "也请填写业主手机", id="name no phone"),
    pytest.param(
        home_row(owner_phone="13800000001"), "业主姓名", "也请填写业主姓名", id="phone no name"
    ),
    pytest.param(home_row(developer_unsold="也许"), "开发商未售", "是”或“否", id="bad flag"),
    pytest.param(home_row(room="1" * 101), "房号", "太长", id="room too long"),
    pytest.param(home_row(register_no="R" * 65), "不动产登记号", "太长", id="register too long"),
    pytest.param(
        home_row(room=date(2024, 1, 10)), "房号", "日期", id="excel turned it into a date"
    ),
]


@pytest.mark.parametrize(("row", "column", "fragment"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(
    places, row, column, fragment
) -> None:
    good = home_row(room="999")
    before = snapshot()
    problems = rejected(places["compound_a"], xlsx([good, [*good[:2], "998", *good[3:]], row]))
    assert [(p.row, p.column) for p in problems] == [(4, column)]
    assert fragment in problems[0].message
    assert snapshot() == before


def test_every_bad_row_is_reported_at_once(places) -> None:
    rows = [
        home_row(room="101"),
        home_row(room="102", area="abc"),
        home_row(room="103"),
        home_row(room="", area="0"),
        home_row(room="105", owner_name="张明", owner_phone="123"),
    ]
    before = snapshot()
    problems = rejected(places["compound_a"], csv_bytes(rows), "x.csv")
    assert [(p.row, p.column) for p in problems] == [
        (3, "面积"),
        (5, "房号"),
        (5, "面积"),
        (6, "业主手机"),
    ]
    assert str(problems[0]).startswith("第 3 行 · 面积：")
    assert snapshot() == before


def test_row_numbers_count_blank_rows_as_excel_shows_them(places) -> None:
    data = csv_bytes(
        [home_row(room="101"), ["", "", "", "", "", "", "", "", ""], home_row(area="x")]
    )
    [problem] = rejected(places["compound_a"], data, "x.csv")
    assert problem.row == 4


def test_a_register_number_used_twice_in_the_file_is_rejected(places) -> None:
    rows = [home_row(room="101", register_no="R-1"), home_row(room="102", register_no="R-1")]
    [problem] = rejected(places["compound_a"], xlsx(rows))
    assert (problem.row, problem.column) == (3, "不动产登记号")
    assert "第 2 行" in problem.message


def test_a_register_number_of_another_compounds_home_is_rejected(places) -> None:
    PlaceFactory.create(kind=PlaceKind.HOME, name="202", parent=places["unit_b"], register_no="R-B")
    before = snapshot()
    [problem] = rejected(places["compound_a"], xlsx([home_row(register_no="R-B")]))
    assert (problem.row, problem.column) == (2, "不动产登记号")
    assert "其他小区" in problem.message
    assert snapshot() == before


def test_two_homes_may_swap_their_register_numbers_in_one_import(places) -> None:
    compound = places["compound_a"]
    run(
        compound,
        xlsx(
            [
                home_row("3号楼", "2单元", "101", "R-1", "89.5"),
                home_row("3号楼", "2单元", "102", "R-2", "120"),
            ]
        ),
    )
    run(
        compound,
        xlsx(
            [
                home_row("3号楼", "2单元", "101", "R-2", "89.5"),
                home_row("3号楼", "2单元", "102", "R-1", "120"),
            ]
        ),
    )
    places["home_a"].refresh_from_db()
    assert places["home_a"].register_no == "R-2"


def test_taking_the_number_of_a_home_left_out_of_the_file_is_rejected(places) -> None:
    compound = places["compound_a"]
    run(compound, xlsx([home_row("3号楼", "2单元", "101", "R-1", "89.5")]))
    [problem] = rejected(compound, xlsx([home_row("3号楼", "2单元", "102", "R-1", "120")]))
    assert "3号楼 2单元 101" in problem.message


def test_unknown_duplicate_and_missing_columns_are_reported_on_row_one(places) -> None:
    header = ["楼栋", "单元", "房号", "房号", "备注"]
    problems = rejected(places["compound_a"], xlsx([["1号楼", "1单元", "101", "101", "x"]], header))
    assert [(p.row, p.column) for p in problems] == [(1, "房号"), (1, "备注"), (1, "面积")]
    assert "不认识" in problems[1].message
    assert "缺少" in problems[2].message


def test_a_column_with_content_but_no_header_is_reported(places) -> None:
    rows = [[*home_row(), "多出来的"]]
    [problem] = rejected(places["compound_a"], xlsx(rows))
    assert (problem.row, problem.column) == (1, "第 10 列")


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"", "x.csv", "空"),
        (b"\xd0\xcf\x11\xe0rest-of-an-old-excel-file", "x.xls", ".xls"),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "xlsx"),
        (b"just text", "x.xlsx", "xlsx"),
        ("楼栋,单元,房号,面积\r\n".encode(), "x.csv", "只有表头"),
        (b"\r\n\r\n", "x.csv", "空"),
    ],
)
def test_unreadable_files_are_rejected_with_a_plain_reason(
    places, data, filename, fragment
) -> None:
    problems = rejected(places["compound_a"], data, filename)
    assert len(problems) == 1
    assert fragment in problems[0].message


def test_excel_numbers_are_read_as_the_text_the_worker_typed(places) -> None:
    rows = [[5, 1, 101, None, 89.5, "张明", 13800000001, None, False]]
    run(places["compound_a"], xlsx(rows))
    home = Place.objects.get(name="101", parent__name="1", parent__parent__name="5")
    assert home.area == Decimal("89.50")
    assert Person.objects.filter(phone="13800000001").exists()


def test_a_formula_guard_apostrophe_is_taken_off(places) -> None:
    rows = [home_row(owner_name="'=张明", owner_phone="13800000001")]
    run(places["compound_a"], csv_bytes(rows), "x.csv")
    assert Person.objects.get(phone="13800000001").name == "=张明"


def test_only_compounds_take_a_register(places) -> None:
    with pytest.raises(DomainError) as caught:
        run(places["building_a"], xlsx(SIMPLE))
    assert caught.value.code == "not_a_compound"


# --- permissions -----------------------------------------------------------------------------


def test_grid_worker_imports_into_their_own_compound(places, dave) -> None:
    assert run(places["compound_a"], xlsx(SIMPLE), actor=dave).homes_created == 5


def test_grid_worker_cannot_import_into_another_compound(places, dave) -> None:
    before = snapshot()
    with pytest.raises(ForbiddenError):
        run(places["compound_b"], xlsx(SIMPLE), actor=dave)
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["alice", "carol", "erin", "oscar"])
def test_residents_heads_and_outsiders_cannot_import(places, persona, request) -> None:
    with pytest.raises(ForbiddenError):
        run(places["compound_a"], xlsx(SIMPLE), actor=request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", ["frank", "grace"])
def test_community_staff_and_subdistrict_admin_import_below_their_place(
    places, persona, request
) -> None:
    actor = request.getfixturevalue(persona)
    assert run(places["compound_b"], xlsx(SIMPLE), actor=actor).homes_created == 5


# --- speed -----------------------------------------------------------------------------------


def _register(
    prefix: str, buildings: int, units: int, floors: int, rooms: int
) -> list[list[object]]:
    rows = []
    n = 0
    for b in range(1, buildings + 1):
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for r in range(1, rooms + 1):
                    n += 1
                    rows.append(
                        home_row(
                            f"{b}号楼",
                            f"{u}单元",
                            f"{f}{r:02d}",
                            f"{prefix}-{n}",
                            "90",
                            f"业主{n}",
                            f"13{prefix}{n:08d}",
                        )
                    )
    return rows


def test_queries_do_not_grow_with_the_number_of_rows(places) -> None:
    rows = _register("8", 4, 3, 6, 4)
    sheet = read_rows(xlsx(rows), "x.xlsx")
    with CaptureQueriesContext(connection) as queries:
        report = places_import_homes(actor=None, compound=places["compound_b"], rows=sheet)
    assert report.homes_created + report.homes_updated == len(rows) == 288
    # A fixed dozen reads and writes, plus one insert per batch of homes, people and
    # residencies (SQLite takes about a hundred rows per insert, PostgreSQL five hundred).
    batches = 3 * math.ceil(len(rows) / 90)
    assert len(queries) <= 16 + batches


def test_header_row_written_by_the_helpers_matches_the_format() -> None:
    from qinlin.places.importing import HEADERS

    assert HEADER == HEADERS


def test_the_format_document_names_every_column_and_the_cli_verbs() -> None:
    from pathlib import Path

    from qinlin.places.importing import COLUMNS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "import-format.md").read_text("utf-8")
    for column in COLUMNS:
        assert f"| {column.header} | `{column.key}` | {'是' if column.required else '否'} |" in doc
        assert f"| {column.header} | `{column.key}` | {'yes' if column.required else 'no'} |" in doc
    for verb in ("qinlin import-homes", "qinlin export-homes", "--dry-run"):
        assert verb in doc


def test_a_tab_separated_file_is_read_too(places) -> None:
    text = "\t".join(HEADER) + "\r\n" + "\t".join(str(c) for c in home_row()) + "\r\n"
    assert run(places["compound_a"], text.encode(), "x.csv").homes_created == 1
