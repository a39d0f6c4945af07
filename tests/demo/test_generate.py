"""`qinlin generate`: a city of 1,000 homes over a year, drawn the same way every time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Appeal, AppealEvent
from qinlin.core.audit import audit_verify
from qinlin.demo.data import demo_logins
from qinlin.demo.generate.city import Options
from qinlin.demo.generate.run import generate
from qinlin.disclosure.models import Notice
from qinlin.evaluation.models import Survey
from qinlin.people.models import Person, Residency
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Meeting, Step, Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, Vote

pytestmark = pytest.mark.django_db

# Until yesterday, so that what is open on the last day (the bench vote) is open today.
OPTIONS = Options(homes=1000, seed=7, years=1, until=timezone.localdate() - timedelta(days=1))
DIGESTS: list[str] = []


def _digest() -> str:
    rows: list[Any] = [
        *Place.objects.order_by("id").values_list("uid", "path", "name", "area", "owner_key"),
        *Person.objects.order_by("id").values_list("uid", "name", "phone"),
        *Appeal.objects.order_by("id").values_list("uid", "text", "status", "created_at"),
        *Topic.objects.order_by("id").values_list("uid", "title", "stage", "stage_changed_at"),
        *Ballot.objects.order_by("id").values_list("receipt", "home_id", "choices"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module", autouse=True)
def city(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The city generated twice (the first rolled back), kept for this module."""
    media: Path = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        first = transaction.savepoint()
        generate(OPTIONS)
        DIGESTS.append(_digest())
        transaction.savepoint_rollback(first)
        generate(OPTIONS)
        DIGESTS.append(_digest())
        yield
        transaction.set_rollback(True)


def _bench() -> Place:
    return Place.objects.get(kind=PlaceKind.COMPOUND, name="上河园")


def test_the_same_arguments_give_the_same_rows() -> None:
    assert DIGESTS[0] == DIGESTS[1]


def test_the_city_has_n_homes_with_owners_and_about_five_appeals_each() -> None:
    homes = Place.objects.filter(kind=PlaceKind.HOME)
    assert homes.count() == OPTIONS.homes
    owned = homes.filter(residencies__relation="owner").distinct().count()
    assert 0.8 < owned / OPTIONS.homes < 0.92
    assert 0 < homes.filter(developer_unsold=True).count() < 0.05 * OPTIONS.homes
    assert homes.exclude(owner_key="").exclude(owner_key="developer").exists()
    assert not Residency.objects.exclude(status="confirmed").exists()
    assert 4.5 < Appeal.objects.count() / OPTIONS.homes < 5.5
    statuses = dict(Appeal.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {"new", "accepted", "referred", "rejected", "resolved"}
    assert statuses["new"] < 0.2 * sum(statuses.values())
    channels = Appeal.objects.values("channel").distinct().count()
    assert channels >= 6


def test_every_appeal_has_its_timeline() -> None:
    assert AppealEvent.objects.filter(status="new").count() == Appeal.objects.count()
    handled = Appeal.objects.exclude(status="new").count()
    assert AppealEvent.objects.exclude(status="new").count() == handled
    accepted = Appeal.objects.filter(status="accepted")
    assert not accepted.filter(topic__isnull=True).exists()


def test_every_appeal_topic_and_notice_carries_its_places_path() -> None:
    for model in (Appeal, Topic, Notice):
        assert model.objects.exists()
        assert not model.objects.exclude(place_path=F("place__path")).exists(), model


def test_the_bench_compound_has_a_topic_at_every_stage() -> None:
    stages = set(
        Topic.objects.filter(place__path__startswith=_bench().path).values_list("stage", flat=True)
    )
    assert stages == set(Stage.values)


def test_topics_keep_the_invariants_of_the_services() -> None:
    for topic in Topic.objects.filter(stage=Stage.CLOSED).prefetch_related(
        "steps", "surveys", "acceptances"
    ):
        verbs = [s.verb for s in topic.steps.all()]
        assert verbs[:2] == ["created", "accepted"], topic
        assert {"decided", "execution_started", "accepted_work", "closed"} <= set(verbs), topic
        assert topic.decided_option is not None
        assert topic.decision
        [survey] = topic.surveys.all()
        assert survey.result["enough"]
        assert topic.acceptances.get().passed
    assert not Meeting.objects.filter(status="held", minutes="").exists()
    last = dict(Step.objects.exclude(target="").order_by("at", "id").values_list("topic", "target"))
    assert all(
        last[pk] == stage for pk, stage in Topic.objects.values_list("id", "stage") if pk in last
    )
    assert (
        not Survey.objects.values("topic")
        .filter(ended_at__isnull=True)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


def test_votes_have_one_ballot_per_home_of_their_scope_and_closed_ones_a_tally() -> None:
    for vote in Vote.objects.select_related("scope", "topic__decided_option"):
        homes = set(
            Place.objects.filter(vote.scope.subtree_q(), kind=PlaceKind.HOME).values_list(
                "id", flat=True
            )
        )
        voted = list(vote.ballots.values_list("home_id", flat=True))
        assert len(voted) == len(set(voted))
        assert set(voted) <= homes
        if vote.closed_at is not None:
            assert vote.result["A"]["passed"], vote


def test_the_bench_vote_is_open_over_500_homes_about_half_voted() -> None:
    vote = Vote.objects.get(closed_at__isnull=True, scope=_bench())
    assert vote.is_open()
    homes = Place.objects.filter(vote.scope.subtree_q(), kind=PlaceKind.HOME).count()
    assert homes >= 500
    assert 0.35 < vote.ballots.count() / homes < 0.65


def test_published_notices_have_channels() -> None:
    published = Notice.objects.filter(state="published")
    assert published.exists()
    assert not published.filter(channels__isnull=True).exists()


def test_nothing_is_audited_and_the_chain_verifies() -> None:
    assert audit_verify().ok


def test_refuses_a_database_that_holds_places_and_changes_nothing() -> None:
    before = Place.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("generate", "--homes", "10")
    assert refused.value.returncode == 2
    assert "已有地点数据" in str(refused.value)
    assert Place.objects.count() == before


@pytest.mark.parametrize("homes", ["0", "-5", "many"])
def test_refuses_a_bad_number_of_homes(homes: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("generate", "--homes", homes)
    assert refused.value.returncode == 2
    assert "正整数" in str(refused.value)


def test_the_bench_logins_see_their_pages(client: Client) -> None:
    logins = {login.role.value: login for login in demo_logins()}
    topic = Topic.objects.filter(place__path__startswith=_bench().path, stage=Stage.CLOSED).first()
    vote = Vote.objects.get(closed_at__isnull=True, scope=_bench())
    notice = Notice.objects.filter(state="published").first()
    assert topic is not None
    assert notice is not None
    pages = {
        "resident": [
            "/",
            "/appeals/mine/",
            f"/topics/{topic.uid}/",
            f"/votes/{vote.uid}/",
            f"/n/{notice.uid}/",
        ],
        "grid_worker": ["/", "/appeals/inbox/", "/topics/", f"/votes/{vote.uid}/"],
        "community_staff": ["/stats/", "/topics/"],
    }
    for role, urls in pages.items():
        # Through the login page, as a person logs in (the login throttle needs the request).
        answer = client.post(
            reverse("people:login"),
            {"username": logins[role].phone, "password": logins[role].password},
        )
        assert answer.status_code == 302, role
        for url in urls:
            assert client.get(url, follow=True).status_code == 200, (role, url)
        client.logout()
    resident = Person.objects.get(phone=logins["resident"].phone)
    assert Appeal.objects.filter(reporter=resident).count() >= 5
