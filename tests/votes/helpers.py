"""A topic put to the owners of unit 3-2 of 上河园, built through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Vote
from qinlin.votes.services import vote_open
from tests.topics.helpers import new_topic, two_options


def voting_topic(actor: Person, places: dict[str, Place]) -> Topic:
    topic = new_topic(actor, places["unit_a"])
    two_options(actor, topic)
    # The deliberation before the vote is the topics issue's; here it starts at the vote.
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.VOTING)
    topic.refresh_from_db()
    return topic


def door_vote(actor: Person, places: dict[str, Place], **kwargs: object) -> Vote:
    return vote_open(
        actor=actor,
        topic=voting_topic(actor, places),
        item=kwargs.pop("item", 5),  # type: ignore[arg-type]
        scope=places["unit_a"],
        closes_at=timezone.now() + timedelta(days=7),
        **kwargs,  # type: ignore[arg-type]
    )
