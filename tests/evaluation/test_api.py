"""/api/v1/evaluation: a topic's surveys with their figures, what the caller's homes answered,
answering online through the same service and refusals as the survey page, and the feedback
items a topic raised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinlin.api.services import api_token_issue
from qinlin.evaluation.models import (
    FeedbackItem,
    Level,
    ResponseChannel,
    Survey,
    SurveyResponse,
)
from qinlin.evaluation.services import (
    audit_add,
    feedback_answer,
    feedback_assign,
    survey_end,
    survey_respond,
)
from qinlin.people.models import Person, Residency, ResidencyStatus
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic
from tests.evaluation.helpers import surveyed
from tests.factories import PlaceFactory, resident_of

pytestmark = pytest.mark.django_db

EVALUATION = "/api/v1/evaluation"


@pytest.fixture
def zhang(places: dict[str, Place]) -> Person:
    """Lives at 102, the other home of the survey's unit."""
    return resident_of(places["home_a2"], name="张志明")


@pytest.fixture
def survey(erin: Person, places: dict[str, Place]) -> Survey:
    """Open for a week over unit 2 of building 3 (homes 101 and 102), half must answer."""
    return surveyed(erin, places)


def bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="议事小程序")
    return {"Authorization": f"Bearer {key}"}


def answer(client: Client, person: Person, survey: Survey, body: dict[str, Any]) -> Any:
    return client.post(
        f"{EVALUATION}/surveys/{survey.uid}/responses",
        body,
        content_type="application/json",
        headers=bearer(person),
    )


def counter(client: Client, url: str, headers: dict[str, str]) -> Callable[[], int]:
    client.get(url, headers=headers)  # the token's first use is written down once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers=headers).status_code == 200
        return len(queries)

    return count


def _problems(erin: Person, topic: Topic, *texts: str) -> list[FeedbackItem]:
    audit = audit_add(
        actor=erin,
        topic=topic,
        held_on=timezone.localdate(),
        panel="党员代表 宋淑珍、居民代表 罗凤英",
        findings="单元门已更换，个别问题待整改。",
        verdict="with_issues",
        problems=list(texts),
    )
    return list(FeedbackItem.objects.filter(audit=audit).order_by("id"))


def _levels(figures: dict[str, Any]) -> list[tuple[str, str, int, bool]]:
    return [(c["level"], c["label"], c["count"], c["counted"]) for c in figures["counts"]]


# --- a topic's surveys -----------------------------------------------------------------------


