"""Issue 14, item 1: every page and API operation asked by every persona, about compound A's
records and compound B's, against tests/security/access_table.py; no IDOR by guessing ids,
secret ballots unreadable, phones in full only for the roles that need them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from qinlin.core.permissions import roles_for
from qinlin.people.models import Person
from qinlin.votes.models import Ballot
from tests.security.access_table import EXPECTED
from tests.security.walk import (
    API_FILL,
    FILL,
    PHONE,
    Answers,
    Walker,
    api_operations,
    has_parameters,
    observed,
    url_patterns,
)
from tests.security.world import A_ONLY, PERSONAS, Side, World

pytestmark = pytest.mark.django_db

PUBLIC = "-"


def test_the_walk_fills_every_url_and_operation() -> None:
    """A new page or operation fails here until FILL/API_FILL and the table name it."""
    names = [name for _route, name in url_patterns()]
    assert sorted(set(names) - set(FILL)) == []
    assert sorted(set(FILL) - set(names)) == []
    templated = {path for _method, path in api_operations() if "{" in path}
    assert sorted(templated - set(API_FILL)) == []
    walked = set(names) | {f"{m} {p}" for m, p in api_operations()}
    assert sorted(walked ^ set(EXPECTED)) == []


def test_every_persona_gets_the_answer_of_the_table(answers: Answers) -> None:
    seen = observed(answers)
    wrong = [
        f"{name}: expected {EXPECTED[name]}, got {cols}"
        for name, cols in seen.items()
        if cols != EXPECTED.get(name)
    ]
    assert not wrong, "\n".join(wrong)


def test_nobody_gets_a_server_error(answers: Answers) -> None:
    errors = [key for key, answer in answers.items() if answer.status >= 500]
    assert not errors, errors


def test_anonymous_callers_are_sent_to_log_in(answers: Answers) -> None:
    """Refused anonymous callers: a page sends them to the login page, the API says 401;
    404 only where the record is not public at all (a draft on the public notice page)."""
    wrong = [
        (key, answer.status)
        for key, answer in answers.items()
        if key[3] == PUBLIC
        and answer.verdict == "out"
        and not (answer.to_login if not key[0][:4].isupper() else answer.status == 401)
        and answer.status != 404
    ]
    assert not wrong, wrong


def test_nobody_below_the_community_reaches_the_other_compound() -> None:
    """In the table: no persona of compound A reads or changes B's non-public records, and
    bob none of A's."""
    with_record = {n for n in FILL if has_parameters(n)}
    with_record |= {f"{m} {p}" for m, p in api_operations() if p in API_FILL}
    leaks = []
    for name, cols in EXPECTED.items():
        shared = name.startswith("organisations:partner") or "partners/{uid}" in name
        if name not in with_record or PUBLIC in cols[0] or shared:
            continue
        a_cols, b_cols = cols[: len(cols) // 2], cols[len(cols) // 2 :]
        leaks += [(name, "B", c) for col in b_cols for c in col if c in A_ONLY]
        leaks += [(name, "A", c) for col in a_cols for c in col if c == "b"]
    assert not leaks, leaks


def _private_uids(side: Side) -> set[str]:
    """The uids of a compound's records that nobody outside it but the community reads."""
    records = [
        side.appeal,
        side.proposed,
        side.meeting,
        side.secret_vote,
        side.closed_vote,
        side.evaluated,
        side.tender_topic,
        side.draft,
        side.resident,
        *(side[k] for k in ("task", "survey", "feedback", "tender", "request", "campaign")),
        *(side[k] for k in ("activity", "robot", "claim", "notification")),
    ]
    return {r.uid for r in records}


def test_no_page_or_list_shows_the_other_compounds_records(answers: Answers, world: World) -> None:
    """Lists (the inbox, the board, the API's lists) filter by reach: a body answered to a
    persona of A never names one of B's private records, nor one answered to bob A's."""
    private = {"B": _private_uids(world.b), "A": _private_uids(world.a)}
    leaks = []
    for (name, _label, _method, letter), answer in answers.items():
        other = "B" if letter in A_ONLY else "A" if letter == "b" else None
        if other is None or not answer.body:
            continue
        leaks += [(name, letter, uid) for uid in private[other] if uid in answer.body]
    assert not leaks, leaks


def test_full_phone_numbers_only_for_the_roles_that_need_them(
    answers: Answers, world: World
) -> None:
    """An 11-digit number of another person appears in full only in answers to those who may
    see phones (people.view_phone) and only of people within their reach; everyone else sees
    138****1234. The partner unit's contact phone is the unit's, published on purpose."""
    viewers = {
        letter for letter, name in PERSONAS.items() if name in {"dave", "pat", "frank", "grace"}
    }
    assert {str(r) for r in roles_for("people.view_phone")} >= {"grid_worker", "property_staff"}
    owners = {p.phone: p for p in Person.objects.exclude(phone="")}
    b_people = set(
        Person.objects.filter(residencies__home__path__startswith=world.places["compound_b"].path)
    )
    wrong = []
    for (name, label, _method, letter), answer in answers.items():
        me = world.people.get(PERSONAS[letter])
        for phone in set(PHONE.findall(answer.body)):
            person = owners.get(phone)
            if person is None or person == me:
                continue
            if letter not in viewers or (letter in A_ONLY and person in b_people):
                wrong.append((name, label, letter, person.name))
    assert not wrong, wrong


# Every URL with an integer in it, and the records (of A) it is let through for.
INT_URLS = {
    "works:photo": "task_photo",
    "works:payment": "share",
    "works:acceptance-photo": "acceptance_photo",
    "works:bid-document": "bid_document",
    "evaluation:audit-document": "audit_document",
    "organisations:activity-photo": "activity_photo",
    "evaluation:campaign-question-edit": "question",
}


def test_every_integer_in_a_url_is_listed_here() -> None:
    with_ints = {name for route, name in url_patterns() if "<int:" in route}
    numbered = {"appeals:photo", "stats:report", "stats:report-xlsx"}
    numbered |= {"disclosure:objection-answer"}
    numbered |= {"evaluation:campaign-question-remove", "evaluation:campaign-question-move"}
    assert with_ints == set(INT_URLS) | numbered


@pytest.mark.parametrize("name", sorted(INT_URLS))
def test_guessing_neighbouring_ids_reaches_nothing_of_the_other_compound(
    name: str, world: World, module_walker: Walker
) -> None:
    """The photos, shares and documents are numbered, so each checks the record it belongs
    to: dave (A's grid worker) guessing the numbers around B's gets nothing."""
    key = INT_URLS[name]
    kwargs = FILL[name](world.b, world)
    method = "POST" if name == "works:payment" else "GET"
    # A's records were all made before B's: the numbers from B's record on are B's or free.
    for pk in [*range(1, world.a[key]), *range(world.b[key], world.b[key] + 4)]:
        url = reverse(name, kwargs={**kwargs, "pk": pk})
        answer = module_walker.ask("d", method, url)
        assert answer.verdict in ("out", "405"), (url, answer.status)
        assert not answer.changed


def test_objections_are_answered_only_where_the_notice_is(
    world: World, module_walker: Walker
) -> None:
    url = reverse("disclosure:objection-answer", kwargs={"pk": world.b.objection_pk})
    for letter in "acdpe":
        answer = module_walker.ask(letter, "POST", url)
        assert answer.verdict == "out"
        assert not answer.changed


def test_a_secret_vote_shows_nobody_which_home_chose_what(
    answers: Answers, world: World, module_walker: Walker
) -> None:
    """The vote page, the tally file, the receipt check and the admin, as every persona."""
    for side in (world.a, world.b):
        homes = list(side.secret_vote.ballots.values_list("home__uid", "home__name"))
        homes += list(side.closed_vote.ballots.values_list("home__uid", "home__name"))
        home_uids = {uid for uid, _name in homes}
        # The door page lists which homes have voted, for collecting; not what they chose.
        for key in ("votes:vote-detail", "votes:vote-file"):
            label = "A" if side is world.a else "B"
            for letter, name in PERSONAS.items():
                person = world.people.get(name)
                own = (
                    set(person.residencies.values_list("home__uid", flat=True)) if person else set()
                )
                body = answers[key, label, "GET", letter].body
                assert not {u for u in home_uids - own if u in body}, (key, letter)
        tally = json.loads(answers["votes:vote-file", "A", "GET", "g"].body)
        assert tally["ballots"], tally
        for ballot in tally["ballots"]:
            assert ballot["home"] not in {name for _uid, name in homes}
            assert ":" not in ballot["home"]  # no place path
        receipt = side.closed_vote.ballots.first()
        assert receipt is not None
        page = module_walker.ask("a", "GET", reverse("votes:receipt") + f"?code={receipt.receipt}")
        assert page.status == 200
        assert receipt.receipt in page.body
        assert receipt.home.uid not in page.body
        assert receipt.home.name not in page.body


def test_ballots_are_not_in_the_admin(world: World) -> None:
    assert Ballot not in admin.site._registry
    client = Client()
    grace = world.people["grace"]
    client.force_login(grace)
    assert client.get("/admin/votes/ballot/").status_code in (302, 404)


@pytest.mark.skipif(not os.environ.get("QINLIN_OBSERVE"), reason="writes the observed table")
def test_observe(answers: Answers) -> None:
    """QINLIN_OBSERVE=path pytest … -k observe writes what the walk saw, to compare with the
    table when a page is added."""
    lines = [f'    "{name}": {cols!r},' for name, cols in observed(answers).items()]
    Path(os.environ["QINLIN_OBSERVE"]).write_text("\n".join(lines) + "\n")
    assert lines
