"""A decided topic, the start of execution, for the works tests."""

from __future__ import annotations

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from tests.topics.helpers import new_topic


def decided(actor: Person, places: dict[str, Place]) -> Topic:
    topic = new_topic(actor, places["unit_a"])
    # Deciding is the topics issue's; the tasks start from a decided topic.
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.DECIDED)
    topic.refresh_from_db()
    return topic
