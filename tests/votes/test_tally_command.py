"""`qinlin tally FILE.json`: the engine on a file, so anyone can recount."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

DOOR_VOTE: dict[str, Any] = {
    "rule": "civil_code_ordinary",
    "options": ["A", "B"],
    "homes": [
        {"id": "3-2-101", "area": "89.50", "owner": "", "developer_unsold": False},
        {"id": "3-2-102", "area": "120.00", "owner": "", "developer_unsold": False},
        {"id": "3-2-201", "area": 89.5, "owner": "liu", "developer_unsold": False},
        {"id": "3-2-202", "area": "120.00", "owner": "liu", "developer_unsold": False},
        {"id": "3-2-301", "area": "89.50", "developer_unsold": True},
    ],
    "ballots": [
        {"home": "3-2-101", "choices": {"A": "disagree", "B": "agree"}},
        {"home": "3-2-102", "choices": {"A": "agree", "B": "agree"}},
        {"home": "3-2-201", "choices": {"A": "disagree", "B": "agree"}},
        {"home": "3-2-202", "choices": {"A": "disagree", "B": "agree"}},
    ],
}


def _run(tmp_path: Path, data: object) -> tuple[int, str, str]:
    path = tmp_path / "vote.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("tally", str(path), stdout=out, stderr=err)
    except SystemExit as exited:
        return int(exited.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_unit_door_vote_is_recounted_exactly(tmp_path: Path) -> None:
    # Owners: 101, 102, liu (201+202), the developer (301) = 4; area 508.50 m².
    # Participants: 101, 102, liu = 3 owners, 419.00 m² → 838/1017 ≥ 2/3; 3/4 ≥ 2/3.
    # B: all agree → carried. A: 120/419 of the area, 1/3 of the owners → not carried.
    status, out, err = _run(tmp_path, DOOR_VOTE)
    assert (status, err) == (0, "")
    result = json.loads(out)["options"]
    assert result["B"] == {
        "passed": True,
        "quorum_met": True,
        "participation_area": "838/1017",
        "participation_headcount": "3/4",
        "approval_area": "1/1",
        "approval_headcount": "1/1",
        "explanation": result["B"]["explanation"],
    }
    assert result["A"]["passed"] is False
    assert result["A"]["approval_area"] == "120/419"
    assert result["A"]["approval_headcount"] == "1/3"
    assert "参与表决专有部分面积 419.00/508.50㎡" in result["B"]["explanation"]["zh-hans"]
    assert "carried" in result["B"]["explanation"]["en"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": "majority"}, "未知的表决规则“majority”"),
        (
            {"ballots": [{"home": "9-9-999", "choices": {"A": "agree", "B": "agree"}}]},
            "选票的房屋 9-9-999 不在表决范围内",
        ),
        ({"ballots": DOOR_VOTE["ballots"][:1] * 2}, "房屋 3-2-101 有两张选票"),
        ({"homes": [{"id": "x", "area": "-3"}]}, "房屋 x 的面积必须大于 0"),
        ({"homes": [{"id": "x", "area": "八十"}]}, "房屋 x 的面积“八十”不是数字"),
        ({"homes": [{"id": "x", "area": "80.123"}]}, "房屋 x 的面积最多两位小数"),
        (
            {
                "ballots": [
                    {"home": "3-2-201", "choices": {"A": "agree", "B": "agree"}},
                    {"home": "3-2-202", "choices": {"A": "disagree", "B": "agree"}},
                ]
            },
            "房屋 3-2-201 与 3-2-202 属于同一业主，选择必须一致",
        ),
        (
            {"ballots": [{"home": "3-2-101", "choices": {"A": "yes", "B": "agree"}}]},
            "选择“yes”无效",
        ),
        ({"ballots": [{"home": "3-2-101", "choices": {"A": "agree"}}]}, "缺少事项 B"),
    ],
)
def test_bad_input_is_refused_on_stderr_with_status_2_and_nothing_on_stdout(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    status, out, err = _run(tmp_path, {**DOOR_VOTE, **change})
    assert status == 2
    assert out == ""
    assert message in err


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vote.json"
    path.write_text("{not json", encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("tally", str(path), stdout=StringIO(), stderr=err)
    assert exited.value.code == 2
    assert "文件不是有效的 JSON" in err.getvalue()


def test_qinlin_tally_runs_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "vote.json"
    path.write_text(json.dumps(DOOR_VOTE), encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "qinlin", "tally", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QINLIN_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["options"]["B"]["passed"] is True


def test_each_option_may_have_its_own_rule(tmp_path: Path) -> None:
    # B under items (6)-(8): approval 1/1 of the participants still carries; the explanation
    # names the rule of each option.
    per_option = {**DOOR_VOTE, "rule": {"A": "civil_code_ordinary", "B": "civil_code_special"}}
    status, out, _err = _run(tmp_path, per_option)
    assert status == 0
    result = json.loads(out)["options"]
    assert "其他事项" in result["A"]["explanation"]["zh-hans"]
    assert "第六项至第八项" in result["B"]["explanation"]["zh-hans"]


def test_a_rule_per_option_must_name_every_option(tmp_path: Path) -> None:
    status, out, err = _run(tmp_path, {**DOOR_VOTE, "rule": {"A": "civil_code_ordinary"}})
    assert (status, out) == (2, "")
    assert "rule 必须为每个事项各给一条规则" in err
