"""Issue 3's story in a real browser: residents file on a phone, the grid worker groups
the appeals into a topic, and the resident sees the topic on "my appeals"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from tests.factories import PersonFactory, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
PASSWORD = "qinlin-test-pw"


def _page(browser: Any, live_server: Any, person: Person, *, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", person.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def _file(page: Any, live_server: Any, text: str) -> None:
    page.goto(f"{live_server.url}/appeals/new/")
    page.click("label.pick:has-text('物业服务')")
    page.fill("textarea[name=text]", text)
    page.select_option("select[name=place]", label="上河园 3号楼 2单元")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_residents_file_the_grid_worker_groups_and_the_resident_sees_the_topic(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    alice = resident_of(places["home_a"], name="李爱丽")
    neighbour = resident_of(places["home_a2"], name="周邻居")
    dave = PersonFactory.create(name="杜网格")
    RoleAssignment.objects.create(person=dave, role=Role.GRID_WORKER, place=places["compound_a"])

    resident = _page(browser, live_server, alice, width=390)
    _file(resident, live_server, "3号楼2单元的单元门坏了，关不上，晚上谁都能进。")
    assert "已收到您反映的事情" in resident.content()
    resident.screenshot(path=tmp_path / "1-resident-filed-390.png", full_page=True)

    other = _page(browser, live_server, neighbour, width=390)
    _file(other, live_server, "我们单元的楼门锁坏了，门禁也失灵")
    assert "另有 1 户反映过类似的事情" in other.content()

    staff = _page(browser, live_server, dave, width=1280)
    staff.goto(f"{live_server.url}/appeals/inbox/")
    assert staff.locator("text=单元门坏了").count() == 1
    assert staff.locator("text=门禁也失灵").count() == 1
    staff.screenshot(path=tmp_path / "2-inbox-1280.png", full_page=True)
    staff.click("text=3号楼2单元的单元门坏了")
    assert staff.locator("input[name=uids]:checked").count() == 1
    staff.fill("input[name=title]", "更换3号楼2单元单元门")
    staff.click("button[name=action][value=accept]")
    staff.wait_for_load_state()
    assert "已将 2 条诉求纳入议题“更换3号楼2单元单元门”" in staff.content()
    staff.screenshot(path=tmp_path / "3-grouped-1280.png", full_page=True)

    resident.goto(f"{live_server.url}/appeals/mine/")
    body = resident.content()
    assert "更换3号楼2单元单元门" in body
    assert "2 户反映过" in body
    resident.screenshot(path=tmp_path / "4-my-appeals-390.png", full_page=True)
    for page in (resident, other, staff):
        page.context.close()
