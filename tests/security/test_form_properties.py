"""Issue 14, item 5: the main forms on arbitrary input, posted through their real pages.

Whatever a browser (or a script) sends — any text with control characters, very long or
non-Chinese text, numbers as strings, missing fields, extra fields, several values where
one is expected — a form answers with its documented success (a redirect) or with the page
again and an error (the typed text kept in it), never a server error; and a refused post
writes nothing. Each example runs in a savepoint that is rolled back, so every example
starts from the same data."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qinlin.appeals.models import Appeal, Category
from qinlin.core.models import AuditEvent
from qinlin.disclosure.models import DisclosureRequest, Notice, Objection
from qinlin.organisations.models import Activity, Registration
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.votes.models import Ballot, Vote
from tests.disclosure.helpers import published
from tests.organisations.helpers import clinic
from tests.votes.helpers import door_vote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Surrogates cannot be sent as UTF-8, so no client could post them.
typed = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
controls = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=8)
odd_text = st.one_of(
    typed,
    controls,
    st.tuples(typed, controls, typed).map("".join),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.integers(min_value=1, max_value=6000).map(lambda n: "长" * n),
    st.sampled_from(["", " ", "null", "[]", "{}", "<script>alert(1)</script>", "0x1F", "１２３"]),
)


def values(*good: str) -> st.SearchStrategy[str | list[str]]:
    """A field's value: one that fits, odd text, or several values at once."""
    one = st.one_of(st.sampled_from(good), odd_text) if good else odd_text
    return st.one_of(one, st.lists(one, min_size=1, max_size=3))


