"""`qinlin import-homes` and `qinlin export-homes`, run as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from qinlin.cli import main
from qinlin.places.importing import HEADERS
from qinlin.places.models import Place
from tests.factories import PlaceFactory
from tests.places.sheets import csv_bytes, home_row, xlsx
from tests.places.test_import import SIMPLE, snapshot

pytestmark = pytest.mark.django_db


def qinlin(verb: str, *args: object) -> int:
    """Run a verb as `qinlin VERB ARGS…` does; return its exit status.

    call_command rather than the full command line: Django closes every database connection
    after a command-line run, which would end the test's transaction on PostgreSQL.
    """
    try:
        call_command(verb.replace("-", "_"), *[str(arg) for arg in args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("verb", ["import-homes", "export-homes"])
def test_the_qinlin_command_knows_the_verbs(verb: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["qinlin", verb, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "COMPOUND" in out.upper()
    assert ".xlsx" in out


def test_import_homes_by_compound_name_prints_the_report(places, tmp_path: Path, capsys) -> None:
    path = tmp_path / "上河园.xlsx"
    path.write_bytes(xlsx(SIMPLE))
    assert qinlin("import-homes", "上河园", path) == 0
    out = capsys.readouterr().out
    assert "已导入 上河园" in out
    assert "新建楼栋 2 个、单元 3 个、房屋 5 户。" in out
    assert Place.objects.filter(name="6号楼").exists()


def test_import_homes_by_uid_from_csv(places, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(SIMPLE, encoding="gbk"))
    assert qinlin("import-homes", places["compound_b"].uid, path) == 0
    assert Place.objects.get(name="6号楼").parent == places["compound_b"]


def test_bad_rows_go_to_stderr_with_status_2_and_nothing_changes(
    places, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([home_row(), home_row(room="102", area="abc"), home_row(room="")]))
    before = snapshot()
    assert qinlin("import-homes", "上河园", path) == 2
    err = capsys.readouterr().err
    assert "第 3 行 · 面积：" in err
    assert "第 4 行 · 房号：" in err
    assert snapshot() == before


def test_dry_run_reports_and_changes_nothing(places, tmp_path: Path, capsys) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx(SIMPLE))
    before = snapshot()
    assert qinlin("import-homes", "上河园", path, "--dry-run") == 0
    assert "没有改动任何数据" in capsys.readouterr().out
    assert snapshot() == before


@pytest.mark.parametrize(
    "case",
    [
        ("没有这个小区", "r.xlsx", "找不到"),
        ("上河园", "missing.xlsx", "无法读取"),
        ("上河园", "r.pdf", ".xlsx 或 .csv"),
    ],
)
def test_bad_arguments_say_what_is_wrong_with_status_2(
    places, tmp_path: Path, capsys, case: tuple[str, str, str]
) -> None:
    compound, filename, fragment = case
    (tmp_path / "r.xlsx").write_bytes(xlsx(SIMPLE))
    (tmp_path / "r.pdf").write_bytes(b"%PDF")
    assert qinlin("import-homes", compound, tmp_path / filename) == 2
    assert fragment in capsys.readouterr().err


def test_a_name_shared_by_two_compounds_asks_for_the_uid(places, tmp_path: Path, capsys) -> None:
    other = PlaceFactory.create(kind="community", name="南苑社区", parent=places["subdistrict"])
    PlaceFactory.create(kind="compound", name="上河园", parent=other)
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx(SIMPLE))
    assert qinlin("import-homes", "上河园", path) == 2
    assert places["compound_a"].uid in capsys.readouterr().err


def test_import_into_a_building_is_refused(places, tmp_path: Path, capsys) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx(SIMPLE))
    assert qinlin("import-homes", places["building_a"].uid, path) == 2


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_homes_writes_the_register(places, alice, tmp_path: Path, capsys, suffix) -> None:
    path = tmp_path / f"out.{suffix}"
    assert qinlin("export-homes", "上河园", path) == 0
    assert "2 户" in capsys.readouterr().out
    data = path.read_bytes()
    assert alice.phone is not None
    if suffix == "csv":
        text = data.decode("utf-8-sig")
        assert text.startswith(",".join(HEADERS))
        assert alice.phone in text
    else:
        assert data.startswith(b"PK")


def test_export_homes_refuses_an_unknown_extension(places, tmp_path: Path, capsys) -> None:
    assert qinlin("export-homes", "上河园", tmp_path / "out.pdf") == 2
    assert ".xlsx 或 .csv" in capsys.readouterr().err
    assert not (tmp_path / "out.pdf").exists()


def test_exported_file_imports_back_without_changes(places, alice, tmp_path: Path, capsys) -> None:
    path = tmp_path / "out.xlsx"
    assert qinlin("export-homes", "上河园", path) == 0
    assert qinlin("import-homes", "上河园", path) == 0
    out = capsys.readouterr().out
    assert "新建楼栋 0 个、单元 0 个、房屋 0 户。" in out
    assert "更新房屋 0 户，2 户没有变化。" in out
