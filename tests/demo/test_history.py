"""The demo's year 2022: the headline figures of domain.md §1, all dated within 2022."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, F, Model, Q
from django.test import override_settings
from django.utils import timezone

from qinlin.appeals.models import Appeal, AppealEvent
from qinlin.demo.data import demo_logins, load_demo
from qinlin.demo.history import HISTORY_YEAR, _History
from qinlin.disclosure.models import Channel, DisclosureRequest, Notice
from qinlin.evaluation.models import (
    Audit,
    Campaign,
    CampaignResponse,
    FeedbackItem,
    Survey,
    SurveyResponse,
)
from qinlin.organisations.models import Activity, PartyMembership, Registration
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Meeting, Participant, Resolution, Step, Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, Vote
from qinlin.works.models import Acceptance, Task, TaskReport

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
START = datetime(HISTORY_YEAR, 1, 1, tzinfo=TZ)
END = datetime(HISTORY_YEAR + 1, 1, 1, tzinfo=TZ)
IN_YEAR = {"gte": START, "lt": END}


@pytest.fixture(scope="module", autouse=True)
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The demo, loaded once for this module and rolled back after it."""
    media: Path = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        load_demo()
        yield
        transaction.set_rollback(True)


def _in_year(field: str) -> Q:
    return Q(**{f"{field}__{op}": value for op, value in IN_YEAR.items()})


def test_the_year_held_117_deliberation_meetings_with_minutes_and_attendance() -> None:
    held = Meeting.objects.filter(_in_year("held_at"), status="held")

    assert held.count() == 117
    kinds = dict(held.values_list("kind").annotate(n=Count("id")))
    assert set(kinds) == {"door", "local", "consultation"}
    assert not held.filter(minutes="").exists()
    attended = held.filter(participants__attended_at__isnull=False).distinct()
    assert attended.count() == 117


def test_52_topics_closed_in_six_categories_each_with_its_whole_path() -> None:
    closed = Topic.objects.filter(_in_year("stage_changed_at"), stage=Stage.CLOSED)

    assert closed.count() == 52
    assert Step.objects.filter(_in_year("at"), verb="closed").count() == 52
    assert closed.values("category").distinct().count() == 6
    for topic in closed.prefetch_related("steps", "meetings", "surveys", "acceptances"):
        steps = list(topic.steps.all())
        verbs = [s.verb for s in steps]
        assert min(s.at for s in steps) == steps[0].at == topic.created_at, topic
        assert all(a.created_at < topic.created_at for a in topic.appeals.all()), topic
        assert verbs[:2] == ["created", "accepted"], topic
        assert {"decided", "execution_started", "accepted_work", "closed"} <= set(verbs), topic
        assert verbs.index("decided") < verbs.index("closed")
        assert topic.decided_option is not None
        assert topic.decision
        assert topic.appeals.count() >= 2
        assert any(m.status == "held" for m in topic.meetings.all())
        [survey] = topic.surveys.all()
        assert survey.result["enough"]
        assert survey.result["satisfied"] == survey.result["responses"] > 0
        [acceptance] = topic.acceptances.all()
        assert acceptance.passed
        assert acceptance.photos.exists()


def test_owners_votes_carried_the_decided_option_with_ballots() -> None:
    votes = Vote.objects.filter(_in_year("closed_at")).select_related("topic__decided_option")

    assert votes.count() >= 8
    for vote in votes:
        decided = vote.topic.decided_option
        assert decided is not None
        assert vote.result[decided.letter]["passed"], vote
        assert (
            vote.ballots.count() * 3
            >= 2 * Place.objects.filter(vote.scope.subtree_q(), kind=PlaceKind.HOME).count()
        )


def test_appeals_came_through_several_channels_and_some_were_settled_otherwise() -> None:
    appeals = Appeal.objects.filter(_in_year("created_at"))

    statuses = dict(appeals.values_list("status").annotate(n=Count("id")))
    assert statuses["accepted"] >= 104
    assert {"referred", "rejected", "resolved"} <= set(statuses)
    assert appeals.values("channel").distinct().count() >= 5
    assert appeals.values("category").distinct().count() == 6
    assert Topic.objects.filter(_in_year("created_at"), stage=Stage.REJECTED).exists()
    assert Topic.objects.filter(_in_year("created_at"), stage=Stage.REFERRED).exists()
    # Written in bulk, past AtPlace.save: each still carries its place's path (the inbox's).
    for model in (Appeal, Topic, Notice):
        assert not model.objects.exclude(place_path=F("place__path")).exists(), model


