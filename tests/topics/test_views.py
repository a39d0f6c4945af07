"""The topic pages: the board, the topic page and its forms, and the meeting page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinlin.appeals.models import Category
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import MeetingStatus, Topic
from qinlin.topics.states import Stage
from tests.topics.helpers import held_meeting, new_topic, two_options

pytestmark = pytest.mark.django_db


def test_the_board_shows_topics_by_stage_to_staff(client: Client, dave: Person, places) -> None:
    new_topic(dave, places["unit_a"], title="更换单元门")
    client.force_login(dave)
    body = client.get("/topics/").content.decode()
    assert "议题看板" in body
    assert "更换单元门" in body
    assert "待受理" in body


def test_a_resident_reads_the_topics_of_their_compound_only(
    client: Client, alice: Person, bob: Person, dave: Person, places
) -> None:
    topic = new_topic(dave, places["unit_a"], title="更换单元门")
    client.force_login(alice)
    assert "更换单元门" in client.get("/topics/").content.decode()
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert "公开进程" in page
    assert "下一步" not in page
    assert "杜*" in page  # the grid worker's name is masked for residents
    client.force_login(bob)
    assert "更换单元门" not in client.get("/topics/").content.decode()
    assert client.get(f"/topics/{topic.uid}/").status_code == 404


def test_staff_advance_from_the_topic_page(client: Client, dave: Person, places) -> None:
    topic = new_topic(dave, places["unit_a"])
    client.force_login(dave)
    response = client.post(f"/topics/{topic.uid}/advance/", {"to": "local"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.stage == Stage.LOCAL


def test_a_refused_step_names_what_is_missing_and_keeps_what_was_typed(
    client: Client, erin: Person, places
) -> None:
    topic = new_topic(erin, places["unit_a"])
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.LOCAL)
    client.force_login(erin)
    response = client.post(
        f"/topics/{topic.uid}/advance/",
        {"to": "decided", "to-decided-notice_draft": "经商议，采用方案B。"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "还不能“商议已形成决定”" in body
    assert "需要一次已召开并有纪要的先行商议会" in body
    assert "经商议，采用方案B。" in body
    topic.refresh_from_db()
    assert topic.stage == Stage.LOCAL


def test_a_resident_cannot_advance(client: Client, alice: Person, dave: Person, places) -> None:
    topic = new_topic(dave, places["unit_a"])
    client.force_login(alice)
    response = client.post(f"/topics/{topic.uid}/advance/", {"to": "local"})
    assert response.status_code == 400
    topic.refresh_from_db()
    assert topic.stage == Stage.PROPOSED


def test_options_are_added_and_lettered(client: Client, erin: Person, places) -> None:
    topic = new_topic(erin, places["unit_a"])
    client.force_login(erin)
    for title in ("公共维修基金支付", "居民自筹 + 物业补贴"):
        response = client.post(
            f"/topics/{topic.uid}/options/", {"title": title, "estimated_cost": "12000"}
        )
        assert response.status_code == 302
    assert list(topic.options.values_list("letter", flat=True)) == ["A", "B"]
    bad = client.post(f"/topics/{topic.uid}/options/", {"title": "", "estimated_cost": "-1"})
    assert bad.status_code == 400
    assert topic.options.count() == 2


def test_a_consultation_meeting_from_invitation_to_show_of_hands(
    client: Client, erin: Person, dave: Person, places
) -> None:
    topic = new_topic(erin, places["unit_a"])
    _a, option_b = two_options(erin, topic)
    client.force_login(erin)
    response = client.post(
        f"/topics/meetings/new/?topic={topic.uid}",
        {
            "kind": "consultation",
            "title": "单元门更换协商会",
            "starts_at": "2026-11-20T19:00",
            "location": "党群服务站",
            "topics": [topic.uid],
            "people": [dave.uid],
            "others": "王建国，居民代表\n刘律师，法律顾问\n赵代表,两代表一委员",
        },
    )
    assert response.status_code == 302
    meeting = topic.meetings.get()
    assert meeting.participants.count() == 4
    for participant in meeting.participants.all()[:3]:
        client.post(
            f"/topics/meetings/{meeting.uid}/act/",
            {"action": "sign_in", "participant": participant.pk},
        )
    client.post(f"/topics/meetings/{meeting.uid}/act/", {"action": "minutes", "minutes": "议定"})
    response = client.post(
        f"/topics/meetings/{meeting.uid}/act/",
        {
            "action": "hands",
            "option": option_b.pk,
            "rule": "two_thirds_of_attendees",
            "agree": 2,
            "disagree": 1,
            "abstain": 0,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = client.get(f"/topics/meetings/{meeting.uid}/").content.decode()
    assert "应到 4 人，实到 3 人" in page
    assert "同意 2/3（66.67%） ≥ 2/3 ✓；通过" in page


def test_bad_meeting_input_is_explained_and_nothing_is_created(
    client: Client, erin: Person, places
) -> None:
    topic = new_topic(erin, places["unit_a"])
    client.force_login(erin)
    response = client.post(
        f"/topics/meetings/new/?topic={topic.uid}",
        {
            "kind": "local",
            "title": "议事会",
            "starts_at": "2026-11-20T19:00",
            "topics": [topic.uid],
            "others": "王建国 居民代表",
        },
    )
    assert response.status_code == 400
    assert "第 1 行：请写成“姓名，身份”" in response.content.decode()
    assert not topic.meetings.exists()


def test_more_hands_than_attendees_are_refused(client: Client, erin: Person, places) -> None:
    topic = new_topic(erin, places["unit_a"])
    _a, option_b = two_options(erin, topic)
    meeting = held_meeting(erin, topic, attend=3, invite=5)
    client.force_login(erin)
    response = client.post(
        f"/topics/meetings/{meeting.uid}/act/",
        {
            "action": "hands",
            "option": option_b.pk,
            "rule": "majority_of_attendees",
            "agree": 3,
            "disagree": 1,
            "abstain": 0,
        },
    )
    assert response.status_code == 400
    assert "超过了实到人数 3" in response.content.decode()
    assert not meeting.resolutions.exists()


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_board_and_topic_page_cost_the_same_queries_whatever_the_size(
    client: Client, erin: Person, places
) -> None:
    first = new_topic(erin, places["unit_a"])
    two_options(erin, first)
    held_meeting(erin, first)
    client.force_login(erin)
    board_small, page_small = _count(client, "/topics/"), _count(client, f"/topics/{first.uid}/")
    for i in range(8):
        topic = new_topic(erin, places["unit_a"], title=f"议题{i}")
        held_meeting(erin, topic)
    for _i in range(2):
        held_meeting(erin, first)
    assert _count(client, "/topics/") == board_small
    assert _count(client, f"/topics/{first.uid}/") == page_small


def test_workspace_links_to_the_board(
    client: Client, dave: Person, places: dict[str, Place]
) -> None:
    client.force_login(dave)
    assert "/topics/" in client.get("/workspace/").content.decode()


def test_a_branch_secretary_raises_a_topic_without_appeals(
    client: Client, erin: Person, places
) -> None:
    client.force_login(erin)
    page = client.get("/topics/new/").content.decode()
    assert "上河园" in page
    assert "锦绣苑" not in page
    response = client.post(
        "/topics/new/",
        {
            "title": "增设电动自行车充电桩",
            "description": "阳光议事日上多位居民提出。",
            "category": Category.objects.get(code="parking").pk,
            "place": places["compound_a"].uid,
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="增设电动自行车充电桩")
    assert (topic.place, topic.stage) == (places["compound_a"], Stage.PROPOSED)


def test_a_topic_without_a_title_is_not_raised_and_the_text_stays(
    client: Client, erin: Person, places
) -> None:
    client.force_login(erin)
    response = client.post(
        "/topics/new/",
        {
            "title": "",
            "description": "阳光议事日上多位居民提出。",
            "category": Category.objects.get(code="parking").pk,
            "place": places["compound_a"].uid,
        },
    )
    assert response.status_code == 400
    assert "阳光议事日上多位居民提出。" in response.content.decode()
    assert not Topic.objects.exists()


def test_residents_cannot_raise_topics(client: Client, alice: Person) -> None:
    client.force_login(alice)
    assert client.get("/topics/new/").status_code == 404


def test_a_topic_is_corrected_and_the_change_audited(client: Client, erin: Person, places) -> None:
    topic = new_topic(erin, places["unit_a"])
    client.force_login(erin)
    response = client.post(
        f"/topics/{topic.uid}/edit/",
        {
            "topic-title": "更换3号楼2单元单元门及门禁",
            "topic-description": "",
            "topic-category": topic.category_id,
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.title == "更换3号楼2单元单元门及门禁"
    assert AuditEvent.objects.filter(verb="topics.topic.updated", object_id=topic.uid).exists()


def test_the_people_responsible_are_changed_on_their_own_page(
    client: Client, alice: Person, erin: Person, places
) -> None:
    topic = new_topic(erin, places["unit_a"])
    url = f"/topics/{topic.uid}/responsible/"
    client.force_login(erin)
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert url in page
    assert 'type="checkbox"' not in page  # the topic page draws no list of people
    form = client.get(url)
    assert form.status_code == 200
    assert f'value="{erin.pk}"' in form.content.decode()
    refused = client.post(url, {"people": ["999999"]})
    assert refused.status_code == 400
    assert "修改负责人" in refused.content.decode()
    assert not topic.responsible.exists()
    assert client.post(url, {"people": [str(erin.pk)]}).status_code == 302
    assert list(topic.responsible.all()) == [erin]
    client.force_login(alice)  # reads the topic, may not change who is responsible
    assert client.get(url)["Location"] == f"/topics/{topic.uid}/"
