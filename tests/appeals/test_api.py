"""/api/v1/appeals: idempotent intake for integrations, the inbox, one appeal's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinlin.api.services import api_token_issue
from qinlin.appeals.models import Appeal, AppealStatus, Category, Channel
from qinlin.appeals.services import appeal_reject, appeal_submit
from qinlin.core.models import AuditEvent
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def bearer(person: Person, **headers: str) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="热线系统")
    return {"Authorization": f"Bearer {key}", **headers}


def post(client: Client, person: Person, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        URL, body, content_type="application/json", headers=bearer(person, **headers)
    )


def hotline_call(where: Place, **changes: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "text": "3号楼2单元的单元门坏了，关不上",
        "category": "property",
        "place": where.uid,
        "channel": "hotline",
        "reporter_name": "王秀英",
        "reporter_phone": "13812345678",
        "created_at": "2022-05-03T19:20:00",
    }
    body.update(changes)
    return body


@pytest.fixture
def pam(places: dict[str, Place]) -> Person:
    """Property-company staff at compound A only."""
    person = PersonFactory.create(name="潘物业")
    RoleAssignment.objects.create(
        person=person, role=Role.PROPERTY_STAFF, place=places["compound_a"]
    )
    return person


def file(
    actor: Person,
    place: Place,
    text: str = "路灯不亮",
    *,
    code: str = "facilities",
    channel: str = Channel.VISIT,
    at: str = "2022-05-03 10:00",
    reporter: Person | None = None,
) -> Appeal:
    appeal, _created = appeal_submit(
        actor=actor,
        text=text,
        category=Category.objects.get(code=code),
        place=place,
        channel=channel,
        reporter=reporter,
        reporter_name="" if reporter else "赵大爷",
        created_at=datetime.fromisoformat(at).replace(tzinfo=SHANGHAI),
    )
    return appeal


# --- POST ------------------------------------------------------------------------------------


def test_a_hotline_system_files_an_appeal(client: Client, places, frank) -> None:
    response = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "call-1"})

    assert response.status_code == 201
    body = response.json()
    appeal = Appeal.objects.get()
    assert body["uid"] == appeal.uid
    assert body["category"] == "property"
    assert body["category_name"] == "物业服务"
    assert body["place"] == places["unit_a"].uid
    assert body["place_label"] == "上河园 3号楼 2单元"
    assert (body["channel"], body["status"]) == ("hotline", "new")
    assert body["reporter"] == "王*英"
    assert body["reporter_phone_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    assert body["topic"] is None
    assert appeal.entered_by == frank
    assert appeal.reporter_phone == "13812345678"
    assert appeal.created_at == datetime(2022, 5, 3, 19, 20, tzinfo=SHANGHAI)
    assert appeal.idempotency_key == "call-1"


def test_a_retry_with_the_same_key_returns_the_first_appeal(client: Client, places, frank) -> None:
    first = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "call-7"})
    submitted = AuditEvent.objects.filter(verb="appeals.appeal.submitted")
    assert submitted.count() == 1
    retry = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "call-7"})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert Appeal.objects.count() == 1
    assert submitted.count() == 1
    # Without a key, or with another one, each call is a new appeal.
    assert post(client, frank, hotline_call(places["unit_a"])).status_code == 201
    other = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "call-8"})
    assert other.status_code == 201
    assert Appeal.objects.count() == 3


def test_the_same_key_from_another_caller_is_another_appeal(
    client: Client, places, dave, frank
) -> None:
    one = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "k-1"})
    two = post(client, dave, hotline_call(places["unit_a"]), **{"Idempotency-Key": "k-1"})
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()["uid"] != two.json()["uid"]
    assert Appeal.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"category": "heating"}, 400, "bad_category", "category"),
        ({"place": "nosuchplace"}, 404, "not_found", "place"),
        ({"reporter_name": ""}, 400, "reporter_required", "reporter_name"),
        ({"text": "   "}, 400, "text_required", "text"),
        ({"created_at": "2099-01-01T08:00:00"}, 400, "bad_created_at", "created_at"),
    ],
)
def test_bad_input_gets_a_clear_error_and_creates_nothing(
    client: Client, places, frank, *, changes, status, code, field
) -> None:
    response = post(client, frank, hotline_call(places["unit_a"], **changes))
    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert Appeal.objects.count() == 0


def test_an_appeal_belongs_to_a_compound_or_below(client: Client, places, frank) -> None:
    response = post(client, frank, hotline_call(places["community"]))
    assert response.status_code == 400
    assert response.json()["code"] == "bad_place"


def test_a_too_long_idempotency_key_is_refused(client: Client, places, frank) -> None:
    response = post(client, frank, hotline_call(places["unit_a"]), **{"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert Appeal.objects.count() == 0


def test_an_unknown_channel_is_refused_by_the_schema(client: Client, places, frank) -> None:
    response = post(client, frank, hotline_call(places["unit_a"], channel="wechat"))
    assert response.status_code == 422
    assert Appeal.objects.count() == 0


def test_a_resident_files_for_themselves_in_their_own_compound_only(
    client: Client, places, alice
) -> None:
    own = post(client, alice, hotline_call(places["unit_a"], channel="online", reporter_name=""))
    assert own.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.reporter == alice
    assert appeal.household == places["home_a"]
    elsewhere = post(
        client, alice, hotline_call(places["unit_b"], channel="online", reporter_name="")
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "not_a_resident"
    # A resident is not an intake desk: filing for someone else is staff work.
    for_others = post(client, alice, hotline_call(places["unit_a"]))
    assert for_others.status_code == 403
    assert for_others.json()["code"] == "permission_denied"
    assert Appeal.objects.count() == 1


def test_staff_file_only_where_they_work(client: Client, places, dave, pam) -> None:
    assert post(client, dave, hotline_call(places["unit_b"])).status_code == 403
    assert post(client, pam, hotline_call(places["unit_b"])).status_code == 403
    assert post(client, pam, hotline_call(places["unit_a"])).status_code == 201
    assert Appeal.objects.count() == 1


def test_anonymous_callers_are_turned_away(client: Client, places) -> None:
    response = client.post(URL, hotline_call(places["unit_a"]), content_type="application/json")
    assert response.status_code == 401
    assert client.get(URL).status_code == 401


# --- GET -------------------------------------------------------------------------------------


def test_property_staff_see_only_their_compound(client: Client, places, frank, pam) -> None:
    mine = file(frank, places["unit_a"], "单元门坏了")
    file(frank, places["unit_b"], "锦绣苑的路灯不亮")
    response = client.get(URL, headers=bearer(pam))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["uid"] == mine.uid
    assert item["reporter"] == "赵*爷"
    community = client.get(URL, headers=bearer(frank)).json()
    assert community["count"] == 2


def test_a_resident_has_no_inbox(client: Client, places, alice, frank) -> None:
    file(frank, places["unit_a"])
    body = client.get(URL, headers=bearer(alice)).json()
    assert (body["count"], body["items"]) == (0, [])


def test_the_inbox_filters(client: Client, places, dave, frank, alice) -> None:
    door = file(dave, places["unit_a"], "单元门坏了", code="property", at="2022-05-01 09:00")
    lamp = file(
        dave, places["building_a"], "路灯不亮", channel=Channel.PHONE, at="2022-05-02 09:00"
    )
    mine = file(alice, places["home_a"], "楼道堆物", channel=Channel.ONLINE, reporter=alice)
    elsewhere = file(frank, places["unit_b"], "锦绣苑的门也坏了", code="property")
    appeal_reject(actor=dave, appeals=[lamp], reason="已由路灯所处理")

    def uids(**query: str) -> set[str]:
        response = client.get(URL, query, headers=bearer(frank))
        assert response.status_code == 200, response.content
        return {item["uid"] for item in response.json()["items"]}

    assert uids() == {door.uid, lamp.uid, mine.uid, elsewhere.uid}
    assert uids(place=places["compound_a"].uid) == {door.uid, lamp.uid, mine.uid}
    assert uids(place=places["unit_a"].uid) == {door.uid, mine.uid}
    assert uids(category="property") == {door.uid, elsewhere.uid}
    assert uids(channel="phone") == {lamp.uid}
    assert uids(status="rejected") == {lamp.uid}
    assert uids(status="new", place=places["compound_a"].uid) == {door.uid, mine.uid}
    assert uids(date_from="2022-05-02", date_to="2022-05-02") == {lamp.uid}
    assert uids(date_to="2022-05-01") == {door.uid}
    # A place outside the caller's responsibility shows nothing.
    assert (
        client.get(URL, {"place": places["compound_b"].uid}, headers=bearer(dave)).json()["count"]
        == 0
    )
    assert client.get(URL, {"category": "heating"}, headers=bearer(frank)).status_code == 400
    assert client.get(URL, {"place": "nosuchplace"}, headers=bearer(frank)).status_code == 404
    assert client.get(URL, {"status": "lost"}, headers=bearer(frank)).status_code == 422


def test_a_long_list_is_paged_in_two_steps_with_the_same_pages(
    client: Client, places, frank, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past core.paging.ONE_QUERY_UP_TO rows a page is its keys first, then its rows:
    the same items in the same order, with the same count, one query more."""
    for day in (3, 1, 4, 1, 5, 9, 2, 6):
        file(frank, places["unit_a"], f"路灯不亮（{day}日）", at=f"2022-05-0{day} 10:00")

    def page(**query: str) -> tuple[Any, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query, headers=bearer(frank))
        assert response.status_code == 200, response.content
        return response.json(), len(queries)

    pages = [page(limit="3", offset=str(offset)) for offset in (0, 3, 6)]
    monkeypatch.setattr("qinlin.core.paging.ONE_QUERY_UP_TO", 2)
    assert [page(limit="3", offset=str(offset)) for offset in (0, 3, 6)] == [
        (body, queries + 1) for body, queries in pages
    ]
    listed = [item["text"] for body, _queries in pages for item in body["items"]]
    assert len(listed) == 8
    assert listed[0] == "路灯不亮（9日）"
    assert pages[0][0]["count"] == 8


