"""Issue 8's story in a real browser: the accepted unit door is audited, surveyed online and
door to door, the survey ends with enough homes, the topic closes, and the results go out in
a notice that residents read with the satisfaction rate and the feedback items."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from qinlin.core.roles import Role
from qinlin.evaluation.models import FeedbackItem, Survey
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from tests.disclosure.helpers import boards
from tests.e2e.test_appeal_story import _page
from tests.e2e.test_works_story import _submit
from tests.evaluation.helpers import evaluating
from tests.factories import holding, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def test_the_door_is_audited_surveyed_closed_and_its_results_published(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    owner = resident_of(places["home_a"], name="李爱丽")
    secretary = holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])
    head = holding("陈楼长", Role.BUILDING_HEAD, places["building_a"])
    community = holding("冯社工", Role.COMMUNITY_STAFF, places["community"])
    topic = evaluating(secretary, places)
    boards(secretary, places)

    office = _page(browser, live_server, secretary, width=1280)
    office.goto(f"{live_server.url}/topics/{topic.uid}/")
    office.click("#evaluation summary:has-text('记录审计评估')")
    office.fill("input[name=audit-panel]", "党员代表 宋淑珍、居民代表 罗凤英")
    office.fill("textarea[name=audit-findings]", "门体安装牢固，资金使用与公示一致。")
    office.check("input[name=audit-verdict][value=with_issues]")
    office.fill("textarea[name=audit-problems]", "闭门器过紧，老人推门费力")
    assert "审计评估已记录" in _submit(office, "#evaluation details[open] form")
    office.click("#evaluation summary:has-text('发起满意度测评')")
    office.select_option("select[name=survey-scope]", places["unit_a"].uid)
    office.fill("input[name=survey-min_rate]", "100")
    assert "满意度测评已发起" in _submit(office, "#evaluation details[open] form")
    survey = Survey.objects.get()

    phone = _page(browser, live_server, owner, width=390)
    phone.goto(f"{live_server.url}/evaluation/surveys/{survey.uid}/")
    phone.check("input[name=level][value=very]")
    phone.fill("textarea[name=comment]", "新门很好，谢谢大家。")
    assert "您的评价已记录" in _submit(phone, "#mine form")
    phone.screenshot(path=tmp_path / "1-resident-answers-390.png", full_page=True)

    tablet = _page(browser, live_server, head, width=768)
    tablet.goto(f"{live_server.url}/evaluation/surveys/{survey.uid}/door/")
    row = tablet.locator(f"#home-{places['home_a2'].uid}")
    row.locator("input[name=level][value=basic]").check()
    row.locator("input[name=comment]").fill("门禁卡补办不方便")
    row.locator("button[type=submit]").click()
    tablet.wait_for_load_state()
    assert "102 已记录" in tablet.inner_text("main")

    office.goto(f"{live_server.url}/evaluation/surveys/{survey.uid}/")
    page = _submit(office, "form[action$='/end/']")
    assert "参与率达标" in page
    assert "100.0%" in page
    office.screenshot(path=tmp_path / "2-survey-ended-1280.png", full_page=True)

    closer = _page(browser, live_server, community, width=1280)
    closer.goto(f"{live_server.url}/topics/{topic.uid}/")
    closer.click("summary:has-text('测评完成，办结')")
    closer.fill("textarea[name=to-closed-evaluation]", "审计基本合格，满意率 100%，办结。")
    assert "已办结" in _submit(closer, "details[open] form")
    assert Topic.objects.get().stage == Stage.CLOSED

    office.goto(f"{live_server.url}/disclosure/topics/{topic.uid}/notices/")
    office.check(f"input[name=subject][value='evaluation:{survey.uid}']")
    _submit(office, "main form")
    assert "满意率 100.0%" in office.input_value("textarea[name=body]")
    office.click("button[name=action][value=publish]")
    office.wait_for_load_state()
    assert "公示已发布" in office.inner_text("main")

    phone.goto(f"{live_server.url}/topics/{topic.uid}/")
    seen = phone.inner_text("main")
    assert "2/2 户参与（100.0%），满意率 100.0%" in seen
    assert "闭门器过紧，老人推门费力" in seen
    assert "测评结果" in seen
    assert FeedbackItem.objects.count() == 1
    phone.screenshot(path=tmp_path / "3-topic-closed-390.png", full_page=True)

    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(keep) / f"evaluation-{shot.name}")
    for context_page in (office, phone, tablet, closer):
        context_page.context.close()
