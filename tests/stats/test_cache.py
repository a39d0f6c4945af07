"""The dashboard's figures are computed once and kept until something they count changes
(stats/cache.py): an audit event under the subdistrict, an event without a place, or the
start of an activity they will count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Category, Channel
from qinlin.appeals.services import appeal_submit
from qinlin.core.audit import audit_record
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.cache import MAX_AGE, connect, disconnect, seconds_to_live, stats_forget
from qinlin.stats.selectors import Period
from tests.factories import tree
from tests.stats.helpers import YEAR, at, build

pytestmark = pytest.mark.django_db

YEAR_QUERY = f"from={YEAR}-01-01&to={YEAR}-12-31"


def _open(client: Client, place: Place) -> tuple[Any, int]:
    """The dashboard of `place` for YEAR, and how many queries it took."""
    url = reverse("stats:dashboard-place", args=[place.uid]) + "?" + YEAR_QUERY
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.fixture
def client(client: Client, places: dict[str, Place], frank: Person) -> Client:
    """The year of tests/stats/helpers.py built, and frank (community staff) logged in."""
    build(places, frank)
    client.force_login(frank)
    return client


def test_a_second_look_reads_the_kept_figures(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    first, computed = _open(client, places["community"])
    again, kept = _open(client, places["community"])
    # The session, the person and their roles, the place, its form: not the ~30 aggregates.
    assert kept <= computed - 20, (computed, kept)
    assert again.context["stats"] == first.context["stats"]
    assert again.context["charts"] == first.context["charts"]


def test_a_change_under_the_subdistrict_is_seen_by_the_next_look(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    before, _computed = _open(client, places["community"])
    appeal_submit(
        actor=frank,
        text="3号楼楼道灯坏了一个月",
        category=Category.objects.get(code="property"),
        place=places["home_a"],
        channel=Channel.PHONE,
        reporter_name="王女士",
        created_at=at(YEAR, 6, 1),
    )
    after, _queries = _open(client, places["community"])
    received = before.context["stats"].appeals.received.count
    assert after.context["stats"].appeals.received.count == received + 1
    # The compound's own dashboard, under the same subdistrict, sees it too.
    compound, _queries = _open(client, places["compound_a"])
    assert compound.context["stats"].appeals.received.count >= 1


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """As behind one Redis: the generations live in the cache (the tests' cache is local)."""
    monkeypatch.setattr("qinlin.stats.cache.shared_cache", lambda: True)


@pytest.mark.usefixtures("shared")
def test_a_change_in_another_subdistrict_keeps_the_figures(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    elsewhere = tree("东城")
    _first, computed = _open(client, places["community"])
    audit_record(actor=None, verb="test.changed", obj=elsewhere["home_a"])
    _again, kept = _open(client, places["community"])
    assert kept <= computed - 20, (computed, kept)
    # An event with no place may concern any subdistrict: everything is computed again.
    audit_record(actor=None, verb="test.changed")
    _after, recomputed = _open(client, places["community"])
    assert recomputed == computed


def test_each_language_keeps_its_own_figures(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    chinese, _queries = _open(client, places["community"])
    client.cookies["django_language"] = "en"
    english, computed = _open(client, places["community"])
    assert english.context["stats"].appeals.received.label != (
        chinese.context["stats"].appeals.received.label
    )
    assert computed > 20


def test_figures_live_until_the_next_activity_they_will_count_starts(
    places: dict[str, Place], frank: Person
) -> None:
    from qinlin.organisations.models import Activity, ActivityKind

    now = timezone.now()
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=3), end=today + timedelta(days=2))
    assert seconds_to_live(places["community"], period, now) == MAX_AGE

    def activity(starts: timedelta, *, cancelled: bool = False) -> Activity:
        return Activity.objects.create(
            title="义诊",
            kind=ActivityKind.CLINIC,
            organiser="社区",
            place=places["compound_a"],
            location="广场",
            starts_at=now + starts,
            ends_at=now + starts + timedelta(hours=2),
            capacity=30,
            created_by=frank,
            cancelled_at=now if cancelled else None,
        )

    activity(timedelta(seconds=90), cancelled=True)
    assert seconds_to_live(places["community"], period, now) == MAX_AGE
    activity(timedelta(seconds=90))
    assert seconds_to_live(places["community"], period, now) == 91
    # Another subdistrict's activity is not counted here.
    elsewhere = tree("东城")
    Activity.objects.filter(place=places["compound_a"]).update(place=elsewhere["compound_a"])
    assert seconds_to_live(places["community"], period, now) == MAX_AGE


@pytest.mark.parametrize("in_redis", [True, False])
def test_a_change_made_by_another_process_is_seen(
    client: Client,
    places: dict[str, Place],
    frank: Person,
    in_redis: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process's write: its audit event commits, but this process's receiver never
    hears of it. Behind one Redis that process moved the shared generation on; with a cache
    of each process's own, the audit chain's head tells."""
    monkeypatch.setattr("qinlin.stats.cache.shared_cache", lambda: in_redis)
    _first, computed = _open(client, places["community"])
    disconnect()
    try:
        audit_record(actor=None, verb="test.changed", obj=places["home_a"])
    finally:
        connect()
    if in_redis:
        stats_forget(places["home_a"].path)  # what the other process's receiver did
    _after, recomputed = _open(client, places["community"])
    assert recomputed == computed
