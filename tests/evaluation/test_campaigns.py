"""Survey campaigns: building the questionnaire, answering it online or door to door, the
results, the workbook, the charts and who may see what."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.roles import Role
from qinlin.demo.campaign import load_campaign
from qinlin.evaluation.campaigns import (
    AnswersError,
    campaign_create,
    campaign_feedback,
    campaign_publish,
    campaign_respond,
    campaign_results,
    campaign_update,
    question_add,
    question_move,
    question_remove,
    question_update,
)
from qinlin.evaluation.charts import bar_chart
from qinlin.evaluation.models import (
    Answer,
    Campaign,
    CampaignResponse,
    FeedbackItem,
    FeedbackSource,
    Question,
    QuestionKind,
    ServiceDomain,
)
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from tests.factories import PersonFactory, PlaceFactory, resident_of

pytestmark = pytest.mark.django_db

SERVICES = ["助餐", "助浴", "助医", "上门保洁"]


@pytest.fixture
def tina(places: dict[str, Place]) -> Person:
    """A third-party survey body's worker, at the community."""
    person = PersonFactory.create(name="唐调查")
    RoleAssignment.objects.create(person=person, role=Role.THIRD_PARTY, place=places["community"])
    return person


def _campaign(actor: Person, place: Place, **changes: Any) -> Campaign:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "title": "居家养老服务满意度调查",
        "domain": ServiceDomain.ELDERLY_CARE,
        "organiser": "齐鲁社会工作服务中心",
        "intro": "大约需要 3 分钟。",
        "starts_on": today,
        "ends_on": today + timedelta(days=14),
        **changes,
    }
    return campaign_create(actor=actor, place=place, **fields)


def _questions(actor: Person, campaign: Campaign) -> list[Question]:
    return [
        question_add(
            actor=actor,
            campaign=campaign,
            kind=QuestionKind.SINGLE,
            text="您是否使用过居家养老服务？",
            options=["使用过", "没有使用过"],
        ),
        question_add(
            actor=actor,
            campaign=campaign,
            kind=QuestionKind.MULTIPLE,
            text="您使用过哪些服务？",
            options=SERVICES,
            required=False,
        ),
        question_add(actor=actor, campaign=campaign, kind=QuestionKind.RATING, text="总体满意程度"),
        question_add(
            actor=actor,
            campaign=campaign,
            kind=QuestionKind.TEXT,
            text="您的意见和建议",
            required=False,
        ),
    ]


def _published(actor: Person, place: Place) -> tuple[Campaign, list[Question]]:
    campaign = _campaign(actor, place)
    questions = _questions(actor, campaign)
    return campaign_publish(actor=actor, campaign=campaign), questions


def _answers(questions: list[Question], *values: object) -> dict[int, object]:
    return {q.pk: v for q, v in zip(questions, values, strict=True)}


