"""Abuse limits (core/ratelimit.py): how many appeals one person, and one address, may file in
an hour; what the refused resident reads; which address counts behind a proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import Client as BrowserClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from qinlin.api.services import api_token_issue
from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.services import appeal_submit
from qinlin.core import ratelimit
from qinlin.core.models import AuditEvent
from qinlin.core.ratelimit import HOUR, LIMITS, Client, RateLimitedError, client_ip
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.settings import _rate_limits
from tests.factories import resident_of

pytestmark = pytest.mark.django_db

HOME = Client(address="203.0.113.7")
START = 1_800_000_000.0  # on a window's edge: int(START) % HOUR == 0


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The limiter's clock, stopped at START; tests move it by changing now[0]."""
    now = [START]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def _file(person: Person, place: Place, client: Client | None = HOME, **extra: Any) -> Appeal:
    appeal, _created = appeal_submit(
        actor=person,
        reporter=person,
        text="楼道灯不亮",
        category=Category.objects.get(code="facilities"),
        place=place,
        client=client,
        **extra,
    )
    return appeal


def _spend_all(person: Person, place: Place, client: Client = HOME) -> None:
    for _ in range(LIMITS["appeals.submit"].per_person):
        _file(person, place, client)


def test_the_eleventh_appeal_within_the_hour_is_refused_and_nothing_is_written(
    alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    _spend_all(alice, places["home_a"])
    appeals, events = Appeal.objects.count(), AuditEvent.objects.count()
    frozen[0] += 20 * 60
    with pytest.raises(RateLimitedError) as refused:
        _file(alice, places["home_a"])
    assert str(refused.value) == "提交太频繁，请在 40 分钟后再试。"
    assert (refused.value.code, refused.value.status, refused.value.retry_after) == (
        "rate_limited",
        429,
        40 * 60,
    )
    assert (Appeal.objects.count(), AuditEvent.objects.count()) == (appeals, events)


def test_a_neighbour_at_another_address_is_not_held_back(
    alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    _spend_all(alice, places["home_a"])
    neighbour = resident_of(places["home_a2"], name="赵邻居")
    _file(neighbour, places["home_a2"], Client(address="198.51.100.20"))
    assert Appeal.objects.filter(reporter=neighbour).count() == 1


def test_the_limit_lifts_when_the_hour_is_over(
    alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    _spend_all(alice, places["home_a"])
    frozen[0] += HOUR - 1
    with pytest.raises(RateLimitedError) as refused:
        _file(alice, places["home_a"])
    assert refused.value.retry_after == 1
    assert str(refused.value) == "提交太频繁，请在 1 分钟后再试。"
    frozen[0] += 1
    _file(alice, places["home_a"])


def test_one_address_is_limited_across_the_accounts_behind_it(
    places: dict[str, Place], frozen: list[float], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeals.submit": (2, 3, HOUR)}
    people = [resident_of(places["home_a2"], name=f"同户{i}") for i in range(3)]
    _file(people[0], places["home_a2"])
    _file(people[0], places["home_a2"])
    _file(people[1], places["home_a2"])
    with pytest.raises(RateLimitedError):
        _file(people[2], places["home_a2"])
    # The same person from elsewhere is counted by their own limit only.
    _file(people[2], places["home_a2"], Client(address="198.51.100.20"))
    assert Appeal.objects.count() == 4


def test_a_household_on_ipv6_counts_as_one_address(
    places: dict[str, Place], frozen: list[float], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeals.submit": (5, 1, HOUR)}
    first, second = (resident_of(places["home_a2"], name=f"住户{i}") for i in range(2))
    _file(first, places["home_a2"], Client(address="2001:db8:1:2::10"))
    with pytest.raises(RateLimitedError):
        _file(second, places["home_a2"], Client(address="2001:db8:1:2:aaaa::99"))
    _file(second, places["home_a2"], Client(address="2001:db8:1:3::10"))


def test_staff_entering_a_meetings_appeals_are_not_stopped_by_the_residents_limits(
    alice: Person, dave: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    """At a building-door meeting one grid worker types in 30 residents' appeals from the
    community office, whose address the residents on its Wi-Fi share."""
    office = Client(address="192.0.2.1")
    _spend_all(alice, places["home_a"], office)
    category = Category.objects.get(code="facilities")
    for n in range(3 * LIMITS["appeals.submit"].per_address):
        appeal_submit(
            actor=dave,
            text=f"第{n}位居民：单元门关不上",
            category=category,
            place=places["unit_a"],
            channel=Channel.VISIT,
            reporter_name=f"居民{n}",
            client=office,
        )
    assert Appeal.objects.filter(entered_by=dave).count() == 90
    # Nor do the staff's entries spend the address's budget for residents.
    _file(resident_of(places["home_a2"], name="赵邻居"), places["home_a2"], office)


def test_a_stolen_staff_account_is_still_stopped(
    dave: Person, places: dict[str, Place], frozen: list[float], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeals.enter": (2, 0, HOUR)}
    category = Category.objects.get(code="facilities")

    def enter(address: str) -> None:
        appeal_submit(
            actor=dave,
            text="单元门关不上",
            category=category,
            place=places["unit_a"],
            channel=Channel.VISIT,
            reporter_name="王女士",
            client=Client(address=address),
        )

    enter("192.0.2.1")
    enter("192.0.2.2")
    with pytest.raises(RateLimitedError):
        enter("192.0.2.3")


def test_the_command_line_and_imports_are_not_limited(
    alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    for _ in range(LIMITS["appeals.submit"].per_person + 5):
        _file(alice, places["home_a"], client=None)
    assert Appeal.objects.count() == 15


def test_a_retry_with_the_same_key_is_not_counted_again(
    alice: Person, places: dict[str, Place], frozen: list[float], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeals.submit": (1, 1, HOUR)}
    first = _file(alice, places["home_a"], idempotency_key="app-1")
    assert _file(alice, places["home_a"], idempotency_key="app-1") == first
    with pytest.raises(RateLimitedError):
        _file(alice, places["home_a"], idempotency_key="app-2")


def test_a_cache_that_does_not_answer_lets_the_resident_through(
    alice: Person, places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_args: object, **_kwargs: object) -> bool:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", down)
    for _ in range(LIMITS["appeals.submit"].per_person + 1):
        _file(alice, places["home_a"])
    assert Appeal.objects.count() == 11


def test_the_refusal_reads_in_english_too() -> None:
    with translation.override("en"):
        assert str(RateLimitedError(90)) == (
            "Too many submissions in a short time. Please try again in 2 minutes."
        )
        assert str(RateLimitedError(30)).endswith("in 1 minute.")


# --- interfaces ------------------------------------------------------------------------------


def test_the_api_answers_429_with_retry_after_and_the_reason(
    client: BrowserClient, alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    _token, key = api_token_issue(actor=None, person=alice, name="居民端")
    body = {
        "text": "楼道灯不亮",
        "category": "facilities",
        "place": places["home_a"].uid,
        "channel": "online",
    }
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(LIMITS["appeals.submit"].per_person):
        created = client.post(
            "/api/v1/appeals", body, content_type="application/json", headers=headers
        )
        assert created.status_code == 201
    refused = client.post("/api/v1/appeals", body, content_type="application/json", headers=headers)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(HOUR)
    assert refused.json() == {
        "code": "rate_limited",
        "message": "提交太频繁，请在 60 分钟后再试。",
        "field": "",
    }
    assert Appeal.objects.count() == LIMITS["appeals.submit"].per_person


def test_the_page_keeps_what_the_resident_wrote(
    client: BrowserClient, alice: Person, places: dict[str, Place], frozen: list[float]
) -> None:
    _spend_all(alice, places["home_a"], Client(address="127.0.0.1"))
    client.force_login(alice)
    response = client.post(
        reverse("appeals:appeal-new"),
        {
            "category": Category.objects.get(code="property").pk,
            "text": "电梯三天两头停，老人上不了楼",
            "place": places["home_a"].uid,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "提交太频繁，请在 60 分钟后再试。" in page
    assert "电梯三天两头停，老人上不了楼" in page
    assert not Appeal.objects.filter(text__startswith="电梯").exists()


# --- the client's address --------------------------------------------------------------------


def _request(remote: str, forwarded: str = "") -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_proxies_the_address_is_the_connections(settings: Any) -> None:
    settings.QINLIN_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.7", "10.9.9.9")) == "203.0.113.7"


def test_behind_proxies_the_address_is_what_the_outermost_proxy_saw(settings: Any) -> None:
    settings.QINLIN_TRUSTED_PROXIES = 1
    # The client wrote 6.6.6.6 itself; nginx appended the address it really came from.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    settings.QINLIN_TRUSTED_PROXIES = 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"


def test_a_forwarded_header_that_is_no_address_is_ignored(settings: Any) -> None:
    settings.QINLIN_TRUSTED_PROXIES = 1
    assert client_ip(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"


# --- the table and its overrides -------------------------------------------------------------


def test_the_environment_overrides_limits_action_by_action() -> None:
    assert _rate_limits(" appeals.submit=20/60/3600; disclosure.request=3/0/86400 ;") == {
        "appeals.submit": (20, 60, 3600),
        "disclosure.request": (3, 0, 86400),
    }
    with pytest.raises(ValueError, match=r"appeals\.submit=10/30/3600"):
        _rate_limits("appeals.submit=10 per hour")
    with pytest.raises(ValueError, match="window above 0"):
        _rate_limits("appeals.submit=10/30/0")


def test_an_override_for_an_unknown_action_is_a_clear_error(
    alice: Person, places: dict[str, Place], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeal.submit": (1, 1, HOUR)}
    with pytest.raises(ImproperlyConfigured, match=r"appeal\.submit"):
        _file(alice, places["home_a"])


def test_the_switch_for_fuzzing_and_load_tests_turns_every_limit_off(
    alice: Person, places: dict[str, Place], no_rate_limits: None
) -> None:
    for _ in range(LIMITS["appeals.submit"].per_address + 1):
        _file(alice, places["home_a"])
    assert Appeal.objects.count() == 31


def test_without_an_address_only_the_persons_limit_counts(
    places: dict[str, Place], frozen: list[float], settings: Any
) -> None:
    settings.QINLIN_RATE_LIMITS = {"appeals.submit": (1, 1, HOUR)}
    for n in range(3):
        _file(resident_of(places["home_a2"], name=f"住户{n}"), places["home_a2"], Client(""))
    assert Appeal.objects.count() == 3