def bodies(
    fields: dict[str, st.SearchStrategy[Any]], valid: dict[str, str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the form's fields, or a valid post with some of them changed, and
    perhaps fields the form does not know. Starting from a valid post makes successes
    common enough to be checked too."""
    extra = st.dictionaries(st.sampled_from(["id", "pk", "status", "actor", "uid", "x"]), values())
    start = st.sampled_from([{}, valid or {}])
    return st.tuples(start, st.fixed_dictionaries({}, optional=fields), extra).map(
        lambda parts: {**parts[2], **parts[0], **parts[1]}
    )


def last(value: str | list[str]) -> str:
    """What the form reads of a field posted several times: the last value."""
    return value[-1] if isinstance(value, list) else value


def counts(*models: type[Model]) -> tuple[int, ...]:
    every: tuple[type[Model], ...] = (*models, AuditEvent)
    return tuple(m._default_manager.count() for m in every)


@pytest.fixture
def rolled_back() -> Callable[[], Any]:
    """A savepoint per hypothesis example, undone at its end."""

    class Savepoint:
        def __enter__(self) -> None:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def __exit__(self, *exc: object) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(*exc)  # type: ignore[arg-type]

    return Savepoint


def assert_answered(
    response: Any, before: tuple[int, ...], after: tuple[int, ...], *, kept: str = ""
) -> bool:
    """A redirect (success) or the page again with an error and nothing written.
    Returns whether it succeeded."""
    assert response.status_code < 500
    if response.status_code == 302:
        return True
    assert response.status_code in (200, 400), response.status_code
    assert after == before
    page = response.content.decode()
    assert 'class="errorlist' in page
    if kept.strip():
        assert escape(kept) in page
    return False


@pytest.fixture
def as_alice(client: Client, alice: Person) -> Client:
    client.force_login(alice)
    return client


@FUZZ
@given(body=st.data())
def test_filing_an_appeal_answers_any_post_with_the_appeal_or_the_form_again(
    as_alice: Client, places: dict[str, Place], rolled_back: Any, body: st.DataObject
) -> None:
    categories = [
        str(pk) for pk in Category.objects.filter(is_active=True).values_list("pk", flat=True)
    ]
    fields = {
        "category": values(*categories),
        "text": values("3号楼单元门关不上，晚上谁都能进。"),
        "place": values(places["home_a"].uid, places["unit_a"].uid, places["home_b"].uid),
        "photos": values(),
    }
    valid = {"category": categories[0], "text": "单元门关不上", "place": places["home_a"].uid}
    posted = body.draw(bodies(fields, valid))
    with rolled_back():
        before = counts(Appeal)
        response = as_alice.post("/appeals/new/", posted)
        filed = assert_answered(response, before, counts(Appeal), kept=last(posted.get("text", "")))
        event("filed" if filed else "refused")
        if filed:
            assert response["Location"].startswith("/appeals/")
            assert counts(AuditEvent) > before[-1:]


@pytest.fixture
def as_carol(client: Client, carol: Person) -> Client:
    client.force_login(carol)
    return client


@pytest.fixture
def open_vote(frank: Person, places: dict[str, Place]) -> Vote:
    return door_vote(frank, places)


@FUZZ
@given(body=st.data())
def test_recording_a_door_to_door_ballot_answers_any_post_with_the_ballot_or_the_row_again(
    as_carol: Client,
    open_vote: Vote,
    places: dict[str, Place],
    rolled_back: Any,
    body: st.DataObject,
) -> None:
    vote = open_vote
    homes = [places["home_a"].uid, places["home_a2"].uid, places["home_b"].uid]
    choices = ("agree", "disagree", "abstain")
    fields = {
        # Mostly a real home: a post naming none is only a 404, with little to learn.
        "home": st.one_of(st.sampled_from(homes), st.sampled_from(homes), values(*homes)),
        "option_A": values(*choices),
        "option_B": values(*choices),
        "paper_no": values("0007"),
        "proxy_name": values("李小明"),
        "document": values(),
    }
    valid = {"home": homes[0], "option_A": "agree", "option_B": "disagree"}
    posted = body.draw(bodies(fields, valid))
    with rolled_back():
        before = counts(Ballot)
        response = as_carol.post(f"/votes/{vote.uid}/door/", posted)
        if last(posted.get("home", "")) not in homes:
            # The row names no home: there is no row to show again.
            assert response.status_code == 404
            event("no such home")
            assert counts(Ballot) == before
            return
        # Only a home of the unit shown has a row to keep the typed number in.
        shown = last(posted["home"]) in homes[:2]
        recorded = assert_answered(
            response, before, counts(Ballot), kept=last(posted.get("paper_no", "")) if shown else ""
        )
        event("recorded" if recorded else "refused")
        if recorded:
            assert f"/votes/{vote.uid}/door/" in response["Location"]
            assert counts(Ballot)[0] == before[0] + 1


@pytest.fixture
def activity(frank: Person, places: dict[str, Place]) -> Activity:
    return clinic(frank, places["compound_a"], capacity=1)


@FUZZ
@given(body=bodies({"activity": values(), "person": values(), "status": values()}))
def test_registering_for_an_activity_ignores_whatever_else_is_posted(
    as_alice: Client, alice: Person, activity: Activity, rolled_back: Any, body: dict[str, Any]
) -> None:
    """The form is one button: whatever else comes with it registers the caller, once."""
    with rolled_back():
        response = as_alice.post(f"/organisations/activities/{activity.uid}/register/", body)
        assert response.status_code == 302
        registration = Registration.objects.get(activity=activity)
        assert (registration.person, registration.status) == (alice, "registered")


@FUZZ
@given(body=st.data())
def test_asking_for_a_disclosure_answers_any_post_with_the_request_or_the_form_again(
    as_alice: Client, places: dict[str, Place], rolled_back: Any, body: st.DataObject
) -> None:
    askable = [places[name].uid for name in ("compound_a", "building_a", "unit_a")]
    fields = {
        "place": st.one_of(st.sampled_from(askable), values(*askable, places["compound_b"].uid)),
        "text": values("请公开去年停车费的收支明细"),
    }
    valid = {"place": askable[0], "text": "请公开去年停车费的收支明细"}
    posted = body.draw(bodies(fields, valid))
    with rolled_back():
        before = counts(DisclosureRequest)
        response = as_alice.post(reverse("disclosure:my-requests"), posted)
        if response.status_code == 403:
            # A place the select does not offer: the service refuses it (forms_requests.py).
            assert last(posted["place"]) not in askable
            assert counts(DisclosureRequest) == before
            event("not her place")
            return
        filed = assert_answered(
            response, before, counts(DisclosureRequest), kept=last(posted.get("text", ""))
        )
        event("filed" if filed else "refused")
        if filed:
            assert counts(DisclosureRequest)[0] == before[0] + 1


@pytest.fixture
def notice_in_period(erin: Person, places: dict[str, Place]) -> Notice:
    return published(erin, places)


@FUZZ
@given(body=bodies({"text": values("停水时间太长，老人用水怎么办")}, {"text": "停水时间太长"}))
def test_objecting_to_a_notice_answers_any_post_with_the_objection_or_the_form_again(
    as_alice: Client, notice_in_period: Notice, rolled_back: Any, body: dict[str, Any]
) -> None:
    notice = notice_in_period
    with rolled_back():
        before = counts(Objection)
        response = as_alice.post(f"/n/{notice.uid}/objections/", body)
        filed = assert_answered(
            response, before, counts(Objection), kept=last(body.get("text", ""))
        )
        event("filed" if filed else "refused")
        if filed:
            assert response["Location"] == f"/n/{notice.uid}/#objections"
            [objection] = notice.objections.all()
            assert objection.text == last(body["text"]).strip()
            assert counts(AuditEvent) > before[-1:]
