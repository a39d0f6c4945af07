"""Issue 9's story in a real browser: a partner hospital's dental clinic is announced, residents
register on their phones until it is full and a waiting list forms, a cancellation moves the
first in line up, the clinic is held and attendance taken; the compound page shows its team."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.organisations.models import Activity, PartnerKind, Registration
from qinlin.organisations.partners import partner_create
from qinlin.organisations.services import branch_create
from tests.e2e.test_appeal_story import _page
from tests.e2e.test_works_story import _submit
from tests.factories import holding, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]


def test_a_dental_clinic_fills_up_waits_and_is_attended(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    staff = holding("冯社工", Role.COMMUNITY_STAFF, places["community"])
    holding("周主任", Role.OWNERS_COMMITTEE, places["compound_a"])
    branch_create(
        actor=None,
        community=places["community"],
        name="上河园、锦绣苑联合党支部",
        compounds=[places["compound_a"], places["compound_b"]],
    )
    hospital = partner_create(
        actor=staff,
        community=places["community"],
        name="潍坊市口腔医院",
        kind=PartnerKind.DUAL_REPORT,
        contact_phone="0536-8231234",
    )
    residents = [
        resident_of(places["home_a"], name=name) for name in ("李爱丽", "王秀兰", "赵建国")
    ]

    office = _page(browser, live_server, staff, width=1280)
    office.goto(f"{live_server.url}/organisations/activities/new/")
    starts = timezone.localtime() + timedelta(days=2)
    office.select_option("select[name=place]", places["compound_a"].uid)
    office.fill("input[name=title]", "口腔义诊进小区")
    office.select_option("select[name=kind]", "clinic")
    office.fill("input[name=organiser]", "北苑社区党委")
    office.check(f"input[name=partners][value='{hospital.uid}']")
    office.fill("input[name=location]", "上河园党群服务站")
    office.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    office.fill("input[name=ends_at]", (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    office.fill("input[name=capacity]", "2")
    assert "活动已发布" in _submit(office, "main form")
    activity = Activity.objects.get()

    phones = [_page(browser, live_server, person, width=390) for person in residents]
    for phone in phones:
        phone.goto(f"{live_server.url}/organisations/activities/{activity.uid}/")
        phone.click("#registration button[type=submit]")
        phone.wait_for_load_state()
    assert "候补名单第 1 位" in phones[2].inner_text("main")
    phones[2].screenshot(path=tmp_path / "1-waiting-390.png", full_page=True)

    phones[1].click("#registration button[type=submit]")  # 取消报名
    phones[1].wait_for_load_state()
    assert "已取消报名" in phones[1].inner_text("main")
    phones[2].reload()
    assert "您已报名" in phones[2].inner_text("main")

    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now())  # the day comes
    office.goto(f"{live_server.url}/organisations/activities/{activity.uid}/attendance/")
    for _ in range(2):
        office.click("form.inline button:has-text('签到')")
        office.wait_for_load_state()
    assert Registration.objects.exclude(attended_at=None).count() == 2
    office.screenshot(path=tmp_path / "2-attendance-1280.png", full_page=True)

    phones[0].goto(f"{live_server.url}/organisations/activities/mine/")
    assert "已参加" in phones[0].inner_text("main")
    phones[0].goto(f"{live_server.url}/places/{places['compound_a'].uid}/")
    compound = phones[0].inner_text("main")
    assert "上河园、锦绣苑联合党支部" in compound
    assert "潍坊市口腔医院" in compound
    phones[0].screenshot(path=tmp_path / "3-compound-team-390.png", full_page=True)

    if keep := os.environ.get("QINLIN_SHOTS"):
        Path(keep).mkdir(exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(keep) / f"activity-{shot.name}")
    for context_page in (office, *phones):
        context_page.context.close()
