"""A topic at evaluation (its work accepted) and its survey, for the evaluation tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qinlin.evaluation.models import Survey
from qinlin.evaluation.services import survey_open
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.works.acceptance import work_accept
from tests.works.helpers import executing, photo


def evaluating(actor: Person, places: dict[str, Place]) -> Topic:
    topic = executing(actor, places)
    work_accept(
        actor=actor,
        topic=topic,
        held_on=timezone.localdate(),
        participants="业委会、物业、居民代表",
        opinion="单元门已更换，验收合格。",
        passed=True,
        photos=[("door.jpg", photo())],
    )
    topic.refresh_from_db()
    return topic


def surveyed(actor: Person, places: dict[str, Place], min_rate: int = 50) -> Survey:
    return survey_open(
        actor=actor,
        topic=evaluating(actor, places),
        scope=places["unit_a"],
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=min_rate,
    )