def test_a_topics_surveys_come_with_their_live_figures(
    client: Client, survey: Survey, alice: Person, dave: Person, places
) -> None:
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.SATISFIED)
    survey_respond(
        actor=dave,
        survey=survey,
        home=places["home_a2"],
        level=Level.UNSATISFIED,
        channel=ResponseChannel.DOOR,
    )

    response = client.get(f"{EVALUATION}/topics/{survey.topic.uid}/surveys", headers=bearer(alice))

    assert response.status_code == 200
    [body] = response.json()
    assert (body["uid"], body["topic"]) == (survey.uid, survey.topic.uid)
    assert body["scope"] == {"uid": places["unit_a"].uid, "address": "上河园 3号楼 2单元"}
    assert body["closes_on"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    assert (body["ended_at"], body["accepting_answers"], body["min_rate"]) == (None, True, 50)
    assert [(c["level"], c["label"]) for c in body["counted"]] == [
        ("very", "非常满意"),
        ("satisfied", "满意"),
        ("basic", "基本满意"),
    ]
    figures = body["figures"]
    assert (figures["homes"], figures["responses"], figures["satisfied"]) == (2, 2, 1)
    assert _levels(figures) == [
        ("very", "非常满意", 0, True),
        ("satisfied", "满意", 1, True),
        ("basic", "基本满意", 0, True),
        ("unsatisfied", "不满意", 1, False),
    ]
    assert (figures["response_rate"], figures["satisfaction_rate"]) == ("100.0%", "50.0%")
    assert (figures["min_rate"], figures["enough"]) == (50, True)
    assert places["home_a"].uid not in response.content.decode()


def test_an_ended_surveys_figures_are_frozen(
    client: Client, survey: Survey, alice: Person, erin: Person, places
) -> None:
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    survey_end(actor=erin, survey=survey)
    # A home added to the unit later does not change what was counted at the end.
    PlaceFactory.create(kind=PlaceKind.HOME, name="103", parent=places["unit_a"])

    [body] = client.get(
        f"{EVALUATION}/topics/{survey.topic.uid}/surveys", headers=bearer(alice)
    ).json()

    assert body["ended_at"] is not None
    assert body["accepting_answers"] is False
    figures = body["figures"]
    assert (figures["homes"], figures["responses"], figures["response_rate"]) == (2, 1, "50.0%")
    assert (figures["satisfaction_rate"], figures["enough"]) == ("100.0%", True)


def test_a_topic_without_surveys_lists_none(client: Client, survey: Survey, alice: Person) -> None:
    Survey.objects.filter(pk=survey.pk).delete()
    response = client.get(f"{EVALUATION}/topics/{survey.topic.uid}/surveys", headers=bearer(alice))
    assert (response.status_code, response.json()) == (200, [])


# --- one survey and the caller's homes -------------------------------------------------------


def test_a_resident_sees_their_homes_answer_or_none(
    client: Client,
    *,
    survey: Survey,
    alice: Person,
    zhang: Person,
    dave: Person,
    places,
) -> None:
    url = f"{EVALUATION}/surveys/{survey.uid}"

    before = client.get(url, headers=bearer(alice)).json()

    assert before["uid"] == survey.uid
    assert before["figures"]["responses"] == 0
    assert before["figures"]["satisfaction_rate"] == "—"
    assert before["mine"] == [
        {"home": places["home_a"].uid, "address": "上河园 3号楼 2单元 101", "answer": None}
    ]

    survey_respond(
        actor=alice, survey=survey, home=places["home_a"], level=Level.BASIC, comment="门有点响"
    )
    survey_respond(
        actor=dave,
        survey=survey,
        home=places["home_a2"],
        level=Level.VERY,
        channel=ResponseChannel.DOOR,
    )

    [mine] = client.get(url, headers=bearer(alice)).json()["mine"]
    assert mine["answer"] == {
        "level": "basic",
        "label": "基本满意",
        "comment": "门有点响",
        "channel": "online",
        "channel_label": "网上填写",
    }
    [theirs] = client.get(url, headers=bearer(zhang)).json()["mine"]
    assert theirs["home"] == places["home_a2"].uid
    assert (theirs["answer"]["level"], theirs["answer"]["channel"]) == ("very", "door")
    # Staff read the survey, but live in none of its homes.
    assert client.get(url, headers=bearer(dave)).json()["mine"] == []


def test_a_pending_claim_to_a_home_shows_nothing_of_its_answer(
    client: Client, survey: Survey, alice: Person, oscar: Person, places
) -> None:
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    Residency.objects.create(
        person=oscar, home=places["home_a"], relation="tenant", status=ResidencyStatus.PENDING
    )

    response = client.get(f"{EVALUATION}/surveys/{survey.uid}", headers=bearer(oscar))

    # An unconfirmed claim gives no right to read the topic either.
    assert response.status_code == 404


# --- answering ------------------------------------------------------------------------------


def test_a_resident_answers_online_and_the_same_answer_twice_is_one_answer(
    client: Client, survey: Survey, alice: Person, places
) -> None:
    body = {"home": places["home_a"].uid, "level": "satisfied", "comment": "门装得很好"}

    first = answer(client, alice, survey, body)

    assert first.status_code == 201
    [mine] = first.json()["mine"]
    assert (mine["answer"]["level"], mine["answer"]["comment"]) == ("satisfied", "门装得很好")
    assert mine["answer"]["channel"] == "online"
    assert first.json()["figures"]["responses"] == 1

    again = answer(client, alice, survey, body)

    assert again.status_code == 200
    assert again.json() == first.json()
    response = SurveyResponse.objects.get()
    assert (response.home, response.level, response.channel, response.respondent) == (
        places["home_a"],
        Level.SATISFIED,
        ResponseChannel.ONLINE,
        alice,
    )


def test_a_new_answer_replaces_the_homes_earlier_one(
    client: Client, survey: Survey, alice: Person, places
) -> None:
    home = places["home_a"].uid
    answer(client, alice, survey, {"home": home, "level": "unsatisfied", "comment": "还是关不严"})
    assert FeedbackItem.objects.get().text == "还是关不严"

    changed = answer(client, alice, survey, {"home": home, "level": "very"})

    assert changed.status_code == 200
    assert changed.json()["mine"][0]["answer"]["level"] == "very"
    assert changed.json()["mine"][0]["answer"]["comment"] == ""
    assert SurveyResponse.objects.get().level == Level.VERY
    # Nobody had handled the problem yet: the answer it came from no longer raises it.
    assert not FeedbackItem.objects.exists()


def _nothing_changed() -> None:
    assert not SurveyResponse.objects.exists()
    assert not FeedbackItem.objects.exists()


def test_refusals_keep_their_error_and_change_nothing(
    client: Client, survey: Survey, alice: Person, zhang: Person, places
) -> None:
    elsewhere = PlaceFactory.create(kind=PlaceKind.UNIT, name="1单元", parent=places["building_a"])
    other_home = PlaceFactory.create(kind=PlaceKind.HOME, name="101", parent=elsewhere)
    outside = resident_of(other_home, name="刘芳")

    not_mine = answer(client, zhang, survey, {"home": places["home_a"].uid, "level": "very"})
    assert not_mine.status_code == 403
    assert not_mine.json()["code"] == "permission_denied"

    bad_level = answer(client, alice, survey, {"home": places["home_a"].uid, "level": "great"})
    assert bad_level.status_code == 400
    assert bad_level.json() == {
        "code": "bad_level",
        "message": "请选择满意程度。",
        "field": "level",
    }

    out_of_scope = answer(client, outside, survey, {"home": other_home.uid, "level": "very"})
    assert (out_of_scope.status_code, out_of_scope.json()["code"]) == (400, "bad_home")
    assert out_of_scope.json()["field"] == "home"

    unknown = answer(client, alice, survey, {"home": "nosuchhome01", "level": "very"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "bad_home")

    missing = answer(client, alice, survey, {"level": "very"})
    assert missing.status_code == 422
    _nothing_changed()


def test_an_ended_survey_takes_no_more_answers(
    client: Client, survey: Survey, alice: Person, erin: Person, places
) -> None:
    body = {"home": places["home_a"].uid, "level": "unsatisfied"}
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1))

    late = answer(client, alice, survey, body)

    assert late.status_code == 409
    assert late.json()["code"] == "survey_ended"
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate())
    survey.refresh_from_db()
    survey_end(actor=erin, survey=survey)

    ended = answer(client, alice, survey, body)

    assert (ended.status_code, ended.json()["message"]) == (409, "测评已经结束。")
    _nothing_changed()