def test_disclosure_30_channels_and_50_notices() -> None:
    assert Channel.objects.filter(_in_year("created_at")).count() == 30
    notices = Notice.objects.filter(_in_year("published_at"), state="published")

    assert notices.count() == 50
    assert notices.filter(origin="proactive").count() == 30
    assert notices.filter(origin="on_request").count() == 20
    assert not notices.filter(channels__isnull=True).exists()
    assert not notices.exclude(period_ends__year=HISTORY_YEAR).exists()
    requests = DisclosureRequest.objects.filter(_in_year("at"))
    assert requests.count() == 20
    for request in requests.select_related("notice"):
        assert request.status == "answered"
        assert request.notice is not None
        assert request.notice.origin == "on_request"
        assert request.closed_at is not None
        assert timezone.localdate(request.closed_at) <= request.due_on


def test_surveys_activities_campaigns_and_feedback() -> None:
    surveys = Survey.objects.filter(_in_year("ended_at"))
    assert surveys.count() == 52
    assert all(s.result["satisfaction_rate"] == "100.0%" for s in surveys)
    activities = Activity.objects.filter(_in_year("starts_at"))
    assert activities.count() >= 370
    registrations = Registration.objects.filter(activity__in=activities)
    assert registrations.count() > 5 * activities.count()
    assert registrations.filter(attended_at__isnull=False).count() > registrations.count() // 2
    campaigns = Campaign.objects.filter(starts_on__year=HISTORY_YEAR)
    assert campaigns.count() == 15
    assert campaigns.values("domain").distinct().count() >= 3
    assert not campaigns.filter(responses__isnull=True).exists()
    feedback = FeedbackItem.objects.filter(_in_year("created_at"))
    assert feedback.count() == 55
    assert feedback.filter(status="resolved").count() == 55
    assert PartyMembership.objects.filter(joined_on__lte=date(HISTORY_YEAR, 1, 1)).count() == 120


DATED: list[tuple[type[Model], str, list[str]]] = [
    # (model, the filter that makes a row part of 2022's work, its date fields)
    (Topic, "created_at", ["created_at", "stage_changed_at"]),
    (Step, "topic__created_at", ["at"]),
    (Appeal, "created_at", ["created_at"]),
    (AppealEvent, "appeal__created_at", ["at"]),
    (Meeting, "starts_at", ["starts_at", "held_at", "created_at"]),
    (Participant, "meeting__starts_at", ["attended_at"]),
    (Resolution, "meeting__starts_at", ["recorded_at"]),
    (Vote, "opens_at", ["opens_at", "closes_at", "closed_at"]),
    (Ballot, "vote__opens_at", ["cast_at"]),
    (Task, "created_at", ["created_at", "done_at"]),
    (TaskReport, "task__created_at", ["at"]),
    (Acceptance, "recorded_at", ["recorded_at"]),
    (Audit, "recorded_at", ["recorded_at"]),
    (Survey, "opens_at", ["opens_at", "ended_at"]),
    (SurveyResponse, "survey__opens_at", ["at"]),
    (FeedbackItem, "created_at", ["created_at", "closed_at"]),
    (Notice, "published_at", ["created_at", "published_at"]),
    (DisclosureRequest, "at", ["at", "closed_at"]),
    (Activity, "starts_at", ["created_at", "starts_at", "ends_at"]),
    (Registration, "activity__starts_at", ["registered_at", "attended_at"]),
    (Campaign, "created_at", ["created_at", "published_at"]),
    (CampaignResponse, "campaign__created_at", ["at"]),
]


@pytest.mark.parametrize(
    ("model", "of_year", "fields"), DATED, ids=[m.__name__ for m, _o, _f in DATED]
)
def test_nothing_of_2022_is_dated_outside_it(
    model: type[Model], of_year: str, fields: list[str]
) -> None:
    rows = model._default_manager.filter(_in_year(of_year))

    assert rows.exists(), model
    for name in fields:
        stray = rows.exclude(**{f"{name}__isnull": True}).exclude(_in_year(name))
        assert not stray.exists(), (model.__name__, name, stray.first())


def test_the_history_is_drawn_the_same_way_every_time() -> None:
    people = {login.role: Person.objects.get(phone=login.phone) for login in demo_logins()}
    sub = Place.objects.get(kind=PlaceKind.SUBDISTRICT)
    again = _History(people, sub)
    again.load_topics()

    stored = Topic.objects.filter(_in_year("created_at")).order_by("id")
    assert [(t.title, t.created_at, t.stage, t.stage_changed_at) for t in stored] == [
        (t.title, t.created_at, t.stage, t.stage_changed_at) for t in again.rows.topics
    ]
    assert (
        len(again.rows.steps)
        == Step.objects.filter(topic__in=stored).exclude(verb="notice_published").count()
    )
