"""Feedback items (反馈问题): staff see the problems raised under their places with the
resolution rate of a period, and follow each one until it is resolved or becomes an appeal."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.core.roles import Role
from qinlin.evaluation.campaigns import campaign_create, campaign_feedback
from qinlin.evaluation.models import FeedbackItem, FeedbackSource, FeedbackStatus, Level
from qinlin.evaluation.services import (
    audit_add,
    feedback_answer,
    feedback_assign,
    survey_open,
    survey_respond,
)
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from tests.evaluation.helpers import evaluating
from tests.factories import PersonFactory
from tests.topics.helpers import new_topic

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation:feedback")


def _raise(erin: Person, topic: Topic, *problems: str) -> list[FeedbackItem]:
    """An audit of the topic naming `problems`; each becomes a feedback item."""
    audit = audit_add(
        actor=erin,
        topic=topic,
        held_on=timezone.localdate(),
        panel="党员代表 宋淑珍、居民代表 罗凤英",
        findings="单元门已更换，个别问题待整改。",
        verdict="with_issues",
        problems=list(problems),
    )
    return list(FeedbackItem.objects.filter(audit=audit).order_by("id"))


def _page(item: FeedbackItem) -> str:
    return reverse("evaluation:feedback-item", args=[item.uid])


def _act(verb: str, item: FeedbackItem) -> str:
    return reverse(f"evaluation:feedback-{verb}", args=[item.uid])


def _raised_on(item: FeedbackItem, day: date, hour: int = 12) -> None:
    at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=timezone.get_current_timezone())
    FeedbackItem.objects.filter(pk=item.pk).update(created_at=at)


def _elsewhere(frank: Person, places: dict[str, Place], text: str) -> FeedbackItem:
    """A problem raised by an audit of a topic in compound B."""
    topic = new_topic(frank, places["unit_b"], "更换锦绣苑1号楼路灯")
    # Deciding and carrying out the work are the topics and works tests'.
    Topic.objects.filter(pk=topic.pk).update(stage=Stage.EVALUATING)
    topic.refresh_from_db()
    [item] = _raise(frank, topic, text)
    return item


@pytest.fixture
def topic(erin: Person, places: dict[str, Place]) -> Topic:
    return evaluating(erin, places)


@pytest.fixture
def staff_b(places: dict[str, Place]) -> Person:
    """The grid worker of compound B."""
    person = PersonFactory.create(name="韩网格")
    RoleAssignment.objects.create(person=person, role=Role.GRID_WORKER, place=places["compound_b"])
    return person


# --- the list --------------------------------------------------------------------------------


def test_staff_see_the_items_under_their_places_open_ones_first(
    client: Client,
    *,
    dave: Person,
    erin: Person,
    frank: Person,
    topic: Topic,
    places,
) -> None:
    resolved, old, new = _raise(erin, topic, "楼道灯不亮", "门禁卡发放不及时", "闭门器太紧")
    _raised_on(old, timezone.localdate() - timedelta(days=3))
    feedback_answer(actor=erin, item=resolved, answer="已更换灯泡。", resolved=True)
    elsewhere = _elsewhere(frank, places, "锦绣苑路灯闪烁")
    client.force_login(dave)

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("闭门器太紧") < page.index("门禁卡发放不及时") < page.index("楼道灯不亮")
    assert _page(new) in page
    assert "上河园 3号楼 2单元" in page
    assert topic.title in page
    assert "3 条反馈问题" in page
    assert "badge badge-warn" in page
    assert "已解决" in page
    assert "锦绣苑路灯闪烁" not in page
    assert _page(elsewhere) not in page


def test_community_staff_see_every_compound_and_campaign_items(
    client: Client, erin: Person, frank: Person, topic: Topic, places
) -> None:
    _raise(erin, topic, "楼道灯不亮")
    _elsewhere(frank, places, "锦绣苑路灯闪烁")
    today = timezone.localdate()
    campaign = campaign_create(
        actor=frank,
        place=places["compound_a"],
        title="居家养老服务满意度调查",
        domain="elderly_care",
        organiser="潍坊市社会工作协会",
        starts_on=today,
        ends_on=today + timedelta(days=14),
    )
    item = campaign_feedback(actor=frank, campaign=campaign, text="助餐点菜品太咸")
    client.force_login(frank)

    page = client.get(LIST).content.decode()

    assert "楼道灯不亮" in page
    assert "锦绣苑路灯闪烁" in page
    assert "助餐点菜品太咸" in page
    assert "居家养老服务满意度调查" in page
    detail = client.get(_page(item)).content.decode()
    assert reverse("evaluation:campaign", args=[campaign.uid]) in detail


def test_the_list_filters_by_status_and_source(
    client: Client, alice: Person, dave: Person, erin: Person, places
) -> None:
    topic = evaluating(erin, places)
    answered, still_open = _raise(erin, topic, "楼道灯不亮", "门禁卡发放不及时")
    feedback_answer(actor=erin, item=answered, answer="已报修，等配件。", resolved=False)
    survey = survey_open(
        actor=erin,
        topic=topic,
        scope=places["unit_a"],
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=50,
    )
    survey_respond(
        actor=alice,
        survey=survey,
        home=places["home_a"],
        level=Level.UNSATISFIED,
        comment="单元门还是关不严",
    )
    client.force_login(dave)

    page = client.get(LIST, {"status": "answered"}).content.decode()
    assert "楼道灯不亮" in page
    assert "门禁卡发放不及时" not in page
    assert "1 条反馈问题" in page

    page = client.get(LIST, {"source": "survey"}).content.decode()
    assert "单元门还是关不严" in page
    assert "上河园 3号楼 2单元 101" in page
    assert "楼道灯不亮" not in page

    page = client.get(LIST, {"status": "open", "source": "audit"}).content.decode()
    assert "门禁卡发放不及时" in page
    assert "楼道灯不亮" not in page
    assert "单元门还是关不严" not in page
    assert str(still_open.uid) in page


def test_a_bad_filter_is_ignored_with_a_note(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    _raise(erin, topic, "楼道灯不亮")
    client.force_login(dave)

    response = client.get(LIST, {"status": "lost", "source": "audit"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "没有“lost”这个状态，已显示全部状态。" in page
    assert "有的筛选条件无法识别，已忽略" in page
    assert "楼道灯不亮" in page  # the valid source filter still applies
    assert "1 条反馈问题" in page


# --- the figures -----------------------------------------------------------------------------


def test_the_figures_count_this_year_by_default(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    today = timezone.localdate()
    done, handed, waiting, last_year = _raise(erin, topic, "甲", "乙", "丙", "丁")
    feedback_answer(actor=erin, item=done, answer="已修好。", resolved=True)
    feedback_answer(actor=erin, item=handed, answer="已报修。", resolved=False)
    _raised_on(last_year, date(today.year - 1, 12, 31), hour=23)
    client.force_login(dave)

    response = client.get(LIST)

    figures = response.context["figures"]
    assert [(f.figures.total, f.figures.closed, f.still_open) for f in figures] == [(3, 1, 2)]
    assert figures[0].figures.resolution_rate == "33.3%"
    page = response.content.decode()
    assert f"{today.year}-01-01 至 {today.year}-12-31" in page
    assert "33.3%" in page
    assert "丁" in page  # the list keeps every item; only the figures count a period
    assert waiting.status == FeedbackStatus.OPEN


def test_an_item_raised_on_the_last_day_counts_and_the_day_after_does_not(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    first, last, after, before = _raise(erin, topic, "甲", "乙", "丙", "丁")
    _raised_on(first, date(2025, 3, 1), hour=0)
    _raised_on(last, date(2025, 3, 31), hour=23)
    _raised_on(after, date(2025, 4, 1), hour=0)
    _raised_on(before, date(2025, 2, 28), hour=23)
    feedback_answer(actor=erin, item=last, answer="已修好。", resolved=True)
    client.force_login(dave)

    response = client.get(LIST, {"from": "2025-03-01", "to": "2025-03-31"})

    [row] = response.context["figures"]
    assert (row.figures.total, row.figures.closed, row.figures.resolution_rate) == (
        2,
        1,
        "50.0%",
    )
    assert "2025-03-01 至 2025-03-31" in response.content.decode()
    [row] = client.get(LIST, {"from": "2025-04-01"}).context["figures"]
    assert row.figures.total == 1
    [row] = client.get(LIST, {"to": "2025-02-28"}).context["figures"]
    assert row.figures.total == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2025-02-31"}, "请填写有效的日期（年-月-日），例如 2026-01-31。"),
        ({"to": "明天"}, "请填写有效的日期（年-月-日），例如 2026-01-31。"),
        ({"from": "2025-04-01", "to": "2025-03-01"}, "开始日期不能晚于结束日期。"),
    ],
)
def test_a_bad_period_is_refused_and_this_year_is_shown(
    client: Client,
    *,
    dave: Person,
    erin: Person,
    topic: Topic,
    query,
    message,
) -> None:
    _raise(erin, topic, "甲")
    client.force_login(dave)

    response = client.get(LIST, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "统计期间有误，下面仍按今年统计。" in page
    year = timezone.localdate().year
    assert f"{year}-01-01 至 {year}-12-31" in page
    [row] = response.context["figures"]
    assert row.figures.total == 1


def test_filtering_the_list_keeps_the_period_and_the_other_way_round(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    _raise(erin, topic, "甲")
    client.force_login(dave)

    page = client.get(
        LIST, {"status": "open", "from": "2025-01-01", "to": "2025-12-31"}
    ).content.decode()

    assert '<input type="hidden" name="from" value="2025-01-01">' in page
    assert '<input type="hidden" name="to" value="2025-12-31">' in page
    assert '<input type="hidden" name="status" value="open">' in page


# --- one item --------------------------------------------------------------------------------


@pytest.mark.usefixtures("frank")
def test_staff_assign_an_item_to_someone_who_handles_feedback_nearest_first(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(dave)

    page = client.get(_page(item)).content.decode()

    assert "楼道灯不亮" in page
    assert "审计评估" in page
    assert reverse("topics:topic-detail", args=[topic.uid]) in page
    assert "上河园 3号楼 2单元" in page
    assert page.index("郑书记（支部书记") < page.index("冯社工（社区工作人员")
    assert "杜网格" in page
    response = client.post(_act("assign", item), {"assignee": erin.uid})
    assert response.status_code == 302
    assert response["Location"] == _page(item)
    item.refresh_from_db()
    assert (item.assignee, item.status) == (erin, FeedbackStatus.ASSIGNED)
    assert "处理人：郑书记" in client.get(LIST).content.decode()


def test_a_resident_cannot_be_made_the_assignee(
    client: Client, alice: Person, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(dave)

    response = client.post(_act("assign", item), {"assignee": alice.uid})

    assert response.status_code == 400
    item.refresh_from_db()
    assert (item.assignee, item.status) == (None, FeedbackStatus.OPEN)


def test_an_answer_is_kept_open_until_it_is_marked_resolved(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(dave)

    response = client.post(_act("answer", item), {"answer": "已报修，等配件。"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.closed_at, item.assignee) == (FeedbackStatus.ANSWERED, None, dave)
    page = client.get(_page(item)).content.decode()
    assert "已报修，等配件。" in page
    assert "尚未办结" in page
    assert "答复处理情况" in page

    response = client.post(_act("answer", item), {"answer": "已更换灯泡，亮了。", "resolved": "on"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FeedbackStatus.RESOLVED
    assert item.closed_at is not None
    page = client.get(_page(item)).content.decode()
    assert "办理结果" in page
    assert f"已于 {timezone.localtime(item.closed_at):%Y-%m-%d %H:%M} 解决。" in page
    assert "已更换灯泡，亮了。" in page
    assert "答复处理情况" not in page
    assert "指派处理人" not in page


def test_an_empty_answer_is_refused_and_nothing_changes(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(dave)

    response = client.post(_act("answer", item), {"answer": "  ", "resolved": "on"})

    assert response.status_code == 400
    assert "请写明处理情况。" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.answer, item.closed_at) == (FeedbackStatus.OPEN, "", None)


def test_an_item_turned_into_an_appeal_links_to_it(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "小区东门路面塌陷")
    category = Category.objects.filter(is_active=True).order_by("order", "id").first()
    assert category is not None
    client.force_login(dave)
    assert category.name in client.get(_page(item)).content.decode()

    response = client.post(_act("appeal", item), {"category": category.pk})

    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.text, appeal.place, appeal.channel) == (
        "小区东门路面塌陷",
        item.place,
        Channel.SURVEY,
    )
    item.refresh_from_db()
    assert (item.status, item.appeal) == (FeedbackStatus.APPEAL, appeal)
    page = client.get(_page(item)).content.decode()
    assert "转为诉求，由诉求收件箱跟进" in page
    assert reverse("appeals:appeal-detail", args=[appeal.uid]) in page


def test_turning_into_an_appeal_needs_an_active_category(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "小区东门路面塌陷")
    retired = Category.objects.create(code="retired", name="旧类别", name_en="Old", is_active=False)
    client.force_login(dave)

    for category in ("", retired.pk):
        response = client.post(_act("appeal", item), {"category": category})
        assert response.status_code == 400
    assert "请选择诉求类别。" in client.post(_act("appeal", item), {}).content.decode()
    assert not Appeal.objects.exists()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.OPEN


def test_a_closed_item_refuses_further_changes_and_says_why(
    client: Client, dave: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    feedback_answer(actor=erin, item=item, answer="已更换灯泡。", resolved=True)
    category = Category.objects.filter(is_active=True).first()
    assert category is not None
    client.force_login(dave)

    for verb, data in (
        ("assign", {"assignee": dave.uid}),
        ("answer", {"answer": "再看看"}),
        ("appeal", {"category": category.pk}),
    ):
        response = client.post(_act(verb, item), data, follow=True)
        assert "这个问题已经办结。" in response.content.decode(), verb
    item.refresh_from_db()
    assert (item.status, item.answer, item.assignee) == (
        FeedbackStatus.RESOLVED,
        "已更换灯泡。",
        erin,
    )
    assert not Appeal.objects.exists()


def test_a_survey_item_shows_the_answer_it_came_from(
    client: Client,
    *,
    alice: Person,
    dave: Person,
    erin: Person,
    topic: Topic,
    places,
) -> None:
    survey = survey_open(
        actor=erin,
        topic=topic,
        scope=places["unit_a"],
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=50,
    )
    survey_respond(
        actor=alice, survey=survey, home=places["home_a"], level=Level.UNSATISFIED, comment=""
    )
    item = FeedbackItem.objects.get(source=FeedbackSource.SURVEY)
    client.force_login(dave)

    page = client.get(_page(item)).content.decode()

    assert "不满意 · 网上填写" in page
    assert "上河园 3号楼 2单元 101" in page


# --- who may -------------------------------------------------------------------------------


def test_residents_cannot_open_the_feedback_pages(
    client: Client, alice: Person, bob: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.get(_page(item)).status_code == 404
        assert (
            client.post(_act("answer", item), {"answer": "好了", "resolved": "on"}).status_code
            == 404
        )
    item.refresh_from_db()
    assert item.status == FeedbackStatus.OPEN


def test_staff_of_another_compound_get_a_404(
    client: Client, erin: Person, staff_b: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(staff_b)

    assert "楼道灯不亮" not in client.get(LIST).content.decode()
    assert client.get(_page(item)).status_code == 404
    assert client.post(_act("assign", item), {"assignee": staff_b.uid}).status_code == 404
    item.refresh_from_db()
    assert item.assignee is None


def test_a_building_head_does_not_handle_feedback(
    client: Client, carol: Person, erin: Person, topic: Topic
) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    client.force_login(carol)
    assert client.get(LIST).status_code == 403
    assert client.get(_page(item)).status_code == 404


def test_the_pages_need_a_login(client: Client, erin: Person, topic: Topic) -> None:
    [item] = _raise(erin, topic, "楼道灯不亮")
    for url in (LIST, _page(item)):
        assert client.get(url).status_code == 302


# --- query budgets -------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_or_9_items(
    client: Client,
    *,
    alice: Person,
    dave: Person,
    erin: Person,
    frank: Person,
    topic: Topic,
    places,
    django_assert_num_queries,
) -> None:
    def add(n: int) -> None:
        items = _raise(erin, topic, *(f"问题{FeedbackItem.objects.count()}-{i}" for i in range(n)))
        feedback_assign(actor=erin, item=items[0], assignee=dave)
        feedback_answer(actor=erin, item=items[1], answer="已处理。", resolved=True)

    add(3)
    client.force_login(dave)
    few = _count(client, LIST)
    url = f"{LIST}?from=2020-01-01&to=2030-12-31"
    few_period = _count(client, url)

    add(4)
    today = timezone.localdate()
    campaign = campaign_create(
        actor=frank,
        place=places["compound_a"],
        title="居家养老服务满意度调查",
        domain="elderly_care",
        organiser="潍坊市社会工作协会",
        starts_on=today,
        ends_on=today + timedelta(days=14),
    )
    campaign_feedback(actor=frank, campaign=campaign, text="助餐点菜品太咸")
    survey = survey_open(
        actor=erin, topic=topic, scope=places["unit_a"], closes_on=today, min_rate=50
    )
    survey_respond(actor=alice, survey=survey, home=places["home_a"], level=Level.UNSATISFIED)
    assert FeedbackItem.objects.count() == 9

    assert few <= 8
    with django_assert_num_queries(few):
        client.get(LIST)
    with django_assert_num_queries(few_period):
        client.get(url)
