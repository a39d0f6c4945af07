"""The walk of tests/security/test_access.py: every page and API operation, its path
parameters filled from the world's records, asked by a client logged in as each persona.

Each request runs in a savepoint that is rolled back, so a POST that is let through leaves
the world as it was for the next one; a refused POST is checked to change nothing before
the rollback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from django.apps import apps
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qinlin.api.api import api
from tests.security.world import PERSONAS, Side, World

SKIPPED_PREFIXES = ("admin/", "i18n/", "api/", "static/")

Fill = Callable[[Side, World], dict[str, Any]]


def _uid(*path: str) -> Fill:
    """The uid of the side's record at `path` (attribute or extra key), as `uid`."""

    def fill(side: Side, world: World) -> dict[str, Any]:
        return {"uid": _dig(side, world, path)}

    return fill


def _dig(side: Side, world: World, path: tuple[str, ...]) -> Any:
    head, *rest = path
    if head == "shared":
        value: Any = world.shared[rest[0]]
        rest = rest[1:]
    elif head == "place":
        value = side.places[rest[0]]
        rest = rest[1:]
    elif head in side.extra:
        value = side.extra[head]
    else:
        value = getattr(side, head)
    for attr in rest:
        value = getattr(value, attr)
    return value if isinstance(value, int | str) else value.uid


def _pk(key: str, **more: Fill) -> Fill:
    def fill(side: Side, world: World) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"pk": side.extra[key]}
        for name, part in more.items():
            kwargs.update({name: part(side, world)["uid"]})
        return kwargs

    return fill


def _with(base: Fill, **fixed: Any) -> Fill:
    def fill(side: Side, world: World) -> dict[str, Any]:
        return {**base(side, world), **fixed}

    return fill


def _none(side: Side, world: World) -> dict[str, Any]:
    return {}


COMPOUND = _uid("place", "compound_a")

