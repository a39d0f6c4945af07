"""Issue 7's story in a real browser: the tender's bids are drafted into a notice and published
to the building's board and the owners' group; the printed A4 sheet carries the QR code; a
resident objects on a phone and reads the answer; a resident's request for the accounts is
answered by a notice."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from qinlin.core.roles import Role
from qinlin.disclosure.models import Notice
from qinlin.disclosure.services import request_file
from tests.disclosure.helpers import boards, tendered
from tests.e2e.test_appeal_story import _page
from tests.e2e.test_works_story import _submit
from tests.factories import holding, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def test_bids_are_published_objected_to_answered_and_printed(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    owner = resident_of(places["home_a"], name="李爱丽")
    secretary = holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])
    topic, tender = tendered(secretary, places)
    channels = boards(secretary, places)

    office = _page(browser, live_server, secretary, width=1280)
    office.goto(f"{live_server.url}/topics/{topic.uid}/")
    office.click("#notices a:has-text('起草公示')")
    office.check(f"input[name=subject][value='bids:{tender.uid}']")
    _submit(office, "main form")
    body = office.input_value("textarea[name=body]")
    assert "潍坊安居门业，报价 11800.00 元" in body
    office.uncheck(f"input[name=channels][value='{channels[0].uid}']")
    office.click("button[name=action][value=publish]")
    office.wait_for_load_state()
    page = office.inner_text("main")
    assert "公示已发布" in page
    assert "3号楼公示栏、上河园业主群" in page or "上河园业主群、3号楼公示栏" in page
    chat = office.input_value("#chat-text")
    notice = Notice.objects.get()
    assert chat.startswith("【公示】关于“3号楼2单元单元门更换”投标情况的公示")
    assert f"/n/{notice.uid}/" in chat
    office.screenshot(path=tmp_path / "1-published-1280.png", full_page=True)

    sheet = office.context.new_page()
    sheet.goto(f"{live_server.url}/n/{notice.uid}/print/")
    assert sheet.locator("svg.segno").count() == 1
    assert "公示期" in sheet.inner_text("body")
    sheet.pdf(path=tmp_path / "2-print-a4.pdf", format="A4", print_background=True)
    assert (tmp_path / "2-print-a4.pdf").stat().st_size > 10_000

    phone = _page(browser, live_server, owner, width=390)
    phone.goto(f"{live_server.url}/n/{notice.uid}/")
    phone.fill("textarea[name=text]", "恒通的门质保只有一年，建议不要只看价格。")
    assert "异议已提交" in _submit(phone, "#objections form")

    office.goto(f"{live_server.url}/disclosure/notices/{notice.uid}/")
    office.fill("#objections textarea[name=answer]", "意见已转业委会，定标时将质保作为条件。")
    assert "答复已公开" in _submit(office, "#objections form")

    phone.reload()
    seen = phone.inner_text("#objections")
    assert "李*丽" in seen
    assert "定标时将质保作为条件" in seen
    phone.screenshot(path=tmp_path / "3-objection-answered-390.png", full_page=True)

    request = request_file(actor=owner, place=places["compound_a"], text="请公开单元门的资金账目。")
    office.goto(f"{live_server.url}/disclosure/requests/{request.uid}/")
    office.fill(
        "textarea[name=body]",
        "单元门更换总费用 11800 元：居民自筹 8800 元按面积分摊，物业补贴 3000 元。",
    )
    office.click(f"form[action*='{request.uid}/answer/'] button[type=submit]")
    office.wait_for_load_state()
    office.click("button[name=action][value=publish]")
    office.wait_for_load_state()
    assert "公示已发布" in office.inner_text("main")
    answer = Notice.objects.get(requests=request)
    assert answer.get_origin_display() == "依申请公开"

    phone.goto(f"{live_server.url}/disclosure/requests/mine/")
    mine = phone.inner_text("main")
    assert "已答复" in mine
    assert phone.locator(f"a[href='/n/{answer.uid}/']").count() == 1
    phone.screenshot(path=tmp_path / "4-request-answered-390.png", full_page=True)

    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in [*tmp_path.glob("*.png"), *tmp_path.glob("*.pdf")]:
            shutil.copy(shot, Path(keep) / f"disclosure-{shot.name}")
    for context_page in (office, phone):
        context_page.context.close()
