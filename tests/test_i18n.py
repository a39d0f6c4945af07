"""English is complete: every msgid translated, placeholders kept, the .mo up to date."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

import qinlin

LOCALE = Path(qinlin.__file__).parent / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _unquote(lines: list[str]) -> str:
    text = "".join(re.findall(r'"(.*)"', "\n".join(lines)))
    return (
        text.replace("\\\\", "\x00").replace('\\"', '"').replace("\\n", "\n").replace("\x00", "\\")
    )


@dataclass(frozen=True)
class Entry:
    flags: str
    msgid: str
    msgstr: list[str]
    context: str = ""


def _entries() -> list[Entry]:
    entries = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]:
        fields: dict[str, list[str]] = {}
        current = ""
        flags = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current].append(line)
            else:
                current, _, rest = line.partition(" ")
                fields[current] = [rest]
        if "msgid" in fields:
            entries.append(
                Entry(
                    flags=flags,
                    msgid=_unquote(fields["msgid"]),
                    msgstr=[_unquote(v) for k, v in fields.items() if k.startswith("msgstr")],
                    context=_unquote(fields.get("msgctxt", [])),
                )
            )
    return entries


def test_every_entry_is_translated_and_not_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 300
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        assert all(entry.msgstr), entry.msgid


def test_placeholders_survive_translation() -> None:
    for entry in _entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for translation in entry.msgstr:
            assert sorted(PLACEHOLDER.findall(translation)) == expected, entry.msgid


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in _entries():
        if len(entry.msgstr) == 1 and entry.context:
            assert catalogue.pgettext(entry.context, entry.msgid) == entry.msgstr[0], entry.msgid
        elif len(entry.msgstr) == 1:
            assert catalogue.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


@pytest.mark.django_db
def test_pages_render_in_english_when_asked(client: Client, places) -> None:
    for url in ["/", "/accounts/login/", "/accounts/signup/"]:
        body = client.get(url, headers={"Accept-Language": "en"}).content.decode()
        assert 'lang="en"' in body
        visible = re.sub(r"<[^>]+>", " ", body)
        # The brand mark "亲" is decorative (aria-hidden); 中文 is the language switch.
        for name in ["北苑社区", "中文", "亲"]:
            visible = visible.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", visible), (
            url,
            re.findall(r"[\u4e00-\u9fff]+", visible),
        )
