"""docs/permissions.md is generated from the PERMISSIONS table and must stay in step with it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from qinlin.core.management.commands.permissions_doc import DEFAULT_OUTPUT, descriptions, render
from qinlin.core.permissions import PERMISSIONS
from qinlin.core.roles import Role


def test_docs_permissions_md_is_up_to_date() -> None:
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render(), (
        "docs/permissions.md is out of date: run `qinlin permissions-doc`"
    )


def test_every_action_has_a_description_from_its_comment() -> None:
    found = descriptions()
    assert set(found) == set(PERMISSIONS)
    assert all(found.values())
    assert found["core.view_audit"] == "Read the audit log of a place."
    assert found["places.view_homes"].startswith("The homes of a place with areas")


def test_the_table_has_a_row_per_action_and_a_column_per_role() -> None:
    text = render()
    for action, allowed in PERMISSIONS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{action}` |"))
        assert row.count("✓") == len(allowed)
    header = next(line for line in text.splitlines() if line.startswith("| 动作"))
    for role in Role:
        assert f"{role.label}<br>{role.value.replace('_', ' ')}" in header


def test_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "permissions.md"
    call_command("permissions_doc", output=target, stdout=StringIO())
    assert target.read_text(encoding="utf-8") == render()


def test_check_passes_on_a_current_file(tmp_path: Path) -> None:
    target = tmp_path / "permissions.md"
    target.write_text(render(), encoding="utf-8")
    out = StringIO()
    call_command("permissions_doc", "--check", output=target, stdout=out)
    assert "一致" in out.getvalue()


def test_check_fails_on_a_stale_file_and_leaves_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "permissions.md"
    target.write_text(render().replace("✓", "", 1), encoding="utf-8")
    stale = target.read_text(encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("permissions_doc", "--check", output=target, stderr=err)
    assert exited.value.code == 1
    assert "qinlin permissions-doc" in err.getvalue()
    assert target.read_text(encoding="utf-8") == stale


def test_check_fails_when_the_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        call_command("permissions_doc", "--check", output=tmp_path / "none.md", stderr=StringIO())
