"""A decided topic, the start of execution, for the works tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Stage
from tests.topics.helpers import new_topic


def decided(actor: Person, places: dict[str, Place]) -> Topic:
    topic = new_topic(actor, places["unit_a"])
    # Deciding is the topics issue's; the tasks start from a decided topic.
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.DECIDED)
    topic.refresh_from_db()
    return topic


def photo(name: str = "door.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def executing(actor: Person, places: dict[str, Place]) -> Topic:
    """A topic in execution, its person responsible being `actor`."""
    topic = decided(actor, places)
    return topic_advance(topic=topic, to=Stage.EXECUTING, actor=actor, responsible=[actor])
