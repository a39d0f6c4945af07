"""A topic carried through the services to its close: the figures read the records the
services write (the step into 已办结, the survey's frozen result)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qinlin.evaluation.models import Level
from qinlin.evaluation.services import survey_end, survey_respond
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.drilldown import drill_records
from qinlin.stats.figures import stats_for
from qinlin.stats.selectors import Period
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Stage
from tests.evaluation.helpers import surveyed

pytestmark = pytest.mark.django_db


def test_a_topic_closed_through_the_services_is_resolved_and_its_survey_counted(
    places: dict[str, Place], erin: Person, frank: Person, alice: Person
) -> None:
    survey = surveyed(erin, places)
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    survey_end(actor=erin, survey=survey)
    topic_advance(topic=survey.topic, to=Stage.CLOSED, actor=frank, evaluation="满意率 100%")

    this_year = Period.year(timezone.localdate().year)
    stats = stats_for(places["community"], this_year)
    assert stats.topics.resolved.count == 1
    assert [f.value for f in stats.topics.resolved_by_category] == ["property"]
    assert stats.evaluation.surveys.count == 1
    assert (stats.evaluation.satisfied, stats.evaluation.responses) == (1, 1)
    assert stats.evaluation.satisfaction_rate.percent == "100.0%"
    assert stats.evaluation.response_rate.percent == "50.0%"
    assert stats.timing.to_closing.count == 1
    assert stats.topics.open_now.count == 0
    assert drill_records("topics_resolved", places["community"], this_year).get() == survey.topic
    assert stats_for(places["compound_b"], this_year).topics.resolved.count == 0