def test_the_inbox_never_shows_a_full_phone(client: Client, places, frank, alice) -> None:
    file(alice, places["home_a"], "楼道堆物", channel=Channel.ONLINE, reporter=alice)
    post(client, frank, hotline_call(places["unit_a"]))
    response = client.get(URL, headers=bearer(frank))
    text = response.content.decode()
    assert alice.phone
    assert alice.phone not in text
    assert "13812345678" not in text
    assert {i["reporter_phone_masked"] for i in response.json()["items"]} == {
        alice.phone_masked,
        "138****5678",
    }


def test_the_inbox_costs_the_same_queries_for_3_or_40_appeals(client: Client, places, dave) -> None:
    headers = bearer(dave)
    client.get(URL, headers=headers)  # the token's first use is written down once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"limit": 100}, headers=headers).status_code == 200
        return len(captured)

    for n in range(3):
        file(dave, places["home_a"] if n % 2 else places["unit_a"], f"第{n}件事")
    few = queries()
    for n in range(37):
        # Appeals about homes too: the label of a home's place walks up to its compound.
        where = places["home_a"] if n % 2 else places["building_a"]
        file(dave, where, f"又一件事{n}", code="parking")
    assert queries() == few
    assert few <= 10


# --- one appeal ------------------------------------------------------------------------------