# How each URL's parameters are filled, by URL name. A URL the table misses fails the walk.
FILL: dict[str, Fill] = {
    "core:start": _none,
    "core:home": _none,
    "core:workspace": _none,
    "core:audit": _none,
    "places:place-detail": COMPOUND,
    "places:place-import": COMPOUND,
    "places:place-export": _with(COMPOUND, fmt="xlsx"),
    "appeals:appeal-new": _none,
    "appeals:my-appeals": _none,
    "appeals:inbox": _none,
    "appeals:appeal-enter": _none,
    "appeals:categories": _none,
    "appeals:appeal-detail": _uid("appeal"),
    "appeals:photo": _with(_uid("appeal"), n=0),
    "appeals:appeal-triage": _uid("appeal"),
    "appeals:appeal-import": COMPOUND,
    "topics:board": _none,
    "topics:topic-new": _none,
    "topics:meeting-new": _none,
    "topics:meeting-detail": _uid("meeting"),
    "topics:meeting-act": _uid("meeting"),
    "topics:topic-detail": _uid("proposed"),
    "topics:topic-advance": _uid("proposed"),
    "topics:topic-edit": _uid("proposed"),
    "topics:option-add": _uid("proposed"),
    "topics:responsible-set": _uid("proposed"),
    "votes:vote-new": _none,
    "votes:receipt": _none,
    "votes:vote-detail": _uid("secret_vote"),
    "votes:vote-door": _uid("secret_vote"),
    "votes:vote-file": _uid("closed_vote"),
    "votes:document": lambda side, world: {
        "uid": side.closed_vote.uid,
        "receipt": side.closed_vote.ballots.order_by("pk").first().receipt,  # type: ignore[union-attr]
    },
    "works:overdue": _none,
    "works:task-add": _uid("evaluated"),
    "works:task-report": _uid("task"),
    "works:photo": _pk("task_photo"),
    "works:funding-set": _uid("evaluated"),
    "works:collection": _uid("evaluated"),
    "works:payment": _pk("share"),
    "works:acceptance": _uid("evaluated"),
    "works:acceptance-photo": _pk("acceptance_photo"),
    "works:tender-open": _uid("tender_topic"),
    "works:tender": _uid("tender"),
    "works:bid-add": _uid("tender"),
    "works:tender-publish": _uid("tender"),
    "works:tender-comment": _uid("tender"),
    "works:tender-award": _uid("tender"),
    "works:bid-document": _pk("bid_document"),
    "disclosure:channels": _none,
    "disclosure:notice-new": _uid("proposed"),
    "disclosure:notice-new-free": _none,
    "disclosure:notice": _uid("draft"),
    "disclosure:notice-act": _uid("draft"),
    "disclosure:objection-answer": lambda side, world: {"pk": side.objection_pk},
    "disclosure:requests": _none,
    "disclosure:my-requests": _none,
    "disclosure:request": _uid("request"),
    "disclosure:request-assign": _uid("request"),
    "disclosure:request-answer": _uid("request"),
    "disclosure:request-refuse": _uid("request"),
    "evaluation:audit-add": _uid("evaluated"),
    "evaluation:audit-document": _pk("audit_document"),
    "evaluation:survey-open": _uid("evaluated"),
    "evaluation:survey": _uid("survey"),
    "evaluation:survey-respond": _uid("survey"),
    "evaluation:survey-door": _uid("survey"),
    "evaluation:survey-end": _uid("survey"),
    "evaluation:campaigns": _none,
    "evaluation:campaign": _uid("campaign"),
    "evaluation:campaign-edit": _uid("campaign"),
    "evaluation:campaign-question-add": _uid("campaign"),
    "evaluation:campaign-question-edit": _pk("question", uid=_uid("campaign")),
    "evaluation:campaign-question-remove": _pk("question", uid=_uid("campaign")),
    "evaluation:campaign-question-move": _pk("question", uid=_uid("campaign")),
    "evaluation:campaign-publish": _uid("campaign"),
    "evaluation:campaign-door": _uid("campaign"),
    "evaluation:campaign-feedback": _uid("campaign"),
    "evaluation:campaign-answer": _uid("campaign"),
    "evaluation:campaign-xlsx": _uid("campaign"),
    "evaluation:feedback": _none,
    "evaluation:feedback-item": _uid("feedback"),
    "evaluation:feedback-assign": _uid("feedback"),
    "evaluation:feedback-answer": _uid("feedback"),
    "evaluation:feedback-appeal": _uid("feedback"),
    "organisations:activities": _none,
    "organisations:activity-new": _none,
    "organisations:my-activities": _none,
    "organisations:activity": _uid("activity"),
    "organisations:register": _uid("activity"),
    "organisations:cancel": _uid("activity"),
    "organisations:attendance": _uid("activity"),
    "organisations:activity-photo": _pk("activity_photo"),
    "organisations:partners": _none,
    "organisations:partner": _uid("shared", "partner"),
    "organisations:partner-act": _uid("shared", "partner"),
    "organisations:partner-unlink": _uid("shared", "partner"),
    "organisations:branches": _none,
    "organisations:branch": _uid("branch"),
    "organisations:team": COMPOUND,
    "notify:notification-list": _none,
    "notify:notification-read-all": _none,
    "notify:preferences": _none,
    "notify:robot-list": _none,
    "notify:robot-edit": _uid("robot"),
    "notify:robot-test": _uid("robot"),
    "notify:outbox": _none,
    "notify:notification-resend": _uid("notification"),
    "notify:notification-open": _uid("notification"),
    "stats:dashboard": _none,
    "stats:dashboard-place": COMPOUND,
    "stats:list": _with(COMPOUND, figure="appeals"),
    "stats:report": _with(COMPOUND, year=2026),
    "stats:report-xlsx": _with(COMPOUND, year=2026),
    "public:notice": _uid("published"),
    "public:print": _uid("published"),
    "public:text": _uid("published"),
    "public:objection": _uid("published"),
    "public:place": COMPOUND,
    "public:feed": COMPOUND,
    "people:login": _none,
    "people:logout": _none,
    "people:signup": _none,
    "people:claim": _none,
    "people:claim-code": _none,
    "people:residency-decide": _uid("claim"),
    "people:claim-codes": COMPOUND,
    "people:people-list": COMPOUND,
    "people:phone-reveal": _uid("resident"),
    "people:login-code": _none,
    "people:password-reset": _none,
    "people:password-reset-code": _none,
    "people:security": _none,
    "people:two-step": _none,
    "people:my-data": _none,
    "people:person-export": _uid("resident"),
    "people:person-erase": _uid("resident"),
}

