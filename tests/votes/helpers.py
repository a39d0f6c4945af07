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


def door_vote(
    actor: Person,
    places: dict[str, Place],
    *,
    item: int = 5,
    secret: bool = False,
    changeable: bool = True,
) -> Vote:
    """Both options of a fresh topic, on one Art. 278 item, for unit 3-2's homes."""
    topic = voting_topic(actor, places)
    return vote_open(
        actor=actor,
        topic=topic,
        items=dict.fromkeys(topic.options.all(), item),
        scope=places["unit_a"],
        closes_at=timezone.now() + timedelta(days=7),
        secret=secret,
        changeable=changeable,
    )
