"""Issue 6's story in a real browser: the decided unit door goes through a public tender with
three bids, a funding plan shared by area, a task reported with a photo, and acceptance."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from qinlin.core.roles import Role
from qinlin.places.models import PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.works.models import HomeShare, Task, Tender
from tests.e2e.test_appeal_story import _page
from tests.factories import PlaceFactory, holding, resident_of, tree
from tests.works.helpers import decided

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]

BIDS = [
    ("潍坊安居门业", "11800", "AJ-600 楼宇对讲防盗门"),
    ("鲁安门窗", "12400", "LA-9 单元门"),
    ("恒通建材", "10900", "HT-3 钢质门"),
]


def _submit(page: Any, form: str) -> str:
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    return str(page.inner_text("main"))


def test_the_unit_door_is_tendered_funded_done_and_accepted(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    for room, area in (("201", "96.30"), ("202", "120.00"), ("301", "88.50")):
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=room, parent=places["unit_a"], area=Decimal(area)
        )
    owner = resident_of(places["home_a"], name="李爱丽")
    secretary = holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])
    topic = decided(secretary, places)
    picture = tmp_path / "door.jpg"
    Image.new("RGB", (640, 480), "steelblue").save(picture, format="JPEG")

    office = _page(browser, live_server, secretary, width=1280)
    office.goto(f"{live_server.url}/topics/{topic.uid}/")
    office.click("summary:has-text('开始办理')")
    office.check("input[name=to-executing-responsible]")
    assert "办理中" in _submit(office, "details[open] form")

    office.click("#tasks summary:has-text('安排任务')")
    office.fill("input[name=task-title]", "拆除旧门并安装新单元门")
    office.select_option("select[name=task-responsible]", label="郑书记")
    office.fill("input[name=task-due_on]", (timezone.localdate() + timedelta(days=20)).isoformat())
    assert "已安排任务" in _submit(office, "#tasks details[open] form")

    office.click("#tenders summary:has-text('发布招标')")
    office.fill("input[name=tender-title]", "3号楼2单元单元门更换")
    office.fill("textarea[name=tender-requirements]", "钢质防盗单元门，带门禁，质保三年。")
    deadline = timezone.localtime() + timedelta(days=7)
    office.fill("input[name=tender-deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    assert "招标已发布" in _submit(office, "#tenders details[open] form")
    for vendor, price, model in BIDS:
        office.click("summary:has-text('录入投标')")
        office.fill("input[name=bid-vendor]", vendor)
        office.fill("input[name=bid-price]", price)
        office.fill("input[name=bid-product]", model)
        office.set_input_files("input[name=bid-documents]", str(picture))
        assert "投标已录入" in _submit(office, "#bids details[open] form")
    office.screenshot(path=tmp_path / "1-bids-entered-1280.png", full_page=True)

    tender = Tender.objects.get()
    # A week passes: the deadline is behind us.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    office.reload()
    assert "投标已公示" in _submit(office, "#bids form")

    phone = _page(browser, live_server, owner, width=390)
    phone.goto(f"{live_server.url}/works/tenders/{tender.uid}/")
    assert all(vendor in phone.inner_text("main") for vendor, _, _ in BIDS)
    phone.fill("textarea[name=text]", "恒通的门质保只有一年，建议选安居。")
    assert "意见已提交" in _submit(phone, "#comments form")
    phone.screenshot(path=tmp_path / "2-bids-published-390.png", full_page=True)

    office.reload()
    office.select_option("select[name=award-bid]", label="潍坊安居门业 · 11800.00")
    office.fill("textarea[name=award-reason]", "报价居中，质保三年，居民意见倾向安居。")
    assert "中标：潍坊安居门业，11800.00 元" in _submit(office, "#award form")
    office.screenshot(path=tmp_path / "3-awarded-1280.png", full_page=True)

    office.goto(f"{live_server.url}/topics/{topic.uid}/")
    office.click("#funding summary")
    office.fill("input[name=funding-total]", "11800")
    office.fill("input[name=funding-line_residents]", "8800")
    office.fill("input[name=funding-line_property_subsidy]", "3000")
    office.select_option("select[name=funding-scope]", places["unit_a"].uid)
    office.select_option("select[name=funding-share_mode]", "area")
    assert "资金方案已保存" in _submit(office, "#funding details[open] form")
    shares = HomeShare.objects.filter(plan__topic=topic)
    assert sum(s.amount_fen for s in shares) == 880000

    task = Task.objects.get()
    office.click(f"#task-{task.uid} summary")
    office.fill(f"textarea[name='{task.uid}-text']", "旧门已拆除，新门安装完毕，门禁调试正常。")
    office.select_option(f"select[name='{task.uid}-status']", "done")
    office.set_input_files(f"input[name='{task.uid}-photos']", str(picture))
    assert "进展已记录" in _submit(office, f"#task-{task.uid} details[open] form")

    office.fill("input[name=acceptance-participants]", "业委会主任 王建国、居民代表 李爱丽、郑书记")
    office.fill("textarea[name=acceptance-opinion]", "新单元门安装牢固，门禁刷卡正常。")
    office.check("input[name=acceptance-passed][value=yes]")
    office.set_input_files("input[name=acceptance-photos]", str(picture))
    page = _submit(office, "#acceptance details[open] form")
    assert "验收合格，议题进入测评" in page
    assert "测评中" in page
    assert Topic.objects.get().stage == Stage.EVALUATING
    office.screenshot(path=tmp_path / "4-topic-accepted-1280.png", full_page=True)

    phone.goto(f"{live_server.url}/topics/{topic.uid}/")
    seen = phone.inner_text("main")
    assert "中标：潍坊安居门业" in seen
    assert "验收人员：业委会主任 王建国" in seen
    phone.screenshot(path=tmp_path / "5-topic-owner-390.png", full_page=True)

    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(keep) / f"works-{shot.name}")
    for context_page in (office, phone):
        context_page.context.close()
