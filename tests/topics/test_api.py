"""/api/v1/topics and /api/v1/meetings: reading topics and meetings, advancing a topic with
the same service and the same refusals as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinlin.api.services import api_token_issue
from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.services import appeal_submit
from qinlin.people.models import Person
from qinlin.topics.models import MeetingKind, Step, Topic
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Need, Stage
from tests.topics.helpers import TEXT_INPUTS, held_meeting, new_topic, two_options

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/topics"
MEETINGS = "/api/v1/meetings"


def bearer(person: Person, **headers: str) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="议事小程序")
    return {"Authorization": f"Bearer {key}", **headers}


def advance(client: Client, person: Person, topic: Topic, body: dict[str, Any]) -> Any:
    return client.post(
        f"{TOPICS}/{topic.uid}/advance",
        body,
        content_type="application/json",
        headers=bearer(person),
    )


# --- reading topics ------------------------------------------------------------------------


def test_a_resident_reads_their_compounds_topic_with_its_timeline(
    client: Client, places, alice, dave
) -> None:
    topic = new_topic(dave, places["unit_a"])
    two_options(dave, topic)
    appeal, _created = appeal_submit(
        actor=alice,
        text="单元门关不上",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
        channel=Channel.ONLINE,
        reporter=alice,
    )
    Appeal.objects.filter(pk=appeal.pk).update(topic=topic)
    topic_advance(topic=topic, to=Stage.LOCAL, actor=dave)

    response = client.get(f"{TOPICS}/{topic.uid}", headers=bearer(alice))

    assert response.status_code == 200
    body = response.json()
    assert body["uid"] == topic.uid
    assert (body["stage"], body["stage_label"]) == ("local", "先行商议")
    assert (body["category"], body["category_label"]) == ("property", "物业服务")
    assert (body["place"], body["address"]) == (places["unit_a"].uid, "上河园 3号楼 2单元")
    assert [(o["letter"], o["estimated_cost"]) for o in body["options"]] == [
        ("A", "12000.00"),
        ("B", "12000.00"),
    ]
    assert body["decided_option"] is None
    assert body["households"] == 1
    assert [s["verb"] for s in body["timeline"]] == [
        "created",
        "option_added",
        "option_added",
        "accepted",
    ]
    accepted = body["timeline"][-1]
    assert (accepted["source"], accepted["target"], accepted["actor"]) == (
        "proposed",
        "local",
        "杜*格",
    )
    assert "杜网格" not in response.content.decode()
    assert body["meetings"] == []


def test_another_compounds_resident_does_not_learn_the_topic_exists(
    client: Client, places, bob, dave, oscar
) -> None:
    topic = new_topic(dave, places["unit_a"])
    for outsider in (bob, oscar):
        refused = client.get(f"{TOPICS}/{topic.uid}", headers=bearer(outsider))
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
        assert client.get(TOPICS, headers=bearer(outsider)).json()["count"] == 0
    missing = client.get(f"{TOPICS}/nosuchtopic", headers=bearer(dave))
    assert missing.status_code == 404
    assert client.get(TOPICS).status_code == 401


def test_staff_list_topics_under_their_place_by_stage(
    client: Client, places, dave, frank, alice
) -> None:
    proposed = new_topic(dave, places["unit_a"], "楼道照明")
    local = new_topic(dave, places["building_a"], "电动车充电桩")
    topic_advance(topic=local, to=Stage.LOCAL, actor=dave)
    elsewhere = new_topic(frank, places["compound_b"], "锦绣苑停车")

    def uids(person: Person, **query: str) -> set[str]:
        response = client.get(TOPICS, query, headers=bearer(person))
        assert response.status_code == 200
        return {item["uid"] for item in response.json()["items"]}

    assert uids(dave) == {proposed.uid, local.uid}
    assert uids(dave, stage="local") == {local.uid}
    assert uids(dave, stage="proposed") == {proposed.uid}
    assert uids(frank) == {proposed.uid, local.uid, elsewhere.uid}
    assert uids(frank, place=places["compound_b"].uid) == {elsewhere.uid}
    assert uids(frank, category="property") == {proposed.uid, local.uid, elsewhere.uid}
    assert uids(frank, category="parking") == set()
    assert uids(alice) == {proposed.uid, local.uid}
    bad = client.get(TOPICS, {"category": "heating"}, headers=bearer(frank))
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_category")


def test_the_list_costs_the_same_queries_for_2_or_12_topics(client: Client, places, dave) -> None:
    headers = bearer(dave)
    client.get(TOPICS, headers=headers)  # the token's first use is written down once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(TOPICS, {"limit": 100}, headers=headers)
            assert response.status_code == 200
        return len(captured)

    for n in range(2):
        two_options(dave, new_topic(dave, places["unit_a"], f"议题{n}"))
    few = queries()
    for n in range(10):
        two_options(dave, new_topic(dave, places["building_a"], f"又一个议题{n}"))
    assert queries() == few
    assert few <= 10


# --- advancing -----------------------------------------------------------------------------


def test_advancing_through_the_api_writes_the_same_step_as_the_service(
    client: Client, places, dave
) -> None:
    topic = new_topic(dave, places["unit_a"])

    response = advance(client, dave, topic, {"to": "local", "note": "先由小区商议"})

    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "local"
    topic.refresh_from_db()
    assert topic.stage == Stage.LOCAL
    step = Step.objects.filter(topic=topic).last()
    assert step is not None
    assert (step.verb, step.source, step.target, step.actor) == (
        "accepted",
        "proposed",
        "local",
        dave,
    )
    assert step.data == {"note": "先由小区商议"}
    assert body["timeline"][-1]["verb"] == "accepted"


def test_a_refused_advance_names_what_is_missing_and_changes_nothing(
    client: Client, places, dave
) -> None:
    topic = new_topic(dave, places["unit_a"])
    topic_advance(topic=topic, to=Stage.LOCAL, actor=dave)
    steps = Step.objects.filter(topic=topic).count()

    refused = advance(client, dave, topic, {"to": "review"})

    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "requirements_missing"
    assert body["message"] == f"还不能“提交社区党委审核”：请填写{Need.NOTE.label}。"
    topic.refresh_from_db()
    assert topic.stage == Stage.LOCAL
    assert Step.objects.filter(topic=topic).count() == steps
    # A step the table does not have is a conflict, as on the pages.
    wrong = advance(client, dave, topic, {"to": "closed", "evaluation": "好"})
    assert (wrong.status_code, wrong.json()["code"]) == (409, "bad_transition")
    unknown = advance(client, dave, topic, {"to": "nowhere"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "bad_stage")


def test_a_role_without_the_act_is_forbidden(client: Client, places, dave, carol, alice) -> None:
    topic = new_topic(dave, places["unit_a"])
    for person in (carol, alice):  # both may read the topic; neither may accept it
        refused = advance(client, person, topic, {"to": "local"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"
    topic.refresh_from_db()
    assert topic.stage == Stage.PROPOSED


def test_an_unknown_option_letter_is_refused(client: Client, places, dave) -> None:
    topic = new_topic(dave, places["unit_a"])
    options = two_options(dave, topic)
    topic_advance(topic=topic, to=Stage.LOCAL, actor=dave)
    held_meeting(dave, topic, MeetingKind.LOCAL, hands=[(options[1], 4)])
    body = {"to": "decided", "notice_draft": TEXT_INPUTS[Need.NOTICE_DRAFT]}

    refused = advance(client, dave, topic, {**body, "option": "Z"})

    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("bad_option", "option")
    topic.refresh_from_db()
    assert topic.stage == Stage.LOCAL
    not_passed = advance(client, dave, topic, {**body, "option": "A"})
    assert not_passed.status_code == 400
    assert "所选方案未经会议表决通过" in not_passed.json()["message"]

    decided = advance(client, dave, topic, {**body, "option": "b"})

    assert decided.status_code == 200
    assert (decided.json()["stage"], decided.json()["decided_option"]) == ("decided", "B")


def test_execution_starts_with_the_people_responsible_by_uid(
    client: Client, places, dave, erin
) -> None:
    topic = new_topic(dave, places["unit_a"])
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.DECIDED)

    unknown = advance(client, erin, topic, {"to": "executing", "responsible": ["nobody"]})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "bad_responsible")
    started = advance(client, erin, topic, {"to": "executing", "responsible": [erin.uid]})

    assert started.status_code == 200
    assert list(topic.responsible.all()) == [erin]


# --- meetings ------------------------------------------------------------------------------


def test_meetings_show_counts_and_resolutions_in_the_callers_language(
    client: Client, places, alice, bob, dave
) -> None:
    topic = new_topic(dave, places["unit_a"])
    options = two_options(dave, topic)
    meeting = held_meeting(dave, topic, hands=[(options[1], 3)], attend=4, invite=5)

    listed = client.get(MEETINGS, headers=bearer(alice)).json()
    assert [m["uid"] for m in listed["items"]] == [meeting.uid]
    assert client.get(MEETINGS, headers=bearer(bob)).json()["count"] == 0
    assert client.get(f"{MEETINGS}/{meeting.uid}", headers=bearer(bob)).status_code == 404

    zh = client.get(f"{MEETINGS}/{meeting.uid}", headers=bearer(alice)).json()
    en = client.get(
        f"{MEETINGS}/{meeting.uid}", headers=bearer(alice, **{"Accept-Language": "en"})
    ).json()

    resolution = meeting.resolutions.get()
    assert (zh["kind"], zh["kind_label"], zh["status"]) == ("local", "先行商议会", "held")
    assert zh["topics"] == [topic.uid]
    assert (zh["participants"], zh["attended"]) == (5, 4)
    assert zh["minutes"] == "与会人员讨论了两个方案。"
    assert "代表0" not in str(zh)
    [hands] = zh["resolutions"]
    assert (hands["letter"], hands["agree"], hands["attendees"], hands["passed"]) == (
        "B",
        3,
        4,
        True,
    )
    assert hands["explanation"] == resolution.explanation_zh
    assert en["resolutions"][0]["explanation"] == resolution.explanation_en
    assert resolution.explanation_en != resolution.explanation_zh
    detail = client.get(f"{TOPICS}/{topic.uid}", headers=bearer(alice)).json()
    assert [(m["uid"], m["status"]) for m in detail["meetings"]] == [(meeting.uid, "held")]


def test_a_planned_meeting_shows_no_minutes(client: Client, places, dave) -> None:
    topic = new_topic(dave, places["unit_a"])
    meeting = held_meeting(dave, topic)
    type(meeting).objects.filter(pk=meeting.pk).update(status="planned")
    body = client.get(f"{MEETINGS}/{meeting.uid}", headers=bearer(dave)).json()
    assert (body["status"], body["minutes"]) == ("planned", "")


# --- the OpenAPI document ------------------------------------------------------------------


def test_the_endpoints_are_documented(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/topics"]
    assert "get" in paths["/api/v1/topics/{uid}"]
    assert {"200", "400", "403", "404", "409"} <= set(
        paths["/api/v1/topics/{uid}/advance"]["post"]["responses"]
    )
    assert "get" in paths["/api/v1/meetings"]
    assert "get" in paths["/api/v1/meetings/{uid}"]
    query = {p["name"] for p in paths["/api/v1/topics"]["get"]["parameters"]}
    assert {"place", "stage", "category", "limit", "offset"} <= query