# The API's path parameters, by path (the OpenAPI template), and a minimal body that would
# change something were the caller let through.
API_FILL: dict[str, Fill] = {
    "/api/v1/places/{uid}": COMPOUND,
    "/api/v1/places/{uid}/homes": COMPOUND,
    "/api/v1/people/{uid}": _uid("resident"),
    "/api/v1/people/{uid}/phone": _uid("resident"),
    "/api/v1/appeals/{uid}": _uid("appeal"),
    "/api/v1/topics/{uid}": _uid("proposed"),
    "/api/v1/topics/{uid}/advance": _uid("proposed"),
    "/api/v1/meetings/{uid}": _uid("meeting"),
    "/api/v1/works/topics/{uid}/tasks": _uid("evaluated"),
    "/api/v1/works/topics/{uid}/tenders": _uid("tender_topic"),
    "/api/v1/works/topics/{uid}/funding": _uid("evaluated"),
    "/api/v1/works/tasks/{uid}/reports": _uid("task"),
    "/api/v1/activities/{uid}": _uid("activity"),
    "/api/v1/activities/{uid}/registration": _uid("activity"),
    "/api/v1/disclosure/notices/{uid}": _uid("draft"),
    "/api/v1/disclosure/notices/{uid}/publish": _uid("draft"),
    "/api/v1/evaluation/topics/{uid}/surveys": _uid("evaluated"),
    "/api/v1/evaluation/surveys/{uid}": _uid("survey"),
    "/api/v1/evaluation/surveys/{uid}/responses": _uid("survey"),
    "/api/v1/evaluation/topics/{uid}/feedback": _uid("evaluated"),
    "/api/v1/organisations/branches/{uid}": _uid("branch"),
    "/api/v1/organisations/compounds/{uid}/team": COMPOUND,
    "/api/v1/organisations/partners/{uid}": _uid("shared", "partner"),
    "/api/v1/notifications/{uid}/read": _uid("notification"),
    "/api/v1/stats/{place_uid}": lambda side, world: {"place_uid": side.places["compound_a"].uid},
}


def api_body(path: str, side: Side) -> dict[str, Any]:
    """A body that passes validation, so that the permission check is what answers."""
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/appeals": {
            "text": "楼道灯坏了",
            "category": "property",
            "place": side.places["compound_a"].uid,
            "channel": "phone",
            "reporter_name": "来电居民",
        },
        "/api/v1/topics/{uid}/advance": {"to": "local"},
        "/api/v1/works/tasks/{uid}/reports": {"text": "已完成", "status": "done"},
        "/api/v1/disclosure/notices": {
            "place": side.places["compound_a"].uid,
            "title": "通知",
            "body": "正文",
        },
        "/api/v1/disclosure/notices/{uid}/publish": {
            "channels": [c.uid for c in side.published.channels.all()]
        },
        "/api/v1/evaluation/surveys/{uid}/responses": {
            "home": side.places["home_a"].uid,
            "level": "very",
        },
        "/api/v1/notifications/read": {},
    }
    return bodies.get(path, {})


def url_patterns() -> Iterator[tuple[str, str]]:
    """(route, namespaced name) of every page, from the resolver."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
                yield route, f"{namespace}{pattern.name}"

    yield from walk(get_resolver().url_patterns, "", "")


def api_operations() -> Iterator[tuple[str, str]]:
    """(method, path template) of every API operation, from the OpenAPI document."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            yield method.upper(), path


QUERY: dict[str, Callable[[Side], str]] = {
    "topics:meeting-new": lambda side: f"?topic={side.proposed.uid}",
    "votes:vote-new": lambda side: f"?topic={side.proposed.uid}",
}


def page_url(name: str, side: Side, world: World) -> str:
    query = QUERY.get(name)
    return reverse(name, kwargs=FILL[name](side, world)) + (query(side) if query else "")


def has_parameters(name: str) -> bool:
    return FILL[name] is not _none or name in QUERY


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    changed: bool
    to_login: bool

    @property
    def verdict(self) -> str:
        """'in' (let through), 'out' (refused), '405' (method not served), '500'."""
        if self.status >= 500:
            return "500"
        if self.status == 405:
            return "405"
        if self.to_login or self.status in (401, 403, 404):
            return "out"
        return "in"


UNTRACKED = {"django_session", "api_apitoken"}


def db_digest() -> str:
    """A hash of every row of every table but sessions and token use stamps, and without
    people's last_login (which logging in itself sets)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if table in UNTRACKED or model._meta.proxy:
                continue
            columns = [
                connection.ops.quote_name(f.column)
                for f in model._meta.concrete_fields
                if f.column != "last_login"
            ]
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(table)} "  # noqa: S608
                f"ORDER BY {pk}"
            )
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW ", "PRAGMA ")


class Writes:
    """Whether a request sent any statement but a read, which may have changed a row. Not
    the driver's rowcount: SQLite counts an INSERT … RETURNING's rows only once they are
    read."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.seen = self.seen or not sql.lstrip().upper().startswith(READS)
        return execute(sql, params, many, context)


