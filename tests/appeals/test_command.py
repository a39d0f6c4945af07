"""`qinlin appeals group FILE`: JSON groups on stdout, bad input refused with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROWS = [
    ("1", "单元门坏了，关不上", "上河园/3号楼/2单元"),
    ("2", "楼门关不上好几天了", "上河园/3号楼/2单元"),
    ("3", "门禁失灵，刷卡没反应", "上河园/3号楼/2单元"),
    ("4", "暖气不热，家里才十六度", "上河园/1号楼/1单元"),
    ("5", "单元门坏了，关不上", "锦绣花园/3号楼/2单元"),
]
EXPECTED = {"groups": [["1", "2", "3"], ["4"], ["5"]]}


def _csv(path: Path, *, bom: bool = False) -> Path:
    lines = ["id,text,place"] + [f"{i},{t},{p}" for i, t, p in ROWS]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path, rows: Sequence[Mapping[str, object]] | None = None) -> Path:
    records = rows or [{"id": i, "text": t, "place": p} for i, t, p in ROWS]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    return path


def _run(path: Path, *extra: str) -> dict[str, list[list[str]]]:
    out = StringIO()
    call_command("appeals", "group", str(path), *extra, stdout=out)
    result: dict[str, list[list[str]]] = json.loads(out.getvalue())
    return result


def _refused(path: Path) -> str:
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("appeals", "group", str(path), stdout=out)
    assert raised.value.returncode == 2
    assert out.getvalue() == ""
    return str(raised.value)


def test_csv_appeals_come_back_grouped_by_matter(tmp_path: Path) -> None:
    assert _run(_csv(tmp_path / "appeals.csv")) == EXPECTED


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    assert _run(_csv(tmp_path / "appeals.csv", bom=True)) == EXPECTED


def test_jsonl_appeals_come_back_grouped_by_matter(tmp_path: Path) -> None:
    assert _run(_jsonl(tmp_path / "appeals.jsonl")) == EXPECTED


def test_the_format_is_recognised_by_content_when_the_name_says_nothing(tmp_path: Path) -> None:
    assert _run(_jsonl(tmp_path / "appeals.txt")) == EXPECTED
    assert _run(_csv(tmp_path / "appeals.data")) == EXPECTED


def test_place_is_optional_and_numeric_ids_come_back_as_strings(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "appeals.jsonl",
        [{"id": 7, "text": "暖气不热"}, {"id": 8, "text": "供暖不达标，屋里冷", "place": None}],
    )
    assert _run(path) == {"groups": [["7", "8"]]}


def test_every_id_appears_exactly_once(tmp_path: Path) -> None:
    rows = [{"id": f"a{n}", "text": text} for n, text in enumerate(["电梯坏了"] * 30 + [""] * 3)]
    groups = _run(_jsonl(tmp_path / "many.jsonl", rows))["groups"]
    ids = [appeal_id for members in groups for appeal_id in members]
    assert sorted(ids) == sorted(r["id"] for r in rows)
    assert len(ids) == len(set(ids))


def test_a_higher_threshold_never_merges_more(tmp_path: Path) -> None:
    path = _csv(tmp_path / "appeals.csv")
    assert len(_run(path, "--threshold", "0.9")["groups"]) >= len(EXPECTED["groups"])


def test_a_missing_text_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,body\n1,暖气不热\n", encoding="utf-8")
    assert "text" in _refused(path)


def test_an_empty_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,暖气不热\n ,电梯坏了\n", encoding="utf-8")
    assert "第 3 行" in _refused(path)


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", [{"id": "1", "text": "a"}, {"id": "1", "text": "b"}])
    assert "重复" in _refused(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "无法读取" in _refused(tmp_path / "nowhere.csv")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,text\n1,暖气不热\n".encode("gbk"))
    assert "UTF-8" in _refused(path)


def test_a_file_that_is_neither_csv_nor_jsonl_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('[{"id": "1", "text": "暖气不热"}]\n', encoding="utf-8")
    _refused(path)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "1", "text": "暖气不热"\n', encoding="utf-8")
    assert "JSONL" in _refused(broken)


def test_a_row_with_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,暖气不热,上河园,多余\n", encoding="utf-8")
    assert "列数" in _refused(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    _refused(path)


def _qinlin(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Warnings are errors here too: jieba's first load must not emit any.
    env = os.environ | {"PYTHONWARNINGS": "error", "QINLIN_DATA_DIR": str(cwd)}
    return subprocess.run(  # noqa: S603 - our own command, arguments fixed by the test
        [sys.executable, "-m", "qinlin", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=120,
    )


def test_the_command_prints_only_json_on_stdout(tmp_path: Path) -> None:
    done = _qinlin("appeals", "group", str(_csv(tmp_path / "appeals.csv")), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    assert done.stderr == ""


def test_the_command_exits_with_2_and_an_empty_stdout_on_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,body\n1,暖气不热\n", encoding="utf-8")
    done = _qinlin("appeals", "group", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "text" in done.stderr
