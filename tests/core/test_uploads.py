"""Uploads (issue 14 item 3): checked by content, size-limited, stored under a generated name
and served with headers that keep a browser from running them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client
from django.utils import timezone
from PIL import Image

from qinlin.appeals.models import AppealPhoto, Category
from qinlin.appeals.photos import MAX_BYTES, clean_photo
from qinlin.appeals.services import appeal_submit
from qinlin.core.errors import DomainError
from qinlin.core.files import private_file
from qinlin.evaluation.models import AuditDocument
from qinlin.evaluation.services import audit_add
from qinlin.organisations.models import ActivityPhoto
from qinlin.people.models import Person
from qinlin.votes.models import Ballot
from qinlin.votes.services import ballot_cast
from qinlin.works.acceptance import work_accept
from qinlin.works.models import AcceptancePhoto, BidDocument, TaskPhoto
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import bid_add, tender_open
from tests.evaluation.helpers import evaluating
from tests.organisations.helpers import clinic
from tests.votes.helpers import door_vote
from tests.works.helpers import decided, executing

pytestmark = pytest.mark.django_db

HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_JPEG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
# Where a stored name may come from: the place's folder, the month, a generated id and the
# format Pillow found, never anything the uploader typed.
GENERATED = re.compile(r"^(appeals|works|ballots)/\d{4}/\d{2}/[0-9A-Za-z]{8,}\.(jpg|png|webp)$")
HOSTILE_NAME = "../../我的<script>.html"


def _jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="JPEG")
    return buffer.getvalue()


def _upload(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)


def test_html_or_svg_named_jpg_is_not_an_image() -> None:
    for fake in (HTML_AS_JPEG, SVG_AS_JPEG, b"%PDF-1.7\n", b""):
        with pytest.raises(DomainError) as refused:
            clean_photo(_upload(fake), name="door.jpg")
        assert refused.value.code == "photo_not_image"
        assert "“door.jpg”不是可识别的图片" in str(refused.value.message)


def test_a_gif_is_refused_for_its_format() -> None:
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    with pytest.raises(DomainError) as refused:
        clean_photo(_upload(buffer.getvalue()), name="a.gif")
    assert refused.value.code == "photo_format"


def test_a_jpeg_carrying_html_keeps_only_its_pixels() -> None:
    polyglot = _jpeg() + HTML_AS_JPEG
    cleaned = clean_photo(_upload(polyglot), name="door.jpg")
    data = cleaned.content.read()
    assert data[:2] == b"\xff\xd8"
    assert b"<script" not in data
    assert cleaned.content.name == "photo.jpg"


def test_a_photo_over_8_mb_is_refused_with_its_name_and_the_limit() -> None:
    with pytest.raises(DomainError) as refused:
        clean_photo(_upload(_jpeg() + b"\0" * MAX_BYTES), name="big.jpg")
    assert refused.value.code == "photo_too_big"
    assert str(refused.value.message) == "照片“big.jpg”超过 8 MB，请压缩后再上传。"


def test_every_stored_file_field_is_one_of_the_checked_photo_kinds() -> None:
    """A new FileField must go through appeals.photos.clean_photo and join KINDS below."""
    fields = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert fields == {f"{model._meta.label}.{field}" for model, field in STORED.values()}


Store = Callable[[dict[str, Person], dict[str, Any], list[tuple[str, IO[bytes]]]], None]


def _appeal(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    appeal_submit(
        actor=people["alice"],
        reporter=people["alice"],
        text="单元门坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
        photos=files,
    )


def _task(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    task = task_create(
        actor=people["erin"],
        topic=decided(people["erin"], places),
        title="更换单元门",
        responsible=people["erin"],
        due_on=timezone.localdate() + timedelta(days=10),
    )
    task_report(actor=people["erin"], task=task, text="门已订购", status="doing", photos=files)


def _acceptance(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    work_accept(
        actor=people["erin"],
        topic=executing(people["erin"], places),
        held_on=timezone.localdate(),
        participants="业委会、物业、居民代表",
        opinion="验收合格。",
        passed=True,
        photos=files,
    )


def _bid(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    tender = tender_open(
        actor=people["erin"],
        topic=decided(people["erin"], places),
        title="单元门更换",
        requirements="钢质防盗单元门。",
        deadline=timezone.now() + timedelta(days=5),
    )
    bid_add(
        actor=people["erin"], tender=tender, vendor="甲门业", price=Decimal(9000), documents=files
    )


def _audit(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    audit_add(
        actor=people["erin"],
        topic=evaluating(people["erin"], places),
        held_on=timezone.localdate(),
        panel="党员代表",
        findings="门体安装牢固。",
        verdict="passed",
        documents=files,
    )


def _activity(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    clinic(people["erin"], places["compound_a"], photos=files)


def _ballot(people: dict[str, Person], places: dict[str, Any], files: Any) -> None:
    ballot_cast(
        actor=people["carol"],
        vote=door_vote(people["frank"], places),
        home=places["home_a"],
        choices={"A": "agree", "B": "disagree"},
        channel="door",
        document=files[0] if files else None,
    )


# kind → (how a person stores it, the model and field it lands in, the URL that serves it).
STORED: dict[str, tuple[type[models.Model], str]] = {
    "appeal": (AppealPhoto, "image"),
    "task": (TaskPhoto, "image"),
    "acceptance": (AcceptancePhoto, "image"),
    "bid": (BidDocument, "image"),
    "audit": (AuditDocument, "image"),
    "activity": (ActivityPhoto, "image"),
    "ballot": (Ballot, "document"),
}
STORE: dict[str, Store] = {
    "appeal": _appeal,
    "task": _task,
    "acceptance": _acceptance,
    "bid": _bid,
    "audit": _audit,
    "activity": _activity,
    "ballot": _ballot,
}


def _url(kind: str, stored: Any) -> str:
    if kind == "appeal":
        return f"/appeals/{stored.appeal.uid}/photos/0/"
    if kind == "ballot":
        return f"/votes/{stored.vote.uid}/ballots/{stored.receipt}/document"
    return {
        "task": "/works/photos/{}/",
        "acceptance": "/works/acceptance-photos/{}/",
        "bid": "/works/bid-documents/{}/",
        "audit": "/evaluation/audit-documents/{}/",
        "activity": "/organisations/activity-photos/{}/",
    }[kind].format(stored.pk)


@pytest.fixture
def people(
    alice: Person, carol: Person, erin: Person, frank: Person, grace: Person
) -> dict[str, Person]:
    return {"alice": alice, "carol": carol, "erin": erin, "frank": frank, "grace": grace}


@pytest.mark.parametrize("kind", sorted(STORE))
def test_html_named_jpg_and_oversized_files_are_refused_for_every_kind(
    kind: str, people: dict[str, Person], places: dict[str, Any]
) -> None:
    model, _field = STORED[kind]
    for data, code in ((HTML_AS_JPEG, "photo_not_image"), (_jpeg() + b"\0" * MAX_BYTES, "")):
        with pytest.raises(DomainError) as refused:
            STORE[kind](people, places, [("door.jpg", _upload(data))])
        assert refused.value.code == (code or "photo_too_big"), kind
    assert not model._default_manager.exclude(**{_field: ""}).exists()


@pytest.mark.parametrize("kind", sorted(STORE))
def test_every_kind_is_stored_under_a_generated_name_and_served_safely(
    kind: str, people: dict[str, Person], places: dict[str, Any], client: Client
) -> None:
    model, field = STORED[kind]
    STORE[kind](people, places, [(HOSTILE_NAME, _upload(_jpeg()))])
    stored = model._default_manager.exclude(**{field: ""}).get()
    name = getattr(stored, field).name
    assert GENERATED.match(name), name
    viewer = people["alice"] if kind == "appeal" else people["frank"]
    client.force_login(viewer)
    response = client.get(_url(kind, stored))
    assert response.status_code == 200, kind
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("inline;")
    assert "script" not in response["Content-Disposition"]
    response.close()


def test_a_stored_file_that_is_not_an_image_downloads_instead_of_opening(db: None) -> None:
    name = default_storage.save("ballots/2026/01/abcdefgh12.html", ContentFile(HTML_AS_JPEG))
    response = private_file(name)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()
