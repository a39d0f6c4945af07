"""The user guide: each chapter in both languages, every picture it shows on disk."""

from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"


def test_every_chapter_is_in_both_languages_and_listed() -> None:
    zh = sorted(p.name for p in (GUIDE / "zh-hans").glob("*.md"))
    en = sorted(p.name for p in (GUIDE / "en").glob("*.md"))
    assert zh == en
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for name in zh:
        assert f"zh-hans/{name}" in index
        assert f"en/{name}" in index


def test_every_picture_the_guide_shows_exists() -> None:
    for chapter in GUIDE.glob("*/*.md"):
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", chapter.read_text(encoding="utf-8")):
            assert (chapter.parent / image).resolve().is_file(), f"{chapter.name}: {image}"


def test_both_languages_show_the_same_pictures() -> None:
    for chapter in (GUIDE / "zh-hans").glob("*.md"):
        pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", chapter.read_text(encoding="utf-8"))
        english = (GUIDE / "en" / chapter.name).read_text(encoding="utf-8")
        assert pictures == re.findall(r"!\[[^\]]*\]\(([^)]+)\)", english), chapter.name
