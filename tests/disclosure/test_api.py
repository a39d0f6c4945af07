"""/api/v1/disclosure: a place's public notices for anyone, drafts for those who publish there,
and drafting and publishing through the same services and refusals as the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinlin.api.services import api_token_issue
from qinlin.disclosure.models import Channel, ChannelKind, Notice, NoticeStatus
from qinlin.disclosure.services import (
    channel_create,
    notice_publish,
    notice_withdraw,
    notice_write,
    objection_answer,
    objection_file,
)
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.works.models import Tender
from qinlin.works.tendering import bid_add, tender_open, tender_publish
from tests.works.helpers import decided

pytestmark = pytest.mark.django_db

DISCLOSURE = "/api/v1/disclosure"
NOTICES = f"{DISCLOSURE}/notices"
BIDS = [
    ("潍坊安居门业", Decimal("11800.00"), "AJ-600 楼宇对讲防盗门"),
    ("鲁安门窗", Decimal("12400.00"), "LA-9 单元门"),
    ("恒通建材", Decimal("10900.00"), "HT-3 钢质门"),
]


def bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="议事小程序")
    return {"Authorization": f"Bearer {key}"}


def post(client: Client, url: str, body: dict[str, Any], person: Person) -> Any:
    return client.post(url, body, content_type="application/json", headers=bearer(person))


def board(actor: Person, place: Place, name: str = "上河园公示栏") -> Channel:
    return channel_create(actor=actor, place=place, kind=ChannelKind.COMPOUND_BOARD, name=name)


def published(
    actor: Person,
    place: Place,
    channel: Channel,
    title: str = "关于更换单元门的公示",
    body: str = "3号楼2单元单元门将于下周更换。",
) -> Notice:
    notice = notice_write(actor=actor, place=place, title=title, body=body)
    return notice_publish(actor=actor, notice=notice, channels=[channel])


def tender_for_comment(erin: Person, topic: Topic) -> Tender:
    tender = tender_open(
        actor=erin,
        topic=topic,
        title="3号楼2单元单元门更换",
        requirements="钢质防盗单元门，带门禁，质保三年。",
        deadline=timezone.now() + timedelta(days=5),
    )
    for vendor, price, model in BIDS:
        bid_add(actor=erin, tender=tender, vendor=vendor, price=price, product=model)
    # Bids are only published after the deadline.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    tender.refresh_from_db()
    return tender_publish(actor=erin, tender=tender)


# --- reading -------------------------------------------------------------------------------


def test_anyone_lists_the_public_notices_at_or_under_a_place(client: Client, places, erin) -> None:
    channel = board(erin, places["compound_a"])
    notice = published(erin, places["unit_a"], channel)

    response = client.get(NOTICES, {"place": places["community"].uid})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["uid"], item["title"]) == (notice.uid, "关于更换单元门的公示")
    assert (item["kind"], item["kind_label"]) == ("other", "其他公开事项")
    assert (item["origin"], item["origin_label"]) == ("proactive", "主动公开")
    assert (item["status"], item["status_label"]) == ("published", "公示中")
    assert (item["place"], item["address"]) == (places["unit_a"].uid, "上河园 3号楼 2单元")
    assert item["topic"] is None
    assert item["period_ends"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    assert item["published_at"] is not None
    assert item["channels"] == [
        {
            "uid": channel.uid,
            "name": "上河园公示栏",
            "kind": "compound_board",
            "kind_label": "小区公示栏",
        }
    ]
    assert item["objection_count"] == 0
    assert item["url"] == f"http://testserver/n/{notice.uid}/"
    assert "body" not in item


def test_the_list_shows_period_over_and_withdrawn_notices_but_not_drafts(
    client: Client, places, erin
) -> None:
    channel = board(erin, places["compound_a"])
    over = published(erin, places["compound_a"], channel, title="上月的公示")
    Notice.objects.filter(pk=over.pk).update(period_ends=timezone.localdate() - timedelta(days=1))
    withdrawn = notice_withdraw(
        actor=erin,
        notice=published(erin, places["compound_a"], channel, title="写错了的公示"),
        reason="金额有误，更正后重新公示",
    )
    notice_write(actor=erin, place=places["compound_a"], title="还在起草", body="草稿")

    items = client.get(NOTICES, {"place": places["compound_a"].uid}).json()["items"]

    assert [(i["uid"], i["status"], i["status_label"]) for i in items] == [
        (withdrawn.uid, "withdrawn", "已撤回"),
        (over.uid, "period_over", "公示期满"),
    ]


def test_notices_of_another_compound_are_not_listed(client: Client, places, erin, frank) -> None:
    published(erin, places["compound_a"], board(erin, places["compound_a"]))
    published(frank, places["compound_b"], board(frank, places["compound_b"], "锦绣苑公示栏"))

    items = client.get(NOTICES, {"place": places["compound_b"].uid}).json()["items"]

    assert [i["address"] for i in items] == ["锦绣苑"]


def test_an_unknown_place_or_a_home_answers_404(client: Client, places) -> None:
    for uid in ("nosuchplace", places["home_a"].uid):
        response = client.get(NOTICES, {"place": uid})
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": f"找不到编号为“{uid}”的地点。",
            "field": "place",
        }


def test_anyone_reads_a_notice_with_its_objections_authors_masked(
    client: Client, places, erin, alice
) -> None:
    notice = published(
        erin, places["compound_a"], board(erin, places["compound_a"]), body="第一行\n第二行"
    )
    objection = objection_file(actor=alice, notice=notice, text="门的质保太短。")
    objection_answer(actor=erin, objection=objection, answer="已要求质保三年。")

    response = client.get(f"{NOTICES}/{notice.uid}")

    assert response.status_code == 200
    body = response.json()
    assert (body["uid"], body["body"], body["period_days"]) == (notice.uid, "第一行\n第二行", 7)
    assert body["objection_count"] == 1
    [made] = body["objections"]
    assert (made["author"], made["text"], made["answer"]) == (
        "李*丽",
        "门的质保太短。",
        "已要求质保三年。",
    )
    assert made["at"] is not None
    assert made["answered_at"] is not None
    assert "李爱丽" not in response.content.decode()
    listed = client.get(NOTICES, {"place": places["compound_a"].uid}).json()["items"]
    assert listed[0]["objection_count"] == 1


@pytest.fixture
def draft(places: dict[str, Place], erin: Person) -> Notice:
    return notice_write(actor=erin, place=places["compound_a"], title="草稿", body="还在改")


def test_a_draft_is_hidden_from_anonymous_callers_and_never_listed(
    client: Client, places, erin, draft
) -> None:
    refused = client.get(f"{NOTICES}/{draft.uid}")

    assert refused.status_code == 404
    assert refused.json() == {"code": "not_found", "message": "找不到这份公示。", "field": ""}
    staff_list = client.get(NOTICES, {"place": places["compound_a"].uid}, headers=bearer(erin))
    assert staff_list.json()["items"] == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice", 404),  # a resident of the compound
        ("bob", 404),  # a resident of another compound
        ("carol", 404),  # a building head: keeps no topic record, publishes nothing
        ("erin", 200),  # the branch secretary
        ("dave", 200),  # the grid worker
        ("frank", 200),  # the community office above
    ],
)
def test_a_draft_is_read_only_by_those_who_publish_at_its_place(
    client: Client, draft: Notice, request: pytest.FixtureRequest, persona: str, status: int
) -> None:
    caller: Person = request.getfixturevalue(persona)

    response = client.get(f"{NOTICES}/{draft.uid}", headers=bearer(caller))

    assert response.status_code == status
    if status == 200:
        assert (response.json()["status"], response.json()["published_at"]) == ("draft", None)


def test_staff_of_another_compound_are_told_its_drafts_do_not_exist(
    client: Client, places, erin, frank
) -> None:
    board(frank, places["compound_b"], "锦绣苑公示栏")
    draft = notice_write(actor=frank, place=places["compound_b"], title="草稿", body="还在改")

    assert client.get(f"{NOTICES}/{draft.uid}", headers=bearer(erin)).status_code == 404
    refused = post(client, f"{NOTICES}/{draft.uid}/publish", {"channels": []}, erin)
    assert refused.status_code == 404
    assert Notice.objects.get(pk=draft.pk).state == NoticeStatus.DRAFT


def test_a_phone_number_written_into_the_body_comes_out_masked(
    client: Client, places, erin, alice
) -> None:
    notice = published(
        erin,
        places["compound_a"],
        board(erin, places["compound_a"]),
        title="关于李爱丽反映问题的答复",
        body="联系人：李爱丽，电话 13812345678。",
    )

    response = client.get(f"{NOTICES}/{notice.uid}")

    body = response.json()
    assert body["title"] == "关于李*丽反映问题的答复"
    assert body["body"] == "联系人：李*丽，电话 138****5678。"
    listed = client.get(NOTICES, {"place": places["compound_a"].uid}).content.decode()
    for text in (response.content.decode(), listed):
        assert "13812345678" not in text
        assert "李爱丽" not in text


# --- drafting ------------------------------------------------------------------------------


def test_a_notice_is_drafted_from_a_topics_published_tender(client: Client, places, erin) -> None:
    topic = decided(erin, places)
    tender = tender_for_comment(erin, topic)

    response = post(client, NOTICES, {"topic": topic.uid, "subject": f"bids:{tender.uid}"}, erin)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"], body["topic"]) == ("draft", "bids", topic.uid)
    assert body["title"] == "关于“3号楼2单元单元门更换”投标情况的公示"
    assert all(vendor in body["body"] for vendor, _price, _model in BIDS)
    assert (body["place"], body["channels"], body["objections"]) == (
        places["unit_a"].uid,
        [],
        [],
    )
    notice = Notice.objects.get(uid=body["uid"])
    assert (notice.topic, notice.subject_uid, notice.created_by) == (topic, tender.uid, erin)


def test_a_subject_the_topic_does_not_have_is_refused(client: Client, places, erin) -> None:
    topic = decided(erin, places)

    response = post(client, NOTICES, {"topic": topic.uid, "subject": "bids:nosuchtender"}, erin)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("bad_subject", "subject")
    assert not Notice.objects.exists()


def test_a_notice_on_any_other_matter_is_written_freely(client: Client, places, dave) -> None:
    response = post(
        client,
        NOTICES,
        {"place": places["compound_a"].uid, "title": "停水通知", "body": "周六上午停水。"},
        dave,
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"], body["origin"]) == ("draft", "other", "proactive")
    assert (body["title"], body["body"], body["topic"]) == ("停水通知", "周六上午停水。", None)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"topic": "t", "title": "停水通知"},
        {"topic": "t"},
        {"place": "p", "title": "停水通知"},
    ],
)
def test_a_body_that_is_neither_way_is_refused_with_422(
    client: Client, places, erin, payload
) -> None:
    assert post(client, NOTICES, payload, erin).status_code == 422
    assert not Notice.objects.exists()


def test_a_resident_may_not_draft_a_notice(client: Client, places, erin, alice) -> None:
    topic = decided(erin, places)
    tender = tender_for_comment(erin, topic)
    free = {"place": places["compound_a"].uid, "title": "停水通知", "body": "周六上午停水。"}
    drafted = {"topic": topic.uid, "subject": f"bids:{tender.uid}"}

    for payload in (free, drafted):
        refused = post(client, NOTICES, payload, alice)
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"
    assert client.post(NOTICES, free, content_type="application/json").status_code == 401
    assert not Notice.objects.exists()


def test_staff_may_not_draft_at_another_compound(client: Client, places, erin) -> None:
    payload = {"place": places["compound_b"].uid, "title": "停水通知", "body": "周六上午停水。"}

    assert post(client, NOTICES, payload, erin).status_code == 403
    unknown = post(client, NOTICES, {**payload, "place": "nosuchplace"}, erin)
    assert (unknown.status_code, unknown.json()["field"]) == (404, "place")
    assert not Notice.objects.exists()


# --- publishing ----------------------------------------------------------------------------


def test_a_draft_is_published_with_its_period_through_the_api(client: Client, places, erin) -> None:
    channel = board(erin, places["compound_a"])
    draft = notice_write(
        actor=erin, place=places["compound_a"], title="停水通知", body="电话 13812345678"
    )

    response = post(
        client,
        f"{NOTICES}/{draft.uid}/publish",
        {"channels": [channel.uid], "period_days": 10},
        erin,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["period_days"]) == ("published", 10)
    assert body["period_ends"] == (timezone.localdate() + timedelta(days=10)).isoformat()
    assert [c["uid"] for c in body["channels"]] == [channel.uid]
    assert (body["title"], body["body"]) == ("停水通知", "电话 138****5678")
    assert client.get(f"{NOTICES}/{draft.uid}").status_code == 200


def test_a_channel_of_another_compound_is_refused_and_the_draft_is_unchanged(
    client: Client, places, erin, frank
) -> None:
    other = board(frank, places["compound_b"], "锦绣苑公示栏")
    draft = notice_write(actor=erin, place=places["compound_a"], title="停水通知", body="停水")

    response = post(
        client, f"{NOTICES}/{draft.uid}/publish", {"channels": [other.uid], "period_days": 10}, erin
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_channels",
        "message": "这些渠道不能发布本地的公示：锦绣苑公示栏。",
        "field": "channels",
    }
    draft.refresh_from_db()
    assert (draft.state, draft.period_days, draft.published_at) == (NoticeStatus.DRAFT, 7, None)
    assert not draft.channels.exists()


def test_an_unknown_channel_or_a_bad_period_is_refused(client: Client, places, erin) -> None:
    channel = board(erin, places["compound_a"])
    draft = notice_write(actor=erin, place=places["compound_a"], title="停水通知", body="停水")
    url = f"{NOTICES}/{draft.uid}/publish"

    unknown = post(client, url, {"channels": ["nosuchchannel"]}, erin)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "bad_channels")
    assert unknown.json()["message"] == "找不到编号为“nosuchchannel”的公开渠道。"
    too_long = post(client, url, {"channels": [channel.uid], "period_days": 91}, erin)
    assert (too_long.status_code, too_long.json()["code"]) == (400, "bad_period")
    none = post(client, url, {"channels": []}, erin)
    assert (none.status_code, none.json()["code"]) == (400, "channels_required")
    assert Notice.objects.get(pk=draft.pk).state == NoticeStatus.DRAFT


def test_a_notice_is_published_once(client: Client, places, erin, alice) -> None:
    channel = board(erin, places["compound_a"])
    notice = published(erin, places["compound_a"], channel)
    url = f"{NOTICES}/{notice.uid}/publish"

    again = post(client, url, {"channels": [channel.uid]}, erin)
    assert (again.status_code, again.json()["code"]) == (409, "not_draft")
    assert post(client, url, {"channels": [channel.uid]}, alice).status_code == 403


# --- channels ------------------------------------------------------------------------------


def test_staff_list_the_channels_a_notice_at_a_place_may_use(
    client: Client, places, erin, frank
) -> None:
    community = channel_create(
        actor=frank, place=places["community"], kind=ChannelKind.COMMUNITY_BOARD, name="社区公示栏"
    )
    compound = board(erin, places["compound_a"])
    group = channel_create(
        actor=erin, place=places["building_a"], kind=ChannelKind.OWNERS_GROUP, name="3号楼业主群"
    )
    board(frank, places["compound_b"], "锦绣苑公示栏")

    response = client.get(
        f"{DISCLOSURE}/channels", {"place": places["compound_a"].uid}, headers=bearer(erin)
    )

    assert response.status_code == 200
    assert [(c["uid"], c["place"], c["place_name"]) for c in response.json()] == [
        (community.uid, places["community"].uid, "北苑社区"),
        (compound.uid, places["compound_a"].uid, "上河园"),
        (group.uid, places["building_a"].uid, "3号楼"),
    ]
    assert response.json()[2]["kind_label"] == "业主群"


def test_channels_are_for_those_who_publish_there(client: Client, places, erin, alice) -> None:
    url = f"{DISCLOSURE}/channels"

    assert client.get(url, {"place": places["compound_a"].uid}).status_code == 401
    resident = client.get(url, {"place": places["compound_a"].uid}, headers=bearer(alice))
    assert resident.status_code == 403
    other = client.get(url, {"place": places["compound_b"].uid}, headers=bearer(erin))
    assert other.status_code == 403
    unknown = client.get(url, {"place": "nosuchplace"}, headers=bearer(erin))
    assert unknown.status_code == 404


# --- the API document and query budgets ----------------------------------------------------


def test_every_operation_is_documented(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = [
        paths[path][method]
        for path, method in [
            ("/api/v1/disclosure/notices", "get"),
            ("/api/v1/disclosure/notices", "post"),
            ("/api/v1/disclosure/notices/{uid}", "get"),
            ("/api/v1/disclosure/notices/{uid}/publish", "post"),
            ("/api/v1/disclosure/channels", "get"),
        ]
    ]
    for operation in operations:
        assert operation["summary"]
        assert operation["description"]
        assert "404" in operation["responses"]


def queries_of(client: Client, url: str, params: dict[str, Any]) -> Callable[[], int]:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    return queries


def test_the_list_costs_the_same_queries_for_2_or_6_notices(
    client: Client, places, erin, alice
) -> None:
    channel = board(erin, places["compound_a"])
    queries = queries_of(client, NOTICES, {"place": places["community"].uid, "limit": 100})
    places_in_turn = [places["compound_a"], places["building_a"], places["unit_a"]]

    for n in range(2):
        notice = published(erin, places_in_turn[n % 3], channel, title=f"公示{n}")
        objection_file(actor=alice, notice=notice, text="有异议")
    few = queries()
    for n in range(2, 6):
        published(erin, places_in_turn[n % 3], channel, title=f"公示{n}")
    assert client.get(NOTICES, {"place": places["community"].uid}).json()["count"] == 6
    assert queries() == few
    assert few <= 5
