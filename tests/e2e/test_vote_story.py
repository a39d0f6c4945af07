"""Issue 5's story in a real browser: the unit-door vote is opened, collected door to door on a
tablet and online by an owner on a phone, closed, and recounted by `qinlin tally`."""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from qinlin.core.roles import Role
from qinlin.places.models import PlaceKind
from qinlin.votes.models import Vote
from tests.e2e.test_appeal_story import _page
from tests.factories import PlaceFactory, holding, resident_of, tree
from tests.votes.helpers import voting_topic

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def test_the_unit_door_vote_in_the_browser_agrees_with_qinlin_tally(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    for room in ("201", "202", "301"):
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=room, parent=places["unit_a"], area=Decimal("96.30")
        )
    owner = resident_of(places["home_a"], name="李爱丽")
    staff = holding("冯社工", Role.COMMUNITY_STAFF, places["community"])
    head = holding("陈楼长", Role.BUILDING_HEAD, places["building_a"])
    topic = voting_topic(staff, places)

    office = _page(browser, live_server, staff, width=1280)
    office.goto(f"{live_server.url}/votes/new/?topic={topic.uid}")
    option_a, option_b = topic.options.order_by("letter")
    office.select_option(f"select[name=item_{option_a.pk}]", "5")
    office.select_option(f"select[name=item_{option_b.pk}]", "9")
    office.select_option("select[name=scope]", places["unit_a"].uid)
    office.click("main form button[type=submit]")
    office.wait_for_load_state()
    assert "业主表决已发起" in office.content()
    vote = Vote.objects.get()

    tablet = _page(browser, live_server, head, width=768)
    tablet.goto(f"{live_server.url}/votes/{vote.uid}/door/")
    for room, a, b in (
        ("102", "disagree", "agree"),
        ("201", "disagree", "agree"),
        ("202", "agree", "agree"),
        ("301", "disagree", "abstain"),
    ):
        row = tablet.locator(f"form.door-row:has(strong:text-is('{room}'))")
        row.locator(f"input[name=option_A][value={a}]").check()
        row.locator(f"input[name=option_B][value={b}]").check()
        row.locator("input[name=paper_no]").fill(f"P-{room}")
        row.locator("button[type=submit]").click()
        tablet.wait_for_load_state()
        assert f"{room} 已记录" in tablet.content()
    tablet.screenshot(path=tmp_path / "1-door-768.png", full_page=True)

    phone = _page(browser, live_server, owner, width=390)
    phone.goto(f"{live_server.url}/votes/{vote.uid}/")
    phone.locator("input[name=option_A][value=disagree]").check()
    phone.locator("input[name=option_B][value=agree]").check()
    phone.click("#my-ballot button[type=submit]")
    phone.wait_for_load_state()
    assert "已记录，回执码" in phone.content()
    phone.screenshot(path=tmp_path / "2-owner-390.png", full_page=True)

    office.goto(f"{live_server.url}/votes/{vote.uid}/")
    office.click("button[name=action][value=close]")
    office.wait_for_load_state()
    page = office.inner_text("main")
    assert "表决已结束" in page
    assert "事项 B（民法典第二百七十八条第一款其他事项）：参与表决专有部分面积" in page
    office.screenshot(path=tmp_path / "3-tally-1280.png", full_page=True)

    with office.expect_download() as download:
        office.click("text=下载计票文件")
    path = tmp_path / "vote.json"
    download.value.save_as(path)
    out = StringIO()
    call_command("tally", str(path), stdout=out)
    recount = json.loads(out.getvalue())["options"]
    vote.refresh_from_db()
    for letter, stored in vote.result.items():
        assert recount[letter]["explanation"]["zh-hans"] == stored["zh"]
        assert recount[letter]["explanation"]["zh-hans"] in page
    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(keep) / f"vote-{shot.name}")
    for context_page in (office, tablet, phone):
        context_page.context.close()
