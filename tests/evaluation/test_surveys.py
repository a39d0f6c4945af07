"""The satisfaction survey: one answer per home, the rates, the topic closing only after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.evaluation.models import FeedbackItem, Level, SurveyResponse
from qinlin.evaluation.rates import percent, survey_figures
from qinlin.evaluation.services import audit_add, survey_end, survey_open, survey_respond
from qinlin.people.models import Person
from qinlin.places.models import PlaceKind
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Stage
from tests.evaluation.helpers import evaluating, surveyed
from tests.factories import PlaceFactory, resident_of
from tests.works.helpers import decided

pytestmark = pytest.mark.django_db


def test_percent_rounds_half_up_from_the_exact_fraction() -> None:
    assert percent(5, 6) == "83.3%"
    assert percent(1, 8) == "12.5%"
    assert percent(1, 16) == "6.3%"  # 6.25 rounds up
    assert percent(2, 3) == "66.7%"
    assert percent(0, 0) == "—"


@given(st.dictionaries(st.sampled_from(Level.values), st.integers(0, 500)), st.integers(0, 100))
def test_the_rates_count_what_they_say(counts: dict[str, int], min_rate: int) -> None:
    responses = sum(counts.values())
    figures = survey_figures(
        homes=responses + 10, counts=counts, counted=("very", "satisfied"), min_rate=min_rate
    )
    assert figures.responses == responses
    assert figures.satisfied == counts.get("very", 0) + counts.get("satisfied", 0)
    assert figures.enough == (responses * 100 >= min_rate * (responses + 10))


def test_one_answer_per_home_a_repeat_replaces_it(erin: Person, alice: Person, places) -> None:
    survey = surveyed(erin, places)
    first, created = survey_respond(
        actor=alice, survey=survey, home=places["home_a"], level=Level.BASIC
    )
    assert created
    again, created = survey_respond(
        actor=alice, survey=survey, home=places["home_a"], level=Level.BASIC
    )
    assert not created
    assert again.pk == first.pk
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    assert SurveyResponse.objects.get().level == Level.VERY


def test_who_may_answer_for_a_home(
    erin: Person, alice: Person, bob: Person, carol: Person, places
) -> None:
    survey = surveyed(erin, places)
    with pytest.raises(ForbiddenError):
        survey_respond(actor=bob, survey=survey, home=places["home_a"], level=Level.VERY)
    with pytest.raises(ForbiddenError):  # alice does not live at 102
        survey_respond(actor=alice, survey=survey, home=places["home_a2"], level=Level.VERY)
    survey_respond(
        actor=carol, survey=survey, home=places["home_a2"], level=Level.SATISFIED, channel="door"
    )
    with pytest.raises(DomainError):
        survey_respond(actor=alice, survey=survey, home=places["home_a"], level="great")
    assert SurveyResponse.objects.count() == 1


def test_an_unsatisfied_answer_raises_a_feedback_item_kept_in_step(
    erin: Person, alice: Person, places
) -> None:
    survey = surveyed(erin, places)
    home = places["home_a"]
    survey_respond(actor=alice, survey=survey, home=home, level=Level.UNSATISFIED, comment="门太重")
    assert FeedbackItem.objects.get().text == "门太重"
    survey_respond(
        actor=alice, survey=survey, home=home, level=Level.UNSATISFIED, comment="门禁卡失灵"
    )
    assert FeedbackItem.objects.get().text == "门禁卡失灵"
    survey_respond(actor=alice, survey=survey, home=home, level=Level.SATISFIED)
    assert not FeedbackItem.objects.exists()


def test_the_topic_closes_only_after_a_survey_with_enough_homes(
    erin: Person, frank: Person, alice: Person, places
) -> None:
    survey = surveyed(erin, places, min_rate=100)
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    with pytest.raises(DomainError) as early:
        topic_advance(topic=survey.topic, to=Stage.CLOSED, actor=frank, evaluation="满意")
    assert "满意度测评" in str(early.value)
    survey = survey_end(actor=erin, survey=survey)
    assert survey.result["response_rate"] == "50.0%"
    assert survey.result["satisfaction_rate"] == "100.0%"
    assert survey.result["enough"] is False
    with pytest.raises(DomainError):
        topic_advance(topic=survey.topic, to=Stage.CLOSED, actor=frank, evaluation="满意")
    with pytest.raises(ConflictError):
        survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.BASIC)

    again = survey_open(
        actor=erin,
        topic=survey.topic,
        scope=places["unit_a"],
        closes_on=timezone.localdate(),
        min_rate=50,
    )
    survey_respond(actor=alice, survey=again, home=places["home_a"], level=Level.VERY)
    survey_end(actor=erin, survey=again)
    topic = topic_advance(topic=again.topic, to=Stage.CLOSED, actor=frank, evaluation="满意率 100%")
    assert topic.stage == Stage.CLOSED


def test_a_survey_needs_the_evaluation_stage_a_scope_in_the_grid_and_one_at_a_time(
    erin: Person, places
) -> None:
    with pytest.raises(ConflictError):
        survey_open(
            actor=erin,
            topic=decided(erin, places),
            scope=places["unit_a"],
            closes_on=timezone.localdate(),
            min_rate=50,
        )
    survey = surveyed(erin, places)
    for scope, error in ((places["compound_b"], DomainError), (places["unit_a"], ConflictError)):
        with pytest.raises(error):
            survey_open(
                actor=erin,
                topic=survey.topic,
                scope=scope,
                closes_on=timezone.localdate(),
                min_rate=50,
            )


def test_an_audit_turns_each_problem_into_a_feedback_item(
    erin: Person, alice: Person, places
) -> None:
    topic = evaluating(erin, places)
    with pytest.raises(ForbiddenError):
        audit_add(
            actor=alice,
            topic=topic,
            held_on=timezone.localdate(),
            panel="x",
            findings="y",
            verdict="passed",
        )
    audit = audit_add(
        actor=erin,
        topic=topic,
        held_on=timezone.localdate(),
        panel="党员代表 宋淑珍、居民代表 罗凤英",
        findings="门体安装牢固，资金使用与公示一致。",
        verdict="with_issues",
        problems=["闭门器过紧，老人推门费力", "", "  门禁卡补办流程未公示  "],
    )
    assert list(audit.feedback.values_list("text", flat=True).order_by("id")) == [
        "闭门器过紧，老人推门费力",
        "门禁卡补办流程未公示",
    ]
    assert topic.steps.filter(verb="audit").exists()


def test_the_pages_answer_online_door_to_door_and_end(
    client: Client, erin: Person, alice: Person, carol: Person, places
) -> None:
    survey = surveyed(erin, places)
    client.force_login(alice)
    page = client.get(f"/evaluation/surveys/{survey.uid}/").content.decode()
    assert "我家的评价" in page
    refused = client.post(
        f"/evaluation/surveys/{survey.uid}/respond/",
        {"home": places["home_a"].uid, "comment": "很好"},
    )
    assert refused.status_code == 400
    assert "很好" in refused.content.decode()
    client.post(
        f"/evaluation/surveys/{survey.uid}/respond/",
        {"home": places["home_a"].uid, "level": "very", "comment": "很好"},
    )
    assert SurveyResponse.objects.get().channel == "online"
    assert client.get(f"/evaluation/surveys/{survey.uid}/door/").status_code == 403

    client.force_login(carol)
    door = f"/evaluation/surveys/{survey.uid}/door/?unit={places['unit_a'].uid}"
    assert "102" in client.get(door).content.decode()
    client.post(door, {"home": places["home_a2"].uid, "level": "unsatisfied", "comment": "太慢"})
    assert SurveyResponse.objects.count() == 2
    assert FeedbackItem.objects.get().text == "太慢"

    client.force_login(erin)
    client.post(f"/evaluation/surveys/{survey.uid}/end/")
    survey.refresh_from_db()
    assert survey.result["satisfaction_rate"] == "50.0%"
    topic_page = client.get(f"/topics/{survey.topic.uid}/").content.decode()
    assert "2/2 户参与（100.0%），满意率 50.0%" in topic_page
    assert "太慢" in topic_page


def test_the_survey_and_door_pages_read_in_a_fixed_number_of_queries(
    client: Client, erin: Person, carol: Person, places
) -> None:
    survey = surveyed(erin, places)
    client.force_login(carol)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    door = f"/evaluation/surveys/{survey.uid}/door/"
    few = (count(f"/evaluation/surveys/{survey.uid}/"), count(door))
    for i in range(6):
        home = PlaceFactory.create(kind=PlaceKind.HOME, name=f"{300 + i}", parent=places["unit_a"])
        survey_respond(actor=carol, survey=survey, home=home, level="basic", channel="door")
        resident_of(home, name=f"住户{i}")
    assert (count(f"/evaluation/surveys/{survey.uid}/"), count(door)) == few
