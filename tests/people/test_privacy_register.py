"""docs/privacy.md registers every field that may hold personal data (issue 14 item 9).

The heuristic is deliberately simple, so that anyone can predict it: a field looks personal
when it points at a person, holds a file, is free text (TextField), or is a short text or
JSON field whose name says it holds a name, a phone, an address, a note or someone's words
(HINTS). Fields it flags that are not personal (a place's name) are registered too, in the
document's second table, with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

REGISTER = Path(settings.PACKAGE_DIR).parents[1] / "docs" / "privacy.md"
HINTS = (
    "name",
    "phone",
    "address",
    "email",
    "contact",
    "note",
    "reason",
    "text",
    "comment",
    "answer",
    "value",
    "data",
    "participants",
    "panel",
    "choices",
)
ROW = re.compile(r"^\| `(?P<model>\w+\.\w+)` \| (?P<fields>[^|]+) \|", re.MULTILINE)


def looks_personal(field: models.Field[object, object]) -> bool:
    if isinstance(field, models.ForeignKey):
        related = field.related_model
        return isinstance(related, type) and related._meta.label == settings.AUTH_USER_MODEL
    if isinstance(field, models.FileField | models.TextField):
        return True
    if isinstance(field, models.CharField | models.EmailField | models.JSONField):
        return any(hint in field.name for hint in HINTS)
    return False


def flagged() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("qinlin.")
        for field in model._meta.concrete_fields
        if looks_personal(field)
    }


def registered() -> set[str]:
    text = REGISTER.read_text(encoding="utf-8")
    return {
        f"{row['model']}.{name}"
        for row in ROW.finditer(text)
        for name in re.findall(r"`(\w+)`", row["fields"])
    }


def test_every_field_that_looks_personal_is_in_the_register() -> None:
    missing = sorted(flagged() - registered())
    assert missing == [], "add these to docs/privacy.md: " + ", ".join(missing)


def test_the_register_names_only_fields_that_exist() -> None:
    existing = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
    }
    assert sorted(registered() - existing) == []


def test_the_heuristic_flags_people_and_their_words_not_counters() -> None:
    person = apps.get_model("people", "Person")
    appeal = apps.get_model("appeals", "Appeal")
    assert looks_personal(person._meta.get_field("phone"))
    assert looks_personal(appeal._meta.get_field("text"))
    assert looks_personal(appeal._meta.get_field("reporter"))
    assert not looks_personal(appeal._meta.get_field("status"))
    assert not looks_personal(appeal._meta.get_field("created_at"))