def test_the_reporter_and_the_staff_read_the_timeline(
    client: Client, places, alice, bob, *, dave, oscar
) -> None:
    appeal = file(alice, places["home_a"], "楼道堆物", channel=Channel.ONLINE, reporter=alice)
    appeal_reject(actor=dave, appeals=[appeal], reason="请先与邻居沟通")
    url = f"{URL}/{appeal.uid}"

    mine = client.get(url, headers=bearer(alice))
    assert mine.status_code == 200
    body = mine.json()
    assert body["status"] == AppealStatus.REJECTED
    assert [(e["status"], e["note"]) for e in body["events"]] == [
        ("new", ""),
        ("rejected", "请先与邻居沟通"),
    ]
    assert body["events"][1]["actor"] == "杜*格"
    assert body["decision_note"] == "请先与邻居沟通"
    assert client.get(url, headers=bearer(dave)).status_code == 200
    for outsider in (bob, oscar):
        refused = client.get(url, headers=bearer(outsider))
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
    assert client.get(f"{URL}/nosuchappeal", headers=bearer(dave)).status_code == 404


def test_a_logged_in_browser_uses_the_api_with_its_session(client: Client, places, dave) -> None:
    file(dave, places["unit_a"])
    client.force_login(dave)
    assert client.get(URL).json()["count"] == 1


# --- the OpenAPI document --------------------------------------------------------------------


def test_both_endpoints_and_the_idempotency_header_are_documented(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    collection = doc["paths"]["/api/v1/appeals"]
    assert {"get", "post"} <= set(collection)
    assert "/api/v1/appeals/{uid}" in doc["paths"]
    headers = [p for p in collection["post"]["parameters"] if p["in"] == "header"]
    assert [(p["name"], p["required"]) for p in headers] == [("Idempotency-Key", False)]
    assert {"200", "201", "400", "403", "404"} <= set(collection["post"]["responses"])
    query = {p["name"] for p in collection["get"]["parameters"] if p["in"] == "query"}
    assert {"place", "category", "channel", "status", "date_from", "date_to"} <= query
    assert {"limit", "offset"} <= query