# --- building ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["只有一个"], "option_count"),
        ([], "option_count"),
        ([f"选项{i}" for i in range(11)], "option_count"),
        (["满意", "满意", "不满意"], "duplicate_options"),
        (["满意", "  ", "不满意"], "empty_option"),
        (["满意", "很长" * 40], "option_too_long"),
    ],
)
@pytest.mark.parametrize("kind", [QuestionKind.SINGLE, QuestionKind.MULTIPLE])
def test_choice_questions_need_two_to_ten_distinct_options(
    places: dict[str, Place], tina: Person, kind: str, options: list[str], code: str
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    with pytest.raises(DomainError) as refused:
        question_add(actor=tina, campaign=campaign, kind=kind, text="哪一项？", options=options)
    assert (refused.value.code, refused.value.field) == (code, "options")
    assert not Question.objects.exists()


def test_ten_options_with_spaces_around_them_are_fine(
    places: dict[str, Place], tina: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    question = question_add(
        actor=tina,
        campaign=campaign,
        kind=QuestionKind.SINGLE,
        text="  哪一项？ ",
        options=[f" 选项{i} " for i in range(10)],
    )
    assert question.text == "哪一项？"
    assert question.options == [f"选项{i}" for i in range(10)]


@pytest.mark.parametrize("kind", [QuestionKind.RATING, QuestionKind.TEXT])
def test_rating_and_text_questions_take_no_options(
    places: dict[str, Place], tina: Person, kind: str
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    with pytest.raises(DomainError, match="不设选项") as refused:
        question_add(actor=tina, campaign=campaign, kind=kind, text="打分", options=["1", "2"])
    assert refused.value.code == "options_not_allowed"
    question = question_add(actor=tina, campaign=campaign, kind=kind, text="打分", options=[""])
    assert question.options == []


def test_a_question_needs_its_text(places: dict[str, Place], tina: Person) -> None:
    campaign = _campaign(tina, places["compound_a"])
    with pytest.raises(DomainError, match="请填写题目") as refused:
        question_add(actor=tina, campaign=campaign, kind=QuestionKind.TEXT, text="  ")
    assert refused.value.field == "text"


def test_questions_keep_their_numbers_when_moved_and_removed(
    places: dict[str, Place], tina: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    first, second, third, fourth = _questions(tina, campaign)
    question_move(actor=tina, question=fourth, direction="up")
    question_move(actor=tina, question=first, direction="up")  # already first: nothing moves
    question_move(actor=tina, question=second, direction="down")

    def order() -> list[tuple[int, int]]:
        return list(campaign.questions.order_by("position").values_list("position", "id"))

    assert order() == [(1, first.pk), (2, fourth.pk), (3, second.pk), (4, third.pk)]
    question_remove(actor=tina, question=fourth)
    assert order() == [(1, first.pk), (2, second.pk), (3, third.pk)]
    with pytest.raises(DomainError):
        question_move(actor=tina, question=first, direction="sideways")


def test_a_question_is_corrected_before_publication(places: dict[str, Place], tina: Person) -> None:
    campaign = _campaign(tina, places["compound_a"])
    question = _questions(tina, campaign)[0]
    question_update(
        actor=tina,
        question=question,
        kind=QuestionKind.MULTIPLE,
        text="您使用过哪些服务？",
        options=SERVICES,
        required=False,
    )
    question.refresh_from_db()
    assert (question.kind, question.options, question.required) == ("multiple", SERVICES, False)


def test_publication_needs_a_question_and_an_end_date_not_yet_passed(
    places: dict[str, Place], tina: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    with pytest.raises(DomainError, match="至少添加一道题目"):
        campaign_publish(actor=tina, campaign=campaign)
    _questions(tina, campaign)
    yesterday = timezone.localdate() - timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=yesterday, ends_on=yesterday)
    with pytest.raises(DomainError, match="结束日期已经过了"):
        campaign_publish(actor=tina, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=timezone.localdate())
    campaign_publish(actor=tina, campaign=campaign)
    assert Campaign.objects.get().published_at is not None
    with pytest.raises(ConflictError):
        campaign_publish(actor=tina, campaign=campaign)


def test_nothing_about_the_questions_changes_after_publication(
    places: dict[str, Place], tina: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    attempts = [
        lambda: question_add(actor=tina, campaign=campaign, kind="text", text="再加一题"),
        lambda: question_update(actor=tina, question=questions[3], kind="text", text="改"),
        lambda: question_remove(actor=tina, question=questions[0]),
        lambda: question_move(actor=tina, question=questions[1], direction="up"),
        lambda: campaign_update(
            actor=tina,
            campaign=campaign,
            title="改标题",
            domain="culture",
            organiser="x",
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError, match="已经发布"):
            attempt()
    assert list(campaign.questions.values_list("text", flat=True)) == [q.text for q in questions]


def test_a_campaign_needs_sensible_details(places: dict[str, Place], tina: Person) -> None:
    today = timezone.localdate()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"title": " "}, "title"),
        ({"domain": "sports"}, "domain"),
        ({"organiser": ""}, "organiser"),
        ({"starts_on": today, "ends_on": today - timedelta(days=1)}, "ends_on"),
        ({"starts_on": today - timedelta(days=9), "ends_on": today - timedelta(days=2)}, "ends_on"),
    ]
    for changes, field in bad:
        with pytest.raises(DomainError) as refused:
            _campaign(tina, places["compound_a"], **changes)
        assert refused.value.field == field
    with pytest.raises(DomainError) as refused:
        _campaign(tina, places["home_a"])
    assert refused.value.field == "place"
    assert not Campaign.objects.exists()


def test_only_the_community_office_and_third_parties_run_campaigns(
    places: dict[str, Place], tina: Person, frank: Person, alice: Person, dave: Person
) -> None:
    _campaign(tina, places["compound_a"])
    _campaign(frank, places["community"])
    for outsider in (alice, dave):
        with pytest.raises(ForbiddenError):
            _campaign(outsider, places["compound_a"])


# --- answering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        (("", [], "4", ""), 1, "此题必答"),
        (("用过", [], "4", ""), 1, "“用过”不是此题的选项"),
        (("使用过", ["助餐", "跳舞"], "4", ""), 2, "“跳舞”不是此题的选项"),
        (("使用过", [], "6", ""), 3, "评分应为 1 至 5 的整数"),
        (("使用过", [], "0", ""), 3, "评分应为 1 至 5 的整数"),
        (("使用过", [], "3.5", ""), 3, "评分应为 1 至 5 的整数"),
        (("使用过", [], "很好", ""), 3, "评分应为 1 至 5 的整数"),
        (("使用过", [], None, ""), 3, "此题必答"),
        (("使用过", [], 4, "好" * 2001), 4, "回答最多 2000 字，现在有 2001 字"),
        ((["使用过", "没有使用过"], [], 4, ""), 1, "只能选一项"),
    ],
)
def test_each_kind_of_bad_answer_is_refused_naming_its_question(
    places: dict[str, Place],
    tina: Person,
    alice: Person,
    case: tuple[tuple[object, ...], int, str],
) -> None:
    values, number, problem = case
    campaign, questions = _published(tina, places["compound_a"])
    with pytest.raises(AnswersError) as refused:
        campaign_respond(
            actor=alice,
            campaign=campaign,
            answers=_answers(questions, *values),
            respondent=alice,
        )
    assert refused.value.problems == {questions[number - 1].pk: mock.ANY}
    assert problem in refused.value.problems[questions[number - 1].pk]
    assert f"第 {number} 题：" in str(refused.value)
    assert problem in str(refused.value)
    assert not CampaignResponse.objects.exists()
    assert not Answer.objects.exists()


def test_every_bad_answer_is_listed_in_one_refusal(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    with pytest.raises(AnswersError) as refused:
        campaign_respond(
            actor=alice,
            campaign=campaign,
            answers=_answers(questions, "", ["跳舞"], "9", "好"),
            respondent=alice,
        )
    message = str(refused.value)
    assert message.index("第 1 题") < message.index("第 2 题") < message.index("第 3 题")
    assert "第 4 题" not in message
    assert set(refused.value.problems) == {q.pk for q in questions[:3]}
    assert not CampaignResponse.objects.exists()


def test_a_good_response_is_stored_tidied(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    response = campaign_respond(
        actor=alice,
        campaign=campaign,
        answers=_answers(questions, " 使用过 ", ["助医", "助餐", "助医"], "5", "  "),
        respondent=alice,
    )
    stored = dict(response.answers.values_list("question_id", "value"))
    # The options in the question's order, each once; the blank optional text is not stored.
    assert stored == {
        questions[0].pk: "使用过",
        questions[1].pk: ["助餐", "助医"],
        questions[2].pk: 5,
    }
    assert (response.respondent, response.recorded_by) == (alice, alice)


def test_answers_to_another_campaigns_questions_are_refused(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    _other, others = _published(tina, places["compound_a"])
    with pytest.raises(DomainError, match="不属于这份问卷"):
        campaign_respond(
            actor=alice,
            campaign=campaign,
            answers={**_answers(questions, "使用过", [], 4, ""), others[0].pk: "使用过"},
            respondent=alice,
        )
    assert not CampaignResponse.objects.exists()


def test_a_second_submission_is_refused_and_one_row_kept(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    answers = _answers(questions, "使用过", ["助餐"], 4, "")
    campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    with pytest.raises(ConflictError, match="已经填写过") as refused:
        campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    assert refused.value.code == "already_answered"
    assert CampaignResponse.objects.filter(respondent=alice).count() == 1


def test_the_database_refuses_a_second_row_when_the_check_is_raced(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    """Two submissions at once both pass the friendly check; the constraint stops one."""
    campaign, questions = _published(tina, places["compound_a"])
    answers = _answers(questions, "使用过", ["助餐"], 4, "")
    campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    with (
        mock.patch("qinlin.evaluation.campaigns.lives_under", return_value=True),
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ConflictError) as refused,
    ):
        campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    assert refused.value.code == "already_answered"
    assert CampaignResponse.objects.count() == 1
    assert Answer.objects.count() == 3


def test_door_to_door_responses_have_no_respondent_and_may_be_many(
    places: dict[str, Place], tina: Person, frank: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    answers = _answers(questions, "没有使用过", [], 3, "")
    campaign_respond(actor=tina, campaign=campaign, answers=answers)
    campaign_respond(actor=frank, campaign=campaign, answers=answers)
    assert [(r.respondent_id, r.recorded_by_id) for r in CampaignResponse.objects.all()] == [
        (None, tina.pk),
        (None, frank.pk),
    ]
    with pytest.raises(ForbiddenError):
        campaign_respond(actor=alice, campaign=campaign, answers=answers)
    with pytest.raises(ForbiddenError):
        campaign_respond(actor=tina, campaign=campaign, answers=answers, respondent=alice)


def test_only_residents_of_the_place_answer_online(
    places: dict[str, Place], tina: Person, alice: Person, bob: Person, oscar: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    answers = _answers(questions, "使用过", [], 4, "")
    for outsider in (bob, oscar, tina):
        with pytest.raises(ForbiddenError):
            campaign_respond(
                actor=outsider, campaign=campaign, answers=answers, respondent=outsider
            )
    campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)


def test_answers_are_taken_only_while_published_and_within_the_dates(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    questions = _questions(tina, campaign)
    answers = _answers(questions, "使用过", [], 4, "")
    with pytest.raises(ConflictError, match="还没有发布"):
        campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=today + timedelta(days=1))
    campaign = campaign_publish(actor=tina, campaign=Campaign.objects.get())
    with pytest.raises(ConflictError, match="开始填写"):
        campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1)
    )
    with pytest.raises(ConflictError, match="已于"):
        campaign_respond(
            actor=alice, campaign=Campaign.objects.get(), answers=answers, respondent=alice
        )
    assert not CampaignResponse.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_categories")
def test_two_simultaneous_submissions_by_one_person_leave_one_response(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    answers = _answers(questions, "使用过", ["助餐"], 4, "")
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            campaign_respond(actor=alice, campaign=campaign, answers=answers, respondent=alice)
            outcomes.append("stored")
        except ConflictError as error:
            outcomes.append(error.code)
        except BaseException as error:  # pragma: no cover - reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["already_answered", "stored"]
    assert CampaignResponse.objects.filter(campaign=campaign).count() == 1
    assert Answer.objects.filter(response__campaign=campaign).count() == 3


# --- results, feedback, workbook, charts ---------------------------------------------------


def _hand_built(places: dict[str, Place], tina: Person) -> tuple[Campaign, list[Question]]:
    """Three residents online and one door-to-door answer, figures worked out by hand."""
    campaign, questions = _published(tina, places["compound_a"])
    residents = [resident_of(places["home_a"], name=f"居民{i}") for i in range(3)]
    rows = [
        ("使用过", ["助餐", "助浴"], 5, "送餐有时太晚。"),
        ("使用过", ["助餐"], 4, ""),
        ("没有使用过", ["助医", "助餐"], 2, "希望增加助浴次数。"),
    ]
    for person, row in zip(residents, rows, strict=True):
        campaign_respond(
            actor=person, campaign=campaign, answers=_answers(questions, *row), respondent=person
        )
    campaign_respond(
        actor=tina, campaign=campaign, answers=_answers(questions, "使用过", [], 4, "")
    )
    return campaign, questions


def test_results_count_each_option_with_its_share_and_the_mean_score(
    places: dict[str, Place], tina: Person
) -> None:
    campaign = _hand_built(places, tina)[0]
    results = campaign_results(campaign)
    assert (results.responses, results.online, results.door) == (4, 3, 1)
    used, services, rating, remarks = results.questions
    assert used.answered == 4
    assert [(b.label, b.count, str(b.share)) for b in used.bars] == [
        ("使用过", 3, "75.0"),
        ("没有使用过", 1, "25.0"),
    ]
    # Three answered the optional question; each option counts once per response.
    assert services.answered == 3
    assert [(b.label, b.count, str(b.share)) for b in services.bars] == [
        ("助餐", 3, "100.0"),
        ("助浴", 1, "33.3"),
        ("助医", 1, "33.3"),
        ("上门保洁", 0, "0.0"),
    ]
    assert [(b.count, str(b.share)) for b in rating.bars] == [
        (0, "0.0"),
        (1, "25.0"),
        (0, "0.0"),
        (2, "50.0"),
        (1, "25.0"),
    ]
    assert str(rating.mean) == "3.8"  # (5 + 4 + 2 + 4) / 4 = 3.75, rounded half up
    assert [t.text for t in remarks.texts] == ["送餐有时太晚。", "希望增加助浴次数。"]
    assert remarks.answered == 2


def test_results_of_a_campaign_nobody_answered_are_zeros(
    places: dict[str, Place], tina: Person
) -> None:
    campaign = _published(tina, places["compound_a"])[0]
    results = campaign_results(campaign)
    assert results.responses == 0
    assert all(b.count == 0 for r in results.questions for b in r.bars)
    assert results.questions[2].mean is None


def test_staff_turn_an_answer_into_a_feedback_item(
    places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign = _hand_built(places, tina)[0]
    assert not FeedbackItem.objects.exists()  # answers never raise items by themselves
    item = campaign_feedback(actor=tina, campaign=campaign, text=" 送餐有时太晚。 ")
    assert (item.source, item.campaign, item.place, item.text) == (
        FeedbackSource.CAMPAIGN,
        campaign,
        places["compound_a"],
        "送餐有时太晚。",
    )
    with pytest.raises(DomainError, match="请写下"):
        campaign_feedback(actor=tina, campaign=campaign, text=" ")
    with pytest.raises(ForbiddenError):
        campaign_feedback(actor=alice, campaign=campaign, text="我也觉得")


def test_the_workbook_holds_the_figures_and_every_response(
    client: Client, places: dict[str, Place], tina: Person
) -> None:
    campaign = _hand_built(places, tina)[0]
    client.force_login(tina)
    response = client.get(f"/evaluation/campaigns/{campaign.uid}/results.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "答卷"]
    summary = [
        [c for c in row if c is not None] for row in book["汇总"].iter_rows(values_only=True)
    ]
    assert summary[0] == ["居家养老服务满意度调查"]
    today = timezone.localdate()
    assert summary[1] == [
        f"调查时间：{today.isoformat()} 至 {(today + timedelta(days=14)).isoformat()}"
    ]
    assert ["使用过", 3, 75.0] in summary
    assert ["助餐", 3, 100.0] in summary
    assert ["助浴", 1, 33.3] in summary
    assert ["4 分", 2, 50.0] in summary
    assert ["平均分", 3.8] in summary
    rows = list(book["答卷"].iter_rows(values_only=True))
    assert rows[0][0] == "居家养老服务满意度调查"
    assert rows[3][:4] == ("序号", "填写时间", "方式", "1. 您是否使用过居家养老服务？")
    data = rows[4:]
    assert len(data) == 4
    assert data[0][2:] == ("网上填写", "使用过", "助餐、助浴", 5, "送餐有时太晚。")
    assert data[3][2:] == ("入户代录", "使用过", None, 4, None)


def test_a_formula_typed_as_an_answer_stays_text_in_the_workbook(
    client: Client, places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    campaign_respond(
        actor=alice,
        campaign=campaign,
        answers=_answers(questions, "使用过", [], 4, '=HYPERLINK("http://x")'),
        respondent=alice,
    )
    client.force_login(tina)
    book = load_workbook(
        io.BytesIO(client.get(f"/evaluation/campaigns/{campaign.uid}/results.xlsx").content)
    )
    cell = book["答卷"]["G5"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


def test_the_chart_draws_one_bar_per_option_and_escapes_labels() -> None:
    svg = str(bar_chart([("满意", 3), ("<b>一般</b>", 1), ("不满意", 0)], total=4, title="总体"))
    assert svg.startswith("<svg")
    assert svg.count('class="chart-bar"') == 3
    assert 'width="75.0%"' in svg
    assert "3 · 75.0%" in svg
    assert "<b>" not in svg
    assert "&lt;b&gt;一般&lt;/b&gt;" in svg
    scaled = str(bar_chart([("甲", 2), ("乙", 4)]))
    assert 'width="50.0%"' in scaled
    assert 'width="100.0%"' in scaled


# --- pages ---------------------------------------------------------------------------------


def test_a_campaign_is_built_and_published_through_the_pages(
    client: Client, places: dict[str, Place], tina: Person
) -> None:
    client.force_login(tina)
    assert client.get("/evaluation/campaigns/").status_code == 200
    today = timezone.localdate()
    form = {
        "place": places["compound_a"].uid,
        "title": "居家养老服务满意度调查",
        "domain": "elderly_care",
        "organiser": "齐鲁社会工作服务中心",
        "intro": "",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
    }
    refused = client.post("/evaluation/campaigns/", form)
    assert refused.status_code == 400
    assert "结束日期不能早于开始日期" in refused.content.decode()
    assert "齐鲁社会工作服务中心" in refused.content.decode()  # what was typed is kept
    form["ends_on"] = (today + timedelta(days=7)).isoformat()
    created = client.post("/evaluation/campaigns/", form)
    campaign = Campaign.objects.get()
    url = f"/evaluation/campaigns/{campaign.uid}/"
    assert created["Location"] == url

    bad = client.post(
        f"{url}questions/",
        {"new-kind": "single", "new-text": "您是否使用过助餐服务？", "new-options": "用过\n\n"},
    )
    assert bad.status_code == 400
    assert "需要 2 至 10 个选项" in bad.content.decode()
    assert "您是否使用过助餐服务？" in bad.content.decode()
    for kind, text, options in [
        ("single", "您是否使用过助餐服务？", "用过\n没用过\n"),
        ("rating", "总体满意程度", ""),
        ("text", "意见建议", ""),
    ]:
        response = client.post(
            f"{url}questions/",
            {"new-kind": kind, "new-text": text, "new-options": options, "new-required": "on"},
        )
        assert response.status_code == 302
    first, second, third = Question.objects.order_by("position")
    assert first.options == ["用过", "没用过"]
    client.post(f"{url}questions/{third.pk}/move/", {"direction": "up"})
    client.post(
        f"{url}questions/{second.pk}/",
        {f"q{second.pk}-kind": "rating", f"q{second.pk}-text": "服务态度打分"},
    )
    client.post(f"{url}questions/{first.pk}/remove/")
    assert list(Question.objects.order_by("position").values_list("text", "required")) == [
        ("意见建议", True),
        ("服务态度打分", False),
    ]
    page = client.get(url).content.decode()
    assert "发布问卷" in page
    assert client.post(f"{url}publish/").status_code == 302
    published = client.get(url).content.decode()
    assert f"/evaluation/campaigns/{campaign.uid}/answer/" in published
    assert "<svg" in published  # the QR code and the charts
    assert "results.xlsx" in published
    assert client.post(f"{url}questions/{second.pk}/remove/").status_code == 302
    assert Question.objects.count() == 2


def test_publishing_without_questions_says_why(
    client: Client, places: dict[str, Place], tina: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    client.force_login(tina)
    response = client.post(f"/evaluation/campaigns/{campaign.uid}/publish/")
    assert response.status_code == 400
    assert "请至少添加一道题目再发布" in response.content.decode()


def test_a_resident_answers_on_the_page_once(
    client: Client, places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    url = f"/evaluation/campaigns/{campaign.uid}/answer/"
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    assert "您是否使用过居家养老服务？" in page.content.decode()
    q = [f"q{question.pk}" for question in questions]
    refused = client.post(url, {q[1]: ["助浴"], q[2]: "9", q[3]: "送餐太晚了"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert f'<a href="#{q[0]}">第 1 题</a>：此题必答' in body
    assert "评分应为 1 至 5 的整数" in body
    assert "送餐太晚了" in body  # typed text kept
    assert 'value="助浴" checked' in body  # ticked box kept
    assert not CampaignResponse.objects.exists()
    done = client.post(url, {q[0]: "使用过", q[1]: ["助浴"], q[2]: "4", q[3]: "送餐太晚了"})
    assert done["Location"] == url
    thanks = client.get(url).content.decode()
    assert "感谢您的参与" in thanks
    assert "您已填写过这份问卷" in thanks
    again = client.post(url, {q[0]: "使用过", q[2]: "5"})
    assert again.status_code == 409
    assert CampaignResponse.objects.filter(respondent=alice).count() == 1


def test_residents_elsewhere_and_strangers_cannot_answer(
    client: Client, places: dict[str, Place], tina: Person, bob: Person, oscar: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    url = f"/evaluation/campaigns/{campaign.uid}/answer/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    for outsider in (bob, oscar):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.post(url, {f"q{questions[0].pk}": "使用过"}).status_code == 403
    assert not CampaignResponse.objects.exists()


def test_a_draft_is_hidden_from_residents_and_previewed_by_its_builders(
    client: Client, places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign = _campaign(tina, places["compound_a"])
    questions = _questions(tina, campaign)
    url = f"/evaluation/campaigns/{campaign.uid}/answer/"
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(tina)
    preview = client.get(url)
    assert preview.status_code == 200
    assert "预览" in preview.content.decode()
    assert client.post(url, {f"q{questions[0].pk}": "使用过"}).status_code == 403


def test_staff_record_door_to_door_answers_on_the_builder(
    client: Client, places: dict[str, Place], tina: Person, alice: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    url = f"/evaluation/campaigns/{campaign.uid}/door/"
    q = [f"q{question.pk}" for question in questions]
    client.force_login(tina)
    refused = client.post(url, {q[2]: "3", q[3]: "楼道灯坏了"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert f'<a href="#{q[0]}">第 1 题</a>：此题必答' in body
    assert "楼道灯坏了" in body
    assert f'name="{q[2]}" value="3" checked' in body  # the score chosen is kept
    for _n in range(2):
        assert client.post(url, {q[0]: "使用过", q[2]: "3"}).status_code == 302
    assert CampaignResponse.objects.filter(respondent=None).count() == 2
    client.force_login(alice)
    assert client.post(url, {q[0]: "使用过", q[2]: "3"}).status_code == 404
    assert CampaignResponse.objects.count() == 2


def test_a_text_answer_becomes_a_feedback_item_from_the_builder(
    client: Client, places: dict[str, Place], tina: Person
) -> None:
    campaign = _hand_built(places, tina)[0]
    client.force_login(tina)
    page = client.get(f"/evaluation/campaigns/{campaign.uid}/").content.decode()
    assert "送餐有时太晚。" in page
    assert "转为反馈问题" in page
    url = f"/evaluation/campaigns/{campaign.uid}/feedback/"
    assert client.post(url, {"text": " "}).status_code == 400
    assert client.post(url, {"text": "送餐有时太晚，请服务中心核实送餐时间。"}).status_code == 302
    assert FeedbackItem.objects.get().source == FeedbackSource.CAMPAIGN
    assert (
        "请服务中心核实送餐时间"
        in client.get(f"/evaluation/campaigns/{campaign.uid}/").content.decode()
    )


def test_staff_pages_are_closed_to_residents_and_other_staff(
    client: Client, places: dict[str, Place], tina: Person, alice: Person, dave: Person
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    base = f"/evaluation/campaigns/{campaign.uid}/"
    for person in (alice, dave):
        client.force_login(person)
        assert client.get("/evaluation/campaigns/").status_code == 403
        assert client.get(base).status_code == 404
        assert client.get(f"{base}results.xlsx").status_code == 404
        assert client.post(f"{base}publish/").status_code == 404
        assert client.post(f"{base}feedback/", {"text": "x"}).status_code == 404
        assert client.post(f"{base}questions/{questions[0].pk}/remove/").status_code == 404
    assert Question.objects.count() == 4
    assert not FeedbackItem.objects.exists()


def test_the_staff_list_shows_campaigns_under_their_places_only(
    client: Client, places: dict[str, Place], tina: Person, frank: Person
) -> None:
    _campaign(tina, places["compound_a"], title="上河园居家养老调查")
    other = PersonFactory.create(name="外区调查员")
    elsewhere = PlaceFactory.create(
        kind=PlaceKind.COMMUNITY, name="南苑社区", parent=places["subdistrict"]
    )
    RoleAssignment.objects.create(person=other, role=Role.THIRD_PARTY, place=elsewhere)
    _campaign(other, elsewhere, title="南苑文化服务调查")
    client.force_login(frank)
    page = client.get("/evaluation/campaigns/").content.decode()
    assert "上河园居家养老调查" in page
    assert "南苑文化服务调查" not in page


def test_the_results_page_reads_in_a_fixed_number_of_queries(
    client: Client, places: dict[str, Place], tina: Person, django_assert_max_num_queries: Any
) -> None:
    campaign, questions = _published(tina, places["compound_a"])
    for i in range(3):
        person = resident_of(places["home_a2"], name=f"住户{i}")
        campaign_respond(
            actor=person,
            campaign=campaign,
            answers=_answers(questions, "使用过", SERVICES[: i + 1], i + 2, f"意见{i}"),
            respondent=person,
        )
    client.force_login(tina)
    url = f"/evaluation/campaigns/{campaign.uid}/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_three = count()
    for i in range(9):
        campaign_respond(
            actor=tina,
            campaign=campaign,
            answers=_answers(questions, "没有使用过", SERVICES[i % 4 :], i % 5 + 1, f"入户{i}"),
        )
    assert CampaignResponse.objects.count() == 12
    assert count() == with_three
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert "入户8" in page.content.decode()


def test_the_demo_campaign_is_built_through_the_services(
    places: dict[str, Place], tina: Person, frank: Person, alice: Person
) -> None:
    for i in range(5):
        resident_of(places["home_a2"], name=f"演示居民{i}")
    people = {Role.THIRD_PARTY: tina, Role.COMMUNITY_STAFF: frank, Role.RESIDENT: alice}
    campaign = load_campaign(people, places["compound_a"])
    kinds = list(campaign.questions.values_list("kind", flat=True))
    assert sorted(set(kinds)) == ["multiple", "rating", "single", "text"]
    assert len(kinds) == 6
    results = campaign_results(campaign)
    assert (results.online, results.door) == (5, 8)
    assert not CampaignResponse.objects.filter(respondent=alice).exists()
    assert FeedbackItem.objects.filter(campaign=campaign).count() == 1


def test_residents_find_the_open_campaigns_on_their_home_page(
    client: Client, tina: Person, alice: Person, bob: Person, places: dict[str, Place]
) -> None:
    campaign, _questions = _published(tina, places["compound_a"])
    client.force_login(alice)
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("evaluation:campaign-answer", args=[campaign.uid]) in page
    client.force_login(bob)  # another compound
    assert campaign.title not in client.get(reverse("core:home")).content.decode()


def test_a_column_chart_scales_to_the_largest_value_and_escapes_labels() -> None:
    from qinlin.evaluation.charts import COLUMN_AREA, column_chart

    svg = str(column_chart(["1月", "<2月>"], [("诉求", [4, 2]), ("议题", [1, 0])], title="每月"))
    assert svg.count("<rect") == 4
    assert f'height="{COLUMN_AREA}"' in svg  # 4 is the peak: the full height
    assert f'height="{COLUMN_AREA // 2}"' in svg
    assert 'height="0"' in svg  # no topics in February: no column, and no figure on it
    assert "&lt;2月&gt;" in svg
    assert "<2月>" not in svg
    assert 'aria-label="每月"' in svg