# --- feedback ---------------------------------------------------------------------------------


def test_a_topics_feedback_items_open_first_without_names(
    client: Client,
    *,
    survey: Survey,
    alice: Person,
    erin: Person,
    dave: Person,
    places,
) -> None:
    done, waiting = _problems(erin, survey.topic, "楼道灯不亮", "闭门器太紧")
    feedback_assign(actor=erin, item=waiting, assignee=dave)
    feedback_answer(actor=dave, item=done, answer="已更换灯泡。", resolved=True)
    survey_respond(
        actor=alice,
        survey=survey,
        home=places["home_a"],
        level=Level.UNSATISFIED,
        comment="单元门还是关不严",
    )

    response = client.get(f"{EVALUATION}/topics/{survey.topic.uid}/feedback", headers=bearer(alice))

    assert response.status_code == 200
    body = response.json()
    assert [(i["text"], i["source"], i["status"], i["closed"]) for i in body] == [
        ("单元门还是关不严", "survey", "open", False),
        ("闭门器太紧", "audit", "assigned", False),
        ("楼道灯不亮", "audit", "resolved", True),
    ]
    resolved = body[2]
    assert (resolved["uid"], resolved["answer"]) == (done.uid, "已更换灯泡。")
    assert (resolved["source_label"], resolved["status_label"]) == ("审计评估", "已解决")
    assert resolved["raised_at"] is not None
    assert resolved["closed_at"] is not None
    assert body[0]["closed_at"] is None
    page = response.content.decode()
    for name in ("杜网格", "郑书记", "李爱丽"):
        assert name not in page


