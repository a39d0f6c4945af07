"""Issue 10's story in a real browser: a resident files an appeal on a phone; the grid
worker's bell lights up and the grid's work group gets the message through the worker and a
local webhook; the appeal becomes a topic and the resident's bell tells them so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from qinlin.core.roles import Role
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Notification, Platform, Status
from qinlin.notify.services import robot_save
from qinlin.notify.sink import Sink, running
from qinlin.people.models import Person, RoleAssignment
from tests.e2e.conftest import logged_in
from tests.factories import PersonFactory, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]
PASSWORD = "qinlin-test-pw"


def _page(browser: Any, live_server: Any, person: Person, *, width: int) -> Any:
    return logged_in(browser, live_server, str(person.phone), PASSWORD, width=width)


def test_filing_tells_the_grid_worker_and_the_work_group_then_the_resident(
    browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    places = tree()
    alice = resident_of(places["home_a"], name="李爱丽")
    dave = PersonFactory.create(name="杜网格")
    RoleAssignment.objects.create(person=dave, role=Role.GRID_WORKER, place=places["compound_a"])
    sink = Sink(secret="work-group-secret")
    with running(sink) as server:
        settings.QINLIN_ROBOT_URL_PREFIXES = [server.url]
        robot_save(
            actor=dave,
            place=places["compound_a"],
            name="上河园网格工作群",
            platform=Platform.WEBHOOK,
            url=server.url + "robot",
            secret="work-group-secret",
            kinds=[Kind.NEW_APPEAL],
            language="zh-hans",
            active=True,
            quiet_hours=False,
        )

        resident = _page(browser, live_server, alice, width=390)
        resident.goto(f"{live_server.url}/appeals/new/")
        resident.click("label.pick:has-text('物业服务')")
        resident.fill("textarea[name=text]", "3号楼2单元的单元门坏了，关不上，晚上谁都能进。")
        resident.select_option("select[name=place]", label="上河园 3号楼 2单元")
        resident.click("main button[type=submit]")
        resident.wait_for_load_state()
        assert "已收到您反映的事情" in resident.content()

        staff = _page(browser, live_server, dave, width=1280)
        bell = staff.locator("header a.bell")
        assert bell.locator(".bell-count").inner_text() == "1"
        assert bell.get_attribute("aria-label") == "通知，1 条未读"
        staff.screenshot(path=tmp_path / "1-bell-1280.png", full_page=True)
        bell.click()
        staff.wait_for_load_state()
        assert staff.locator(".note-unread", has_text="新诉求：3号楼2单元的单元门坏了").count() == 1

        # The work group hears of it once the worker runs, as `qinlin worker` does in the demo.
        assert sink.count == 0
        call_command("worker", "--once")
        assert sink.wait_until(lambda s: s.count == 1, timeout=10)
        posted = sink.messages()[0]
        assert posted.text.startswith("新诉求：3号楼2单元的单元门坏了")
        assert posted.key == Notification.objects.get(channel="robot").uid
        assert Notification.objects.get(channel="robot").status == Status.SENT

        staff.click(".note-unread a.note-link")
        staff.wait_for_load_state()
        assert "/appeals/" in staff.url
        assert staff.locator("header a.bell .bell-count").count() == 0
        staff.fill("input[name=title]", "更换3号楼2单元单元门")
        staff.click("button[name=action][value=accept]")
        staff.wait_for_load_state()

        resident.goto(f"{live_server.url}/")
        assert resident.locator("header a.bell .bell-count").inner_text() == "1"
        resident.click("header a.bell")
        resident.wait_for_load_state()
        note = resident.locator(".note-unread").first
        assert "已纳入议题" in note.inner_text()
        assert "更换3号楼2单元单元门" in note.inner_text()
        resident.screenshot(path=tmp_path / "2-centre-390.png", full_page=True)
        note.locator("a.note-link").click()
        resident.wait_for_load_state()
        assert "更换3号楼2单元单元门" in resident.locator("h1").inner_text()
        assert sink.count == 1  # the work group was not told of the resident's news
    for page in (resident, staff):
        page.context.close()
