"""The reference story (domain.md §1) played on the demo: `qinlin demo --story`."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from qinlin.core.audit import audit_verify
from qinlin.demo.data import load_demo
from qinlin.demo.story import TITLE, TOTAL_FEN, StoryResult, play_story
from qinlin.disclosure.models import ChannelKind, NoticeKind, NoticeStatus
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import BallotChannel
from qinlin.works.models import FundingSource, TenderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def story(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoryResult]:
    """The demo with the story played, once for this module and rolled back after it."""
    media: Path = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        load_demo()
        yield play_story()
        transaction.set_rollback(True)


@pytest.fixture
def topic(story: StoryResult) -> Topic:
    return Topic.objects.get(pk=story.topic.pk)


def test_story_ends_with_the_topic_closed_on_option_b(story: StoryResult, topic: Topic) -> None:
    assert story.created
    assert topic.title == TITLE
    assert topic.stage == Stage.CLOSED
    assert topic.decided_option is not None
    assert topic.decided_option.letter == "B"
    assert topic.appeals.count() >= 3


def test_owners_vote_carries_b_and_not_a_under_the_civil_code_rule(topic: Topic) -> None:
    vote = topic.votes.get()
    assert vote.closed_at is not None
    assert vote.result["B"]["passed"] is True
    assert vote.result["A"]["passed"] is False
    assert "第二百七十八条" in vote.result["B"]["zh"]
    assert "Art. 278" in vote.result["B"]["en"]
    channels = set(vote.ballots.values_list("channel", flat=True))
    assert channels == {BallotChannel.DOOR, BallotChannel.ONLINE}


def test_three_bids_are_published_and_the_objection_answered(topic: Topic) -> None:
    tender = topic.tenders.get()
    assert tender.bids.count() == 3
    assert tender.published_at is not None
    assert tender.status == TenderStatus.AWARDED
    assert tender.award_reason
    notice = topic.notices.get(kind=NoticeKind.BIDS)
    assert notice.status() == NoticeStatus.PUBLISHED
    kinds = set(notice.channels.values_list("kind", flat=True))
    assert {ChannelKind.BUILDING_BOARD, ChannelKind.OWNERS_GROUP} <= kinds
    objection = notice.objections.get()
    assert objection.answer


def test_funding_shares_add_up_to_the_plan(topic: Topic) -> None:
    plan = topic.funding
    assert plan.total_fen == TOTAL_FEN
    lines = {line.source: line.amount_fen for line in plan.lines.all()}
    assert set(lines) == {FundingSource.RESIDENTS, FundingSource.PROPERTY_SUBSIDY}
    shares = sum(s.amount_fen for s in plan.shares.all())
    assert shares == lines[FundingSource.RESIDENTS]
    assert shares + lines[FundingSource.PROPERTY_SUBSIDY] == plan.total_fen


def test_survey_is_enough_and_the_evaluation_is_published(topic: Topic) -> None:
    survey = topic.surveys.get()
    assert survey.ended_at is not None
    assert survey.result["enough"] is True
    assert topic.acceptances.filter(passed=True, photos__isnull=False).exists()
    assert topic.audits.exists()
    notice = topic.notices.get(kind=NoticeKind.EVALUATION)
    assert notice.status() == NoticeStatus.PUBLISHED


def test_timeline_has_each_stage_in_order(topic: Topic) -> None:
    verbs = list(topic.steps.order_by("at", "pk").values_list("verb", flat=True))
    expected = [
        "created",
        "accepted",
        "escalated",
        "consultation_convened",
        "vote_opened",
        "owners_vote_opened",
        "owners_vote_closed",
        "decided",
        "execution_started",
        "tender_awarded",
        "acceptance",
        "accepted_work",
        "audit",
        "survey_opened",
        "survey_ended",
        "closed",
    ]
    positions = [verbs.index(verb) for verb in expected]
    assert positions == sorted(positions), verbs
    targets = [t for t in topic.steps.order_by("at", "pk").values_list("target", flat=True) if t]
    assert targets == [
        Stage.PROPOSED,
        Stage.LOCAL,
        Stage.REVIEW,
        Stage.CONSULTATION,
        Stage.VOTING,
        Stage.DECIDED,
        Stage.EXECUTING,
        Stage.EVALUATING,
        Stage.CLOSED,
    ]


def test_audit_chain_verifies_after_the_story() -> None:
    report = audit_verify()
    assert report.ok, report


def test_playing_twice_adds_nothing(topic: Topic) -> None:
    before = (Topic.objects.count(), topic.steps.count())

    again = play_story()

    assert not again.created
    assert again.topic.pk == topic.pk
    assert (Topic.objects.count(), topic.steps.count()) == before


def test_demo_story_command_says_the_story_is_there_and_prints_the_topic(topic: Topic) -> None:
    out = StringIO()

    call_command("demo", "--story", "--no-serve", "--port", "8123", stdout=out)

    text = out.getvalue()
    assert "The story is already there" in text
    assert f"http://127.0.0.1:8123/topics/{topic.uid}/" in text
