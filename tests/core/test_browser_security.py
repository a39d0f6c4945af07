"""Browser security (issue 14 item 3): a CSP with nothing inline, production headers, and
people's text escaped on every rendering."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_submit
from qinlin.core.xlsx import cell
from qinlin.disclosure.services import objection_file
from qinlin.people.models import Person
from tests.disclosure.helpers import published
from tests.topics.helpers import held_meeting, new_topic

TEMPLATES = sorted((Path(settings.PACKAGE_DIR)).glob("**/templates/**/*.html"))

# What a CSP without 'unsafe-inline' would block, or what would run script from markup.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
INLINE = {
    "inline <script>": INLINE_SCRIPT,
    "on*= handler": EVENT_HANDLER,
    "style attribute": STYLE_ATTRIBUTE,
    "<style> element": STYLE_ELEMENT,
    "javascript: URL": JAVASCRIPT_URL,
}

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


def _inline_parts(html: str) -> list[str]:
    return [what for what, pattern in INLINE.items() if pattern.search(html)]


def test_the_patterns_catch_what_a_strict_csp_would_block() -> None:
    assert _inline_parts('<script src="/static/x.js"></script><a href="/x">x</a>') == []
    assert _inline_parts("<script>go()</script>") == ["inline <script>"]
    assert _inline_parts('<button onclick="go()">') == ["on*= handler"]
    assert _inline_parts('<span style="width: 3%">') == ["style attribute"]
    assert _inline_parts("<style>p{}</style>") == ["<style> element"]
    assert _inline_parts('<a href="javascript:go()">') == ["javascript: URL"]


def test_no_template_has_inline_script_style_or_handlers() -> None:
    assert len(TEMPLATES) > 50
    found = {
        str(path.relative_to(settings.PACKAGE_DIR)): parts
        for path in TEMPLATES
        if (parts := _inline_parts(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_policy_allows_nothing_inline_and_closes_the_usual_gaps() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


def _pages(places: dict[str, Any], erin: Person, alice: Person) -> dict[str, str]:
    """One page of each kind the personas reach, with people's text on it."""
    topic = new_topic(erin, places["unit_a"])
    meeting = held_meeting(erin, topic)
    notice = published(erin, places)
    appeal, _created = appeal_submit(
        actor=alice,
        reporter=alice,
        text="单元门坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    return {
        "workspace": reverse("core:start"),
        "appeal": reverse("appeals:appeal-detail", args=[appeal.uid]),
        "inbox": reverse("appeals:inbox"),
        "topic": reverse("topics:topic-detail", args=[topic.uid]),
        "board": reverse("topics:board"),
        "meeting": reverse("topics:meeting-detail", args=[meeting.uid]),
        "notice": f"/n/{notice.uid}/",
        "print": f"/n/{notice.uid}/print/",
    }


def test_rendered_pages_carry_the_policy_and_nothing_inline(
    client: Client, places: dict[str, Any], erin: Person, alice: Person, frank: Person
) -> None:
    pages = _pages(places, erin, alice)
    client.force_login(frank)
    for name, url in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy, name
        assert "object-src 'none'" in policy, name
        assert "frame-ancestors 'none'" in policy, name
        assert _inline_parts(response.content.decode()) == [], name


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_production_responses_carry_the_security_headers_and_secure_cookies(
    client: Client, alice: Person
) -> None:
    plain = client.get(reverse("people:login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    response = client.get(reverse("people:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"]
    assert csrf["httponly"]
    login = client.post(
        reverse("people:login"),
        {"username": alice.phone, "password": "qinlin-test-pw"},
        secure=True,
    )
    assert login.status_code == 302
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]


def _escaped_everywhere(body: str, where: str) -> None:
    assert "<script>alert" not in body, where
    assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", ""), where
    assert ESCAPED in body, where


def test_script_in_appeals_topics_and_minutes_is_shown_as_text(
    client: Client, places: dict[str, Any], alice: Person, dave: Person, erin: Person
) -> None:
    appeal, _created = appeal_submit(
        actor=alice,
        reporter=alice,
        text=HOSTILE,
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    topic = new_topic(erin, places["unit_a"], title=HOSTILE[:100])
    meeting = held_meeting(erin, topic)
    meeting.minutes = HOSTILE
    meeting.save(update_fields=["minutes"])
    client.force_login(alice)
    _escaped_everywhere(
        client.get(reverse("appeals:appeal-detail", args=[appeal.uid])).content.decode(),
        "the resident's appeal",
    )
    client.force_login(dave)
    for where, url in {
        "the appeal for staff": reverse("appeals:appeal-detail", args=[appeal.uid]),
        "the inbox": reverse("appeals:inbox"),
    }.items():
        _escaped_everywhere(client.get(url).content.decode(), where)
    client.force_login(erin)
    for where, url in {
        "the topic": reverse("topics:topic-detail", args=[topic.uid]),
        "the board": reverse("topics:board"),
        "the meeting's minutes": reverse("topics:meeting-detail", args=[meeting.uid]),
    }.items():
        _escaped_everywhere(client.get(url).content.decode(), where)


def test_script_in_notices_and_objections_is_text_on_every_rendering(
    client: Client, places: dict[str, Any], alice: Person, erin: Person
) -> None:
    notice = published(erin, places, body=HOSTILE)
    objection_file(actor=alice, notice=notice, text=HOSTILE)
    for where, url in {
        "the public page": f"/n/{notice.uid}/",
        "the print view": f"/n/{notice.uid}/print/",
    }.items():
        body = client.get(url).content.decode()
        _escaped_everywhere(body, where)
        assert body.count(ESCAPED) >= (2 if where == "the public page" else 1), where
    text = client.get(f"/n/{notice.uid}/text/")
    # The chat-group text is plain text, which no browser runs.
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["X-Content-Type-Options"] == "nosniff"
    feed = client.get(reverse("public:feed", args=[places["compound_a"].uid])).content.decode()
    # The feed carries the body as escaped HTML inside escaped XML.
    assert "<script>" not in feed
    assert "&lt;script&gt;" not in feed.replace("&amp;lt;script&amp;gt;", "")
    assert "&amp;lt;script&amp;gt;" in feed


@pytest.mark.parametrize("formula", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", '=HYPERLINK("x")'])
def test_a_workbook_cell_starting_like_a_formula_stays_text(formula: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append([cell(sheet, formula)])
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()))["s"]["A1"]
    assert read.value == formula
    assert read.data_type == "s"
