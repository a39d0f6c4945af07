"""/api/v1/works: a decided topic's tasks, tenders and funding plan as callers may see them,
and progress reported through the same service and refusals as the topic page."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from qinlin.api.services import api_token_issue
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.works.funding import funding_plan_set, payment_record
from qinlin.works.models import (
    FundingPlan,
    HomeShare,
    PaymentStatus,
    Task,
    TaskReport,
    TaskStatus,
    Tender,
)
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import (
    bid_add,
    tender_award,
    tender_comment,
    tender_open,
    tender_publish,
)
from tests.factories import PlaceFactory, resident_of
from tests.works.helpers import decided

pytestmark = pytest.mark.django_db

WORKS = "/api/v1/works"
BIDS = [
    ("潍坊安居门业", Decimal("11800.00"), "AJ-600 楼宇对讲防盗门"),
    ("鲁安门窗", Decimal("12400.00"), "LA-9 单元门"),
    ("恒通建材", Decimal("10900.00"), "HT-3 钢质门"),
]
# Option B of the story: 12,000 yuan, 3,000 from the property company, the rest from residents.
LINES = {"residents": 900_000, "property_subsidy": 300_000}


@pytest.fixture
def zhang(places: dict[str, Place]) -> Person:
    """A party-member backbone living at 102, responsible for the work; he holds no role."""
    return resident_of(places["home_a2"], name="张志明")


def bearer(person: Person, **headers: str) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="议事小程序")
    return {"Authorization": f"Bearer {key}", **headers}


def _photo() -> tuple[str, io.BytesIO]:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    buffer.seek(0)
    return "door.jpg", buffer


def _task(erin: Person, topic: Topic, responsible: Person, title: str = "更换单元门") -> Task:
    return task_create(
        actor=erin,
        topic=topic,
        title=title,
        responsible=responsible,
        due_on=timezone.localdate() + timedelta(days=10),
    )


def _tender(erin: Person, topic: Topic, title: str = "3号楼2单元单元门更换") -> Tender:
    return tender_open(
        actor=erin,
        topic=topic,
        title=title,
        requirements="钢质防盗单元门，带门禁，质保三年。",
        deadline=timezone.now() + timedelta(days=5),
    )


def _published(erin: Person, tender: Tender) -> Tender:
    # Bids are only taken before the deadline and only published after it.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    tender.refresh_from_db()
    return tender_publish(actor=erin, tender=tender)


def _plan(erin: Person, topic: Topic, places: dict[str, Place]) -> FundingPlan:
    return funding_plan_set(
        actor=erin,
        topic=topic,
        total_fen=1_200_000,
        lines=LINES,
        scope=places["unit_a"],
        share_mode="area",
    )


def report(client: Client, person: Person, task: Task, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"{WORKS}/tasks/{task.uid}/reports",
        body,
        content_type="application/json",
        headers=bearer(person, **headers),
    )


def counter(client: Client, url: str, headers: dict[str, str]) -> Callable[[], int]:
    client.get(url, headers=headers)  # the token's first use is written down once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, headers=headers).status_code == 200
        return len(captured)

    return queries


# --- tasks -----------------------------------------------------------------------------------


def test_a_resident_reads_the_tasks_with_names_masked(
    client: Client, places, erin, alice, zhang
) -> None:
    topic = decided(erin, places)
    task = _task(erin, topic, zhang)
    progress = task_report(
        actor=zhang, task=task, text="门已订购", status=TaskStatus.DOING, photos=[_photo()]
    )
    photo = progress.photos.get()

    response = client.get(f"{WORKS}/topics/{topic.uid}/tasks", headers=bearer(alice))

    assert response.status_code == 200
    [body] = response.json()
    assert (body["uid"], body["title"], body["responsible"]) == (task.uid, "更换单元门", "张*明")
    assert body["due_on"] == task.due_on.isoformat()
    assert (body["status"], body["status_label"]) == ("doing", "进行中")
    assert (body["overdue"], body["done_at"]) == (False, None)
    [reported] = body["reports"]
    assert (reported["text"], reported["status"], reported["actor"]) == (
        "门已订购",
        "doing",
        "张*明",
    )
    assert reported["photos"] == [f"/works/photos/{photo.pk}/"]
    assert "张志明" not in response.content.decode()


def test_staff_read_the_tasks_with_names_in_full(
    client: Client, places, erin, carol, zhang
) -> None:
    topic = decided(erin, places)
    task = _task(erin, topic, zhang)
    task_report(actor=zhang, task=task, text="门已订购", status=TaskStatus.DOING)

    for staff in (erin, carol):  # the branch secretary, and a building head above the unit
        [body] = client.get(f"{WORKS}/topics/{topic.uid}/tasks", headers=bearer(staff)).json()
        assert body["responsible"] == "张志明"
        assert body["reports"][0]["actor"] == "张志明"


def test_a_task_past_its_due_date_is_overdue_until_done(
    client: Client, places, erin, alice, zhang
) -> None:
    topic = decided(erin, places)
    late = _task(erin, topic, zhang, "公示招标结果")
    done = _task(erin, topic, zhang, "更换单元门")
    task_report(actor=zhang, task=done, text="新门已装好", status=TaskStatus.DONE)
    Task.objects.update(due_on=timezone.localdate() - timedelta(days=3))

    body = client.get(f"{WORKS}/topics/{topic.uid}/tasks", headers=bearer(alice)).json()

    by_uid = {t["uid"]: t for t in body}
    assert (by_uid[late.uid]["overdue"], by_uid[late.uid]["done_at"]) == (True, None)
    assert by_uid[done.uid]["overdue"] is False
    assert by_uid[done.uid]["done_at"] is not None


# --- tenders ---------------------------------------------------------------------------------


def test_bids_are_sealed_from_residents_while_the_tender_is_open(
    client: Client, places, erin, dave, alice
) -> None:
    topic = decided(erin, places)
    tender = _tender(erin, topic)
    for vendor, price, model in BIDS:
        bid_add(actor=erin, tender=tender, vendor=vendor, price=price, product=model)
    url = f"{WORKS}/topics/{topic.uid}/tenders"

    for reader in (alice, dave):  # a resident, and staff who do not run tenders
        response = client.get(url, headers=bearer(reader))
        assert response.status_code == 200
        [sealed] = response.json()
        assert (sealed["uid"], sealed["status"], sealed["published_at"]) == (
            tender.uid,
            "open",
            None,
        )
        assert sealed["requirements"] == "钢质防盗单元门，带门禁，质保三年。"
        assert (sealed["bids_sealed"], sealed["bids"], sealed["award"]) == (True, None, None)
        assert "恒通建材" not in response.content.decode()

    [running] = client.get(url, headers=bearer(erin)).json()
    assert running["bids_sealed"] is False
    assert [(b["vendor"], b["price"], b["product"]) for b in running["bids"]] == [
        ("恒通建材", "10900.00", "HT-3 钢质门"),
        ("潍坊安居门业", "11800.00", "AJ-600 楼宇对讲防盗门"),
        ("鲁安门窗", "12400.00", "LA-9 单元门"),
    ]


def test_published_bids_comments_and_the_award_are_shown_to_residents(
    client: Client, places, erin, alice
) -> None:
    topic = decided(erin, places)
    tender = _tender(erin, topic)
    bids = [bid_add(actor=erin, tender=tender, vendor=v, price=p) for v, p, _m in BIDS]
    tender = _published(erin, tender)
    tender_comment(actor=alice, tender=tender, text="恒通的门质保只有一年，建议选安居。")
    url = f"{WORKS}/topics/{topic.uid}/tenders"

    [published] = client.get(url, headers=bearer(alice)).json()
    assert (published["status"], published["bids_sealed"]) == ("published", False)
    assert published["published_at"] is not None
    assert [b["vendor"] for b in published["bids"]] == ["恒通建材", "潍坊安居门业", "鲁安门窗"]
    [comment] = published["comments"]
    assert (comment["text"], comment["author"]) == ("恒通的门质保只有一年，建议选安居。", "李*丽")

    tender_award(actor=erin, tender=tender, bid=bids[0], reason="报价居中，质保三年。")

    [awarded] = client.get(url, headers=bearer(alice)).json()
    assert (awarded["status"], awarded["status_label"]) == ("awarded", "已定标")
    assert awarded["award"] == {
        "vendor": "潍坊安居门业",
        "price": "11800.00",
        "reason": "报价居中，质保三年。",
    }
    [for_staff] = client.get(url, headers=bearer(erin)).json()
    assert for_staff["comments"][0]["author"] == "李爱丽"


# --- funding ---------------------------------------------------------------------------------


def test_staff_who_manage_the_works_see_every_homes_share_in_exact_amounts(
    client: Client, places, erin, dave
) -> None:
    topic = decided(erin, places)
    plan = _plan(erin, topic, places)
    payment_record(
        actor=erin,
        share=plan.shares.get(home=places["home_a2"]),
        status=PaymentStatus.EXEMPT,
        reason="低保户",
    )

    response = client.get(f"{WORKS}/topics/{topic.uid}/funding", headers=bearer(dave))

    assert response.status_code == 200
    body = response.json()
    assert (body["total_yuan"], body["total_fen"]) == ("12000.00", 1_200_000)
    assert (body["scope"], body["scope_address"]) == (places["unit_a"].uid, "上河园 3号楼 2单元")
    assert (body["share_mode"], body["share_mode_label"]) == ("area", "按面积分摊")
    assert [
        (line["source"], line["label"], line["amount_yuan"], line["amount_fen"])
        for line in body["lines"]
    ] == [
        ("residents", "居民自筹", "9000.00", 900_000),
        ("property_subsidy", "物业补贴", "3000.00", 300_000),
    ]
    assert (body["homes"], body["paid"], body["exempt"]) == (2, 0, 1)
    assert body["all_shares"] is True
    # 9,000 yuan over 89.50 and 120.00 m²: 3,844.868… and 5,155.131…; the odd fen to 101.
    assert [
        (
            s["home"],
            s["address"],
            s["amount_yuan"],
            s["amount_fen"],
            s["status"],
            s["exempt_reason"],
        )
        for s in body["shares"]
    ] == [
        (places["home_a"].uid, "上河园 3号楼 2单元 101", "3844.87", 384_487, "unpaid", ""),
        (places["home_a2"].uid, "上河园 3号楼 2单元 102", "5155.13", 515_513, "exempt", "低保户"),
    ]


def test_a_resident_sees_the_plan_and_only_their_own_homes_share(
    client: Client, places, erin, alice, carol
) -> None:
    topic = decided(erin, places)
    plan = _plan(erin, topic, places)
    payment_record(
        actor=erin, share=plan.shares.get(home=places["home_a"]), status=PaymentStatus.PAID
    )
    url = f"{WORKS}/topics/{topic.uid}/funding"

    body = client.get(url, headers=bearer(alice)).json()

    assert (body["total_yuan"], body["homes"], body["paid"]) == ("12000.00", 2, 1)
    assert body["all_shares"] is False
    assert [(s["address"], s["amount_yuan"], s["status"]) for s in body["shares"]] == [
        ("上河园 3号楼 2单元 101", "3844.87", "paid")
    ]
    # A building head reads the topic but neither manages the works nor lives here.
    building_head = client.get(url, headers=bearer(carol)).json()
    assert (building_head["all_shares"], building_head["shares"]) == (False, [])


def test_a_topic_without_a_funding_plan_says_so(client: Client, places, erin, alice) -> None:
    topic = decided(erin, places)

    response = client.get(f"{WORKS}/topics/{topic.uid}/funding", headers=bearer(alice))

    assert response.status_code == 404
    assert response.json() == {
        "code": "no_funding_plan",
        "message": "这个议题还没有资金方案。",
        "field": "",
    }


# --- outsiders -------------------------------------------------------------------------------


def test_another_compounds_resident_learns_nothing_of_the_works(
    client: Client, places, erin, bob, oscar
) -> None:
    topic = decided(erin, places)
    task = _task(erin, topic, erin)
    bid_add(actor=erin, tender=_tender(erin, topic), vendor="恒通建材", price=Decimal("10900"))
    _plan(erin, topic, places)

    for outsider in (bob, oscar):
        for what in ("tasks", "tenders", "funding"):
            refused = client.get(f"{WORKS}/topics/{topic.uid}/{what}", headers=bearer(outsider))
            assert refused.status_code == 404, what
            assert refused.json()["code"] == "not_found"
        posted = report(client, outsider, task, {"text": "好了", "status": "done"})
        assert (posted.status_code, posted.json()["code"]) == (404, "not_found")
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED
    assert not TaskReport.objects.exists()
    missing = report(client, erin, Task(uid="nosuchtask"), {"text": "好了", "status": "done"})
    assert (missing.status_code, missing.json()["message"]) == (404, "找不到这个任务。")
    assert client.get(f"{WORKS}/topics/{topic.uid}/tasks").status_code == 401


# --- reporting progress ----------------------------------------------------------------------


def test_the_person_responsible_reports_progress_and_the_task_follows(
    client: Client, places, erin, zhang
) -> None:
    topic = decided(erin, places)
    task = _task(erin, topic, zhang)

    response = report(client, zhang, task, {"text": "门已订购", "status": "doing"})

    assert response.status_code == 201
    body = response.json()
    assert (body["uid"], body["status"], body["done_at"]) == (task.uid, "doing", None)
    assert [(r["text"], r["status"], r["photos"]) for r in body["reports"]] == [
        ("门已订购", "doing", [])
    ]
    task.refresh_from_db()
    assert task.status == TaskStatus.DOING

    finished = report(client, zhang, task, {"text": "新门已装好", "status": "done"})

    assert finished.status_code == 201
    assert finished.json()["status"] == "done"
    assert finished.json()["done_at"] is not None
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert topic.steps.filter(verb="task_done").exists()


def test_a_resident_who_is_not_responsible_is_refused_and_nothing_changes(
    client: Client, places, erin, alice, zhang
) -> None:
    task = _task(erin, decided(erin, places), zhang)

    refused = report(client, alice, task, {"text": "好了", "status": "done"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    task.refresh_from_db()
    assert (task.status, task.done_at) == (TaskStatus.NOT_STARTED, None)
    assert not TaskReport.objects.exists()


def test_a_bad_report_is_refused_with_a_clear_message_and_nothing_changes(
    client: Client, places, erin, zhang
) -> None:
    task = _task(erin, decided(erin, places), zhang)

    unknown = report(client, zhang, task, {"text": "好了", "status": "finished"})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "code": "bad_status",
        "message": "请选择任务状态。",
        "field": "status",
    }
    english = report(
        client, zhang, task, {"text": "done", "status": "finished"}, **{"Accept-Language": "en"}
    )
    assert (english.status_code, english.json()["message"]) == (400, "Choose the task's status.")
    empty = report(client, zhang, task, {"text": "  ", "status": "doing"})
    assert (empty.status_code, empty.json()["code"]) == (400, "text_required")
    missing = report(client, zhang, task, {"status": "doing"})
    assert missing.status_code == 422
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED
    assert not TaskReport.objects.exists()


# --- query budgets ---------------------------------------------------------------------------


def test_reading_tasks_costs_the_same_queries_for_2_or_6_tasks(
    client: Client, places, erin, alice, django_assert_num_queries
) -> None:
    topic = decided(erin, places)
    url = f"{WORKS}/topics/{topic.uid}/tasks"

    def add(n: int) -> None:
        for i in range(n):
            task = _task(erin, topic, erin, f"任务{Task.objects.count()}-{i}")
            task_report(
                actor=erin, task=task, text="进展", status=TaskStatus.DOING, photos=[_photo()]
            )

    readers = {person.pk: counter(client, url, bearer(person)) for person in (erin, alice)}
    add(2)
    few = {pk: queries() for pk, queries in readers.items()}
    add(4)
    for pk, queries in readers.items():
        assert few[pk] <= 12
        with django_assert_num_queries(few[pk]):
            queries()


def test_reading_tenders_costs_the_same_queries_for_few_or_many_bids(
    client: Client, places, erin, alice, django_assert_num_queries
) -> None:
    topic = decided(erin, places)
    url = f"{WORKS}/topics/{topic.uid}/tenders"

    def add(title: str, vendors: int, comments: int) -> None:
        tender = _tender(erin, topic, title)
        for i in range(vendors):
            bid_add(actor=erin, tender=tender, vendor=f"{title}{i}", price=Decimal(1000 + i))
        tender = _published(erin, tender)
        for i in range(comments):
            tender_comment(actor=alice, tender=tender, text=f"意见{i}")

    readers = {person.pk: counter(client, url, bearer(person)) for person in (erin, alice)}
    add("单元门", vendors=3, comments=1)
    few = {pk: queries() for pk, queries in readers.items()}
    add("楼道灯", vendors=6, comments=3)
    tender = _tender(erin, topic, "充电桩")
    for i in range(6):
        bid_add(actor=erin, tender=tender, vendor=f"充电桩{i}", price=Decimal(2000 + i))
    for pk, queries in readers.items():
        assert few[pk] <= 12
        with django_assert_num_queries(few[pk]):
            queries()


def test_reading_the_funding_plan_costs_the_same_queries_for_2_or_6_homes(
    client: Client, places, erin, alice, django_assert_num_queries
) -> None:
    topic = decided(erin, places)
    url = f"{WORKS}/topics/{topic.uid}/funding"
    readers = {person.pk: counter(client, url, bearer(person)) for person in (erin, alice)}
    _plan(erin, topic, places)
    few = {pk: queries() for pk, queries in readers.items()}
    for i in range(4):
        PlaceFactory.create(kind=PlaceKind.HOME, name=f"{201 + i}", parent=places["unit_a"])
    plan = _plan(erin, topic, places)  # set again over the six homes
    assert HomeShare.objects.filter(plan=plan).count() == 6
    for pk, queries in readers.items():
        assert few[pk] <= 12
        with django_assert_num_queries(few[pk]):
            queries()


# --- the OpenAPI document --------------------------------------------------------------------


def test_the_endpoints_are_documented_with_their_errors(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("tasks", "tenders", "funding"):
        get = paths[f"/api/v1/works/topics/{{uid}}/{path}"]["get"]
        assert get["summary"]
        assert get["description"]
        assert {"200", "404"} <= set(get["responses"])
    post = paths["/api/v1/works/tasks/{uid}/reports"]["post"]
    assert "web form" in post["description"]
    assert {"201", "400", "403", "404", "422"} <= set(post["responses"])