class Walker:
    """One logged-in client per persona; each request rolled back once answered."""

    def __init__(self, world: World) -> None:
        # Every request is rolled back, so the world before each POST is the world before
        # the first: its digest is taken once (a test that changes the world between
        # requests makes a Walker of its own).
        self.world_digest = ""
        self.clients: dict[str, Client] = {}
        self.cookies: dict[str, str] = {}
        for letter, name in PERSONAS.items():
            client = Client(raise_request_exception=False)
            if name != "anonymous":
                client.force_login(world.people[name])
            self.clients[letter] = client
            self.cookies[letter] = client.cookies.output(header="", sep=";")

    def ask(self, letter: str, method: str, url: str, *, body: Any = None) -> Answer:
        """A GET follows redirects (a page may send a reader to the public version); any
        other method is answered as is, and tells whether it changed the database."""
        client = self.clients[letter]
        login = reverse("people:login")
        with transaction.atomic():
            changed = False
            if method == "GET":
                response = client.get(url, follow=True)
                hops = [hop for hop, _status in getattr(response, "redirect_chain", [])]
            else:
                self.world_digest = self.world_digest or db_digest()
                data, content_type = (
                    (json.dumps(body), "application/json")
                    if body is not None
                    else ("", "application/x-www-form-urlencoded")
                )
                writes = Writes()
                with connection.execute_wrapper(writes):
                    response = client.generic(method, url, data=data, content_type=content_type)
                hops = [response.get("Location", "")]
                # Most POSTs are refused and write nothing: only a write is worth a digest.
                changed = writes.seen and db_digest() != self.world_digest
            transaction.set_rollback(True)
        # Logging out, or a message kept in a cookie, must not carry over to the next URL.
        client.cookies = SimpleCookie()
        client.cookies.load(self.cookies[letter])
        answer = Answer(
            status=response.status_code,
            body=_text(response),
            changed=changed,
            to_login=any(hop.startswith(login) for hop in hops),
        )
        # Closing a response sends request_finished, whose close_old_connections would close
        # the walk's connection inside its transaction on PostgreSQL; the test client keeps
        # that signal off while it handles a request, and so does the walk while it closes.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return answer


def _text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if "html" in content_type or "json" in content_type or "text" in content_type:
        return str(response.content.decode("utf-8", "replace"))
    return ""


# (URL name or "METHOD /path", "A" or "B" or "" for a page without a record, method, persona)
Key = tuple[str, str, str, str]
Answers = dict[Key, Answer]


def walk_all(walker: Walker, world: World) -> Answers:
    answers: Answers = {}
    sides = (("A", world.a), ("B", world.b))
    for _route, name in url_patterns():
        for label, side in sides if has_parameters(name) else (("", world.a),):
            url = page_url(name, side, world)
            for method in ("GET", "POST"):
                for letter in PERSONAS:
                    answers[name, label, method, letter] = walker.ask(letter, method, url)
    for method, path in api_operations():
        fill = API_FILL.get(path)
        for label, side in sides if fill else (("", world.a),):
            url = path.format(**fill(side, world)) if fill else path
            body = None if method == "GET" else api_body(path, side)
            for letter in PERSONAS:
                answers[f"{method} {path}", label, method, letter] = walker.ask(
                    letter, method, url, body=body
                )
    return answers


PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def observed(answers: Answers) -> dict[str, tuple[str, ...]]:
    """Per URL: who reads it (GET let through) and who changes something by sending it,
    for A's record then B's; a column reads as the personas' letters."""
    table: dict[str, dict[tuple[str, str], str]] = {}
    for (name, label, method, letter), answer in answers.items():
        cell = table.setdefault(name, {}).setdefault((label, method), "")
        hit = answer.verdict == "in" if method == "GET" else answer.changed
        mark = f"!{letter}" if answer.verdict == "500" else letter
        table[name][label, method] = cell + (mark if hit or answer.verdict == "500" else "")
    rows: dict[str, tuple[str, ...]] = {}
    for name, cells in table.items():
        labels = sorted({label for label, _method in cells})
        methods = sorted({m for _label, m in cells}, key=lambda m: m != "GET")
        rows[name] = tuple(cells[label, m] for label in labels for m in methods)
    return rows
