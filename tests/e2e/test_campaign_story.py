"""Issue 8's campaign in a real browser: a third party publishes a six-question home
elderly-care questionnaire, a resident answers it on a phone (a refusal first), and the
results show a chart per question and download as a workbook."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.evaluation.campaigns import campaign_create, question_add
from qinlin.evaluation.models import CampaignResponse, QuestionKind, ServiceDomain
from tests.e2e.test_appeal_story import _page
from tests.factories import holding, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]

QUESTIONS = [
    (QuestionKind.SINGLE, "您家中是否有 60 岁以上的老人？", ["有", "没有"]),
    (QuestionKind.MULTIPLE, "您用过哪些居家养老服务？", ["老年助餐", "助浴", "上门医疗护理"]),
    (QuestionKind.RATING, "助餐服务的满意度", []),
    (QuestionKind.RATING, "上门护理的满意度", []),
    (QuestionKind.SINGLE, "您愿意推荐给邻居吗？", ["愿意", "不确定", "不愿意"]),
    (QuestionKind.TEXT, "您希望增加或改进哪些服务？", []),
]


def test_a_campaign_is_published_answered_and_charted(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    owner = resident_of(places["home_a"], name="李爱丽")
    body = holding("吴海燕", Role.THIRD_PARTY, places["community"])
    today = timezone.localdate()
    campaign = campaign_create(
        actor=body,
        place=places["compound_a"],
        title="居家养老服务满意度调查",
        domain=ServiceDomain.ELDERLY_CARE,
        organiser="潍坊社会工作服务中心",
        starts_on=today,
        ends_on=today + timedelta(days=14),
    )
    questions = [
        question_add(actor=body, campaign=campaign, kind=kind, text=text, options=options)
        for kind, text, options in QUESTIONS
    ]

    office = _page(browser, live_server, body, width=1280)
    office.goto(f"{live_server.url}/evaluation/campaigns/{campaign.uid}/")
    office.click("form[action$='/publish/'] button[type=submit]")
    office.wait_for_load_state()
    assert "问卷已发布" in office.inner_text("main")
    assert office.locator("svg.segno").count() == 1  # the QR code for posters

    phone = _page(browser, live_server, owner, width=390)
    phone.goto(f"{live_server.url}/evaluation/campaigns/{campaign.uid}/answer/")
    first, used, meals, care, recommend, wish = (f"q{q.pk}" for q in questions)
    phone.check(f"input[name={first}][value='有']")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    assert "此题必答" in phone.inner_text("main")  # nothing else was answered
    assert phone.is_checked(f"input[name={first}][value='有']")  # and nothing typed is lost
    phone.check(f"input[name={used}][value='老年助餐']")
    phone.check(f"input[name={used}][value='助浴']")
    phone.check(f"input[name={meals}][value='4']")
    phone.check(f"input[name={care}][value='5']")
    phone.check(f"input[name={recommend}][value='愿意']")
    phone.fill(f"textarea[name={wish}]", "希望增加理发、修脚等上门服务。")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    assert "感谢您的参与" in phone.inner_text("main")
    assert CampaignResponse.objects.count() == 1
    phone.screenshot(path=tmp_path / "1-answered-390.png", full_page=True)

    office.reload()
    results = office.inner_text("main")
    assert "希望增加理发、修脚等上门服务。" in results
    assert office.locator("svg.chart").count() >= 5
    office.screenshot(path=tmp_path / "2-results-1280.png", full_page=True)
    with office.expect_download() as download:
        office.click("a[href$='/results.xlsx']")
    path = tmp_path / "results.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == 2

    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(keep) / f"campaign-{shot.name}")
    for context_page in (office, phone):
        context_page.context.close()
