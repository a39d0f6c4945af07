"""docs/notifications.md keeps in step with the code: every setting, every kind with its
defaults, the backoff schedule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qinlin
from qinlin.notify.delivery import BACKOFF_MINUTES
from qinlin.notify.kinds import SPECS, Channel, Kind

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "notifications.md").read_text(encoding="utf-8")
SETTINGS = (Path(qinlin.__file__).parent / "settings.py").read_text(encoding="utf-8")
LABELS = {Channel.SMS: "SMS", Channel.EMAIL: "e-mail"}


def test_every_notification_setting_is_documented() -> None:
    section = SETTINGS[SETTINGS.index("# --- notifications") :]
    names = set(re.findall(r'env_\w+\(\s*"(QINLIN_\w+)"', section))
    assert len(names) > 10
    missing = [name for name in sorted(names) if f"`{name}`" not in DOC]
    assert not missing, missing


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_s_defaults_are_documented(kind: Kind) -> None:
    [row] = [line for line in DOC.splitlines() if line.startswith(f"| `{kind.value}` ")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    spec = SPECS[kind]
    assert cells[1] == (" + ".join(LABELS[c] for c in spec.channels) or "—"), row
    assert cells[2] == ("yes" if spec.staff else ""), row
    assert cells[3] == ("yes" if spec.urgent else ""), row


def test_the_backoff_schedule_is_documented() -> None:
    minutes = ", ".join(str(m) for m in BACKOFF_MINUTES[:-1]) + f" and {BACKOFF_MINUTES[-1]}"
    assert f"**{minutes} minutes**" in DOC
    assert f"the {len(BACKOFF_MINUTES) + 1}th failure marks the row `failed`" in DOC