def test_phone_numbers_and_names_in_feedback_are_masked_except_for_staff(
    client: Client, survey: Survey, alice: Person, erin: Person
) -> None:
    [item] = _problems(erin, survey.topic, "李爱丽家门口的地砖松动，电话13812345678")
    feedback_answer(
        actor=erin, item=item, answer="已联系李爱丽（13812345678）修好。", resolved=True
    )
    url = f"{EVALUATION}/topics/{survey.topic.uid}/feedback"

    [for_resident] = client.get(url, headers=bearer(alice)).json()
    [for_staff] = client.get(url, headers=bearer(erin)).json()

    assert for_resident["text"] == "李*丽家门口的地砖松动，电话138****5678"
    assert for_resident["answer"] == "已联系李*丽（138****5678）修好。"
    assert for_staff["text"] == "李爱丽家门口的地砖松动，电话13812345678"


# --- outsiders ------------------------------------------------------------------------------


def test_another_compounds_resident_learns_nothing_of_the_evaluation(
    client: Client,
    *,
    survey: Survey,
    erin: Person,
    bob: Person,
    oscar: Person,
    places,
) -> None:
    _problems(erin, survey.topic, "楼道灯不亮")
    topic = survey.topic.uid
    for outsider in (bob, oscar):
        for url in (
            f"{EVALUATION}/topics/{topic}/surveys",
            f"{EVALUATION}/topics/{topic}/feedback",
            f"{EVALUATION}/surveys/{survey.uid}",
        ):
            refused = client.get(url, headers=bearer(outsider))
            assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), url
        posted = answer(client, outsider, survey, {"home": places["home_a"].uid, "level": "very"})
        assert (posted.status_code, posted.json()["code"]) == (404, "not_found")
    assert not SurveyResponse.objects.exists()
    missing = client.get(f"{EVALUATION}/surveys/nosuchsurvey", headers=bearer(erin))
    assert (missing.status_code, missing.json()["message"]) == (404, "找不到这次测评。")
    assert client.get(f"{EVALUATION}/topics/{topic}/surveys").status_code == 401


# --- query budgets ---------------------------------------------------------------------------


def test_reading_surveys_costs_the_same_queries_for_few_or_many_answers(
    client: Client,
    *,
    survey: Survey,
    alice: Person,
    erin: Person,
    dave: Person,
    places,
    django_assert_num_queries,
) -> None:
    urls = [
        f"{EVALUATION}/topics/{survey.topic.uid}/surveys",
        f"{EVALUATION}/surveys/{survey.uid}",
    ]
    readers = [counter(client, url, bearer(p)) for url in urls for p in (alice, erin)]
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.VERY)
    few = [count() for count in readers]
    for i in range(4):
        home = PlaceFactory.create(kind=PlaceKind.HOME, name=f"{201 + i}", parent=places["unit_a"])
        survey_respond(
            actor=dave, survey=survey, home=home, level=Level.BASIC, channel=ResponseChannel.DOOR
        )
    # alice now lives in two homes of the scope.
    Residency.objects.create(
        person=alice,
        home=places["home_a2"],
        relation="tenant",
        status=ResidencyStatus.CONFIRMED,
        via="staff",
    )
    for expected, count in zip(few, readers, strict=True):
        assert expected <= 12
        with django_assert_num_queries(expected):
            count()


def test_reading_feedback_costs_the_same_queries_for_3_or_9_items(
    client: Client, survey: Survey, alice: Person, erin: Person, django_assert_num_queries
) -> None:
    url = f"{EVALUATION}/topics/{survey.topic.uid}/feedback"
    readers = [counter(client, url, bearer(p)) for p in (alice, erin)]
    _problems(erin, survey.topic, "甲", "乙", "丙")
    few = [count() for count in readers]
    items = _problems(erin, survey.topic, *(f"问题{i}" for i in range(6)))
    feedback_answer(actor=erin, item=items[0], answer="已处理。", resolved=True)
    for expected, count in zip(few, readers, strict=True):
        assert expected <= 10
        with django_assert_num_queries(expected):
            count()


# --- the OpenAPI document --------------------------------------------------------------------


def test_the_endpoints_are_documented_with_their_errors(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/topics/{uid}/surveys", "/surveys/{uid}", "/topics/{uid}/feedback"):
        get = paths[f"{EVALUATION}{path}"]["get"]
        assert get["summary"]
        assert get["description"]
        assert {"200", "404"} <= set(get["responses"])
    post = paths[f"{EVALUATION}/surveys/{{uid}}/responses"]["post"]
    assert post["summary"]
    assert "idempotent" in post["description"].lower() or "twice" in post["description"]
    assert {"200", "201", "400", "403", "404", "409", "422"} <= set(post["responses"])
