"""One topic from proposed to closed through the services alone (the Shanghe Garden story)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_accept, appeal_submit
from qinlin.core.audit import audit_verify
from qinlin.evaluation.models import Level
from qinlin.evaluation.services import survey_end, survey_open, survey_respond
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import MeetingKind
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Need, Stage
from qinlin.works.acceptance import work_accept
from tests.topics.helpers import TEXT_INPUTS, held_meeting, two_options
from tests.works.helpers import photo

pytestmark = pytest.mark.django_db


def test_the_unit_door_goes_from_appeals_to_closed(
    alice: Person, dave: Person, erin: Person, frank: Person, places: dict[str, Place]
) -> None:
    appeal, _ = appeal_submit(
        actor=alice,
        reporter=alice,
        text="3号楼2单元的单元门坏了，关不上",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    topic = appeal_accept(actor=dave, appeals=[appeal], title="更换3号楼2单元单元门")
    assert topic.stage == Stage.PROPOSED

    topic = topic_advance(topic=topic, to=Stage.LOCAL, actor=dave)
    option_a, option_b = two_options(erin, topic)
    held_meeting(erin, topic, MeetingKind.LOCAL, attend=5, invite=6, hands=[(option_b, 2)])
    topic = topic_advance(topic=topic, to=Stage.REVIEW, actor=erin, note=TEXT_INPUTS[Need("note")])
    topic = topic_advance(
        topic=topic, to=Stage.CONSULTATION, actor=frank, findings=TEXT_INPUTS[Need("findings")]
    )
    held_meeting(frank, topic, MeetingKind.CONSULTATION, attend=7, invite=9, hands=[(option_b, 6)])
    topic = topic_advance(topic=topic, to=Stage.VOTING, actor=frank)
    topic = topic_advance(
        topic=topic,
        to=Stage.DECIDED,
        actor=frank,
        option=option_b,
        tally=TEXT_INPUTS[Need("tally")],
        notice_draft=TEXT_INPUTS[Need("notice_draft")],
    )
    assert topic.decided_option == option_b
    topic = topic_advance(topic=topic, to=Stage.EXECUTING, actor=erin, responsible=[erin])
    work_accept(
        actor=erin,
        topic=topic,
        held_on=timezone.localdate(),
        participants="业委会、物业、居民代表",
        opinion="单元门已更换，现场验收合格。",
        passed=True,
        photos=[("door.jpg", photo())],
    )
    topic.refresh_from_db()
    survey = survey_open(
        actor=erin,
        topic=topic,
        scope=places["unit_a"],
        closes_on=timezone.localdate(),
        min_rate=50,
    )
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.SATISFIED)
    survey_end(actor=erin, survey=survey)
    topic = topic_advance(
        topic=topic, to=Stage.CLOSED, actor=frank, evaluation=TEXT_INPUTS[Need("evaluation")]
    )

    stages = [s.target for s in topic.steps.order_by("at", "id") if s.target]
    assert stages == [
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
    verbs = set(topic.steps.values_list("verb", flat=True))
    assert {"option_added", "meeting_convened", "meeting_held", "resolution"} <= verbs
    assert option_a.resolutions.count() == 0
    assert audit_verify().ok
