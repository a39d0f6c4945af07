"""docs/topics-lifecycle.md is generated from topics/states.py and must stay in step with it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from qinlin.topics.management.commands.lifecycle_doc import DEFAULT_OUTPUT, render
from qinlin.topics.states import TRANSITIONS


def test_docs_topics_lifecycle_md_is_up_to_date() -> None:
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render(), (
        "docs/topics-lifecycle.md is out of date: run `qinlin lifecycle-doc`"
    )


def test_every_transition_and_its_requirements_are_documented() -> None:
    text = render()
    for t in TRANSITIONS:
        assert f"    {t.source} --> {t.target}" in text
        assert f"`topics.topic.{t.verb}`" in text
        for need in t.needs:
            assert f"(`{need.value}`)" in text


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "lifecycle.md"
    call_command("lifecycle_doc", output=target, stdout=StringIO())
    assert target.read_text(encoding="utf-8") == render()
