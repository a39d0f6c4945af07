"""Issue 4's story in a real browser: the unit-door topic goes from appeals through local
deliberation, review and a consultation meeting to a decision a resident reads on a phone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_accept, appeal_submit
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from tests.e2e.test_appeal_story import _page
from tests.factories import PersonFactory, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def _staff(name: str, role: Role, place: Any) -> Person:
    person = PersonFactory.create(name=name)
    RoleAssignment.objects.create(person=person, role=role, place=place)
    return person


def _advance(page: Any, label: str, target: str, **fields: str) -> None:
    page.click(f"summary:has-text('{label}')")
    form = page.locator(f"form:has(input[name=to][value={target}])")
    for name, value in fields.items():
        form.locator(f"[name='to-{target}-{name}']").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _meeting(
    page: Any, url: str, kind: str, title: str, *, people: str, hands: tuple[int, int]
) -> None:
    page.goto(url)
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=title]", title)
    page.fill("input[name=starts_at]", "2026-11-20T19:00")
    page.fill("input[name=location]", "上河园党群服务站")
    page.fill("textarea[name=others]", people)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    attending = len(people.splitlines()) - 1
    for _ in range(attending):
        page.locator("button[name=action][value=sign_in]").first.click()
        page.wait_for_load_state()
    page.fill("textarea[name=minutes]", "与会人员比较了两个方案的费用和分摊方式，多数倾向方案B。")
    page.click("button[name=action][value=minutes]")
    page.wait_for_load_state()
    page.select_option(
        "select[name=option]",
        label=page.locator("select[name=option] option:has-text('B.')").inner_text(),
    )
    page.fill("input[name=agree]", str(hands[0]))
    page.fill("input[name=disagree]", str(hands[1]))
    page.fill("input[name=abstain]", "0")
    page.click("button[name=action][value=hands]")
    page.wait_for_load_state()


def test_the_unit_door_topic_is_deliberated_and_decided_in_the_browser(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    alice = resident_of(places["home_a"], name="李爱丽")
    dave = _staff("杜网格", Role.GRID_WORKER, places["compound_a"])
    erin = _staff("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])
    frank = _staff("冯社工", Role.COMMUNITY_STAFF, places["community"])
    appeal, _created = appeal_submit(
        actor=alice,
        reporter=alice,
        text="3号楼2单元的单元门坏了，关不上",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    topic = appeal_accept(actor=dave, appeals=[appeal], title="更换3号楼2单元单元门")
    topic_url = f"{live_server.url}/topics/{topic.uid}/"
    meeting_url = f"{live_server.url}/topics/meetings/new/?topic={topic.uid}"
    shots = tmp_path

    grid = _page(browser, live_server, dave, width=1280)
    grid.goto(topic_url)
    _advance(grid, "受理，转入先行商议", "local")
    assert "议题已进入“先行商议”阶段" in grid.content()

    branch = _page(browser, live_server, erin, width=1280)
    branch.goto(topic_url)
    for title, funding in (
        ("公共维修基金支付", "公共维修基金"),
        ("居民自筹 + 物业补贴", "居民自筹 + 物业补贴"),
    ):
        branch.click("summary:has-text('添加方案')")
        option_form = branch.locator("form[action$='/options/']")
        option_form.locator("input[name=title]").fill(title)
        option_form.locator("input[name=estimated_cost]").fill("12000")
        option_form.locator("input[name=funding]").fill(funding)
        option_form.locator("button[type=submit]").click()
        branch.wait_for_load_state()
    assert "B. 居民自筹 + 物业补贴" in branch.content()
    _meeting(
        branch,
        meeting_url,
        "local",
        "单元门先行商议会",
        people="周业委，业委会\n孙物业，物业公司\n陈楼长，楼长\n马骨干，居民代表\n缺席者，居民代表",
        hands=(2, 2),
    )
    assert "未通过" in branch.content()
    branch.goto(topic_url)
    _advance(branch, "提交社区党委审核", "review", note="物业与业委会意见不一，提请社区党委审核。")
    assert "议题已进入“调查审核”阶段" in branch.content()

    community = _page(browser, live_server, frank, width=1280)
    community.goto(topic_url)
    _advance(
        community,
        "审核通过，组织协商",
        "consultation",
        findings="经现场查看，单元门闭门器损坏、门禁失灵，属公共部位维修。",
    )
    assert "议题已进入“协商”阶段" in community.content()
    _meeting(
        community,
        meeting_url,
        "consultation",
        "单元门更换协商议事会",
        people="王代表，两代表一委员\n刘律师，法律顾问\n周业委，业委会\n孙物业，物业公司\n"
        "马骨干，居民代表\n罗代表，居民代表\n缺席者，居民代表",
        hands=(5, 1),
    )
    body = community.content()
    assert "应到 7 人，实到 6 人" in body
    assert "同意 5/6（83.33%） &gt; 1/2 ✓；通过" in body
    community.screenshot(path=shots / "3-consultation-meeting-1280.png", full_page=True)
    community.goto(topic_url)
    community.click("summary:has-text('协商已形成决定')")
    form = community.locator("form:has(input[name=to][value=decided])")
    form.locator("select[name='to-decided-option']").select_option(label="B. 居民自筹 + 物业补贴")
    form.locator("[name='to-decided-notice_draft']").fill("经协商议事会表决，采用方案B，现予公示。")
    form.locator("button[type=submit]").click()
    community.wait_for_load_state()
    assert "议题已进入“已决定”阶段" in community.content()
    community.screenshot(path=shots / "4-decided-staff-1280.png", full_page=True)

    resident = _page(browser, live_server, alice, width=390)
    resident.goto(topic_url)
    body = resident.content()
    for seen in (
        "已决定",
        "B. 居民自筹 + 物业补贴",
        "会议已召开，纪要公开",
        "单元门更换协商议事会",
    ):
        assert seen in body
    assert "下一步" not in body
    resident.screenshot(path=shots / "5-resident-timeline-390.png", full_page=True)
    resident.goto(f"{live_server.url}/topics/")
    resident.screenshot(path=shots / "6-resident-board-390.png", full_page=True)
    grid.goto(f"{live_server.url}/topics/")
    grid.screenshot(path=shots / "1-board-1280.png", full_page=True)
    # QINLIN_SHOTS=folder keeps the screenshots for a person to look at.
    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in shots.glob("*.png"):
            shutil.copy(shot, Path(keep) / shot.name)
    for page in (grid, branch, community, resident):
        page.context.close()
