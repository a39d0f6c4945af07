"""The reference story (domain.md §1) end to end in a real browser, each person in their own
browser: the broken unit door of Shanghe Garden goes from residents' appeals on their phones,
through local deliberation, the community's consultation and the owners' vote, to a tender,
a funding plan shared by area, accepted and evaluated work, the closed topic and the dashboard
figure that counts it. Every page it meets is checked for the accessibility basics (a11y.py).

QINLIN_GUIDE_SHOTS=folder keeps the user guide's screenshots under stable names.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from qinlin.core.roles import Role
from qinlin.disclosure.models import Notice
from qinlin.evaluation.models import Survey
from qinlin.places.models import PlaceKind
from qinlin.topics.models import Topic
from qinlin.votes.models import Vote
from qinlin.works.models import Task, Tender
from tests.disclosure.helpers import boards
from tests.e2e.story import Story
from tests.e2e.test_works_story import BIDS
from tests.factories import PlaceFactory, holding, resident_of, tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_categories"),
]

TITLE = "更换3号楼2单元单元门"
OPTION_B = "B. 居民自筹 + 物业补贴"
PHONE, TABLET, DESK = 390, 768, 1280


def _file_appeal(story: Story, page: Any, text: str) -> str:
    story.go(page, "/appeals/new/")
    page.click("label.pick:has-text('物业服务')")
    page.fill("textarea[name=text]", text)
    page.select_option("select[name=place]", label="上河园 3号楼 2单元")
    return story.submit(page, "main form")


def _advance(story: Story, page: Any, label: str, target: str, **fields: str) -> str:
    """Take a step from the topic page's "next steps": open it, fill it, submit it."""
    page.click(f"summary:has-text('{label}')")
    form = page.locator(f"form:has(input[name=to][value={target}])")
    for name, value in fields.items():
        form.locator(f"[name='to-{target}-{name}']").fill(value)
    return story.submit(page, f"form:has(input[name=to][value={target}])")


def _meeting(
    story: Story, page: Any, topic: Topic, kind: str, title: str, *, people: list[str], yes: int
) -> str:
    """Convene a meeting, sign in all invited but the last, write minutes, count hands on B."""
    story.go(page, f"/topics/meetings/new/?topic={topic.uid}")
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=title]", title)
    page.fill("input[name=starts_at]", "2026-11-20T19:00")
    page.fill("input[name=location]", "上河园党群服务站")
    page.fill("textarea[name=others]", "\n".join(people))
    seen = story.submit(page, "main form")
    assert title in seen
    for _ in range(len(people) - 1):
        page.locator("button[name=action][value=sign_in]").first.click()
        page.wait_for_load_state()
    page.fill("textarea[name=minutes]", "与会人员比较了两个方案的费用和分摊方式。")
    story.click(page, "button[name=action][value=minutes]")
    option = page.locator("select[name=option] option:has-text('B.')").inner_text()
    page.select_option("select[name=option]", label=option)
    page.fill("input[name=agree]", str(yes))
    page.fill("input[name=disagree]", str(len(people) - 1 - yes))
    page.fill("input[name=abstain]", "0")
    return story.click(page, "button[name=action][value=hands]")


def residents_file_appeals(story: Story, alice: Any, zhou: Any) -> None:
    seen = _file_appeal(story, alice, "3号楼2单元的单元门坏了，关不上，晚上谁都能进。")
    assert "已收到您反映的事情" in seen
    story.shot(alice, "resident-file-appeal")
    seen = _file_appeal(story, zhou, "我们单元的楼门锁坏了，门禁也失灵")
    assert "另有 1 户反映过类似的事情" in seen


def grid_worker_groups_them(story: Story, grid: Any) -> Topic:
    seen = story.go(grid, "/appeals/inbox/")
    assert "单元门坏了" in seen
    assert "门禁也失灵" in seen
    story.shot(grid, "grid-inbox")
    grid.click("text=3号楼2单元的单元门坏了")
    grid.fill("input[name=title]", TITLE)
    seen = story.click(grid, "button[name=action][value=accept]")
    assert f"已将 2 条诉求纳入议题“{TITLE}”" in seen
    topic = Topic.objects.get(title=TITLE)
    story.go(grid, f"/topics/{topic.uid}/")
    assert "议题已进入“先行商议”阶段" in _advance(story, grid, "受理，转入先行商议", "local")
    return topic


def secretary_deliberates_locally_and_escalates(story: Story, branch: Any, topic: Topic) -> None:
    story.go(branch, f"/topics/{topic.uid}/")
    for title, funding in (
        ("公共维修基金支付", "公共维修基金"),
        ("居民自筹 + 物业补贴", "居民自筹 + 物业补贴"),
    ):
        branch.click("summary:has-text('添加方案')")
        form = branch.locator("form[action$='/options/']")
        form.locator("input[name=title]").fill(title)
        form.locator("input[name=estimated_cost]").fill("12000")
        form.locator("input[name=funding]").fill(funding)
        story.submit(branch, "form[action$='/options/']")
    seen = branch.inner_text("main")
    assert "A. 公共维修基金支付" in seen
    assert OPTION_B in seen
    people = [
        "周业委，业委会",
        "孙物业，物业公司",
        "陈楼长，楼长",
        "马骨干，居民代表",
        "缺席者，居民代表",
    ]
    seen = _meeting(story, branch, topic, "local", "单元门先行商议会", people=people, yes=2)
    assert "未通过" in seen
    story.shot(branch, "secretary-meeting")
    story.go(branch, f"/topics/{topic.uid}/")
    seen = _advance(
        story, branch, "提交社区党委审核", "review", note="物业与业委会意见不一，提请社区党委审核。"
    )
    assert "议题已进入“调查审核”阶段" in seen


def staff_review_and_consult(story: Story, office: Any, topic: Topic) -> None:
    story.go(office, f"/topics/{topic.uid}/")
    seen = _advance(
        story,
        office,
        "审核通过，组织协商",
        "consultation",
        findings="经现场查看，单元门闭门器损坏、门禁失灵，属公共部位维修。",
    )
    assert "议题已进入“协商”阶段" in seen
    people = [
        "王代表，两代表一委员",
        "刘律师，法律顾问",
        "周业委，业委会",
        "孙物业，物业公司",
        "马骨干，居民代表",
        "罗代表，居民代表",
        "缺席者，居民代表",
    ]
    seen = _meeting(
        story, office, topic, "consultation", "单元门更换协商议事会", people=people, yes=5
    )
    assert "应到 7 人，实到 6 人" in seen
    assert "同意 5/6（83.33%） > 1/2 ✓；通过" in seen
    story.shot(office, "staff-consultation")
    story.go(office, f"/topics/{topic.uid}/")
    assert "议题已进入“表决”阶段" in _advance(story, office, "提交业主表决", "voting")


def staff_open_the_vote(story: Story, office: Any, topic: Topic, unit: Any) -> Vote:
    story.go(office, f"/votes/new/?topic={topic.uid}")
    option_a, option_b = topic.options.order_by("letter")
    office.select_option(f"select[name=item_{option_a.pk}]", "5")
    office.select_option(f"select[name=item_{option_b.pk}]", "9")
    office.select_option("select[name=scope]", unit.uid)
    assert "业主表决已发起" in story.submit(office, "main form")
    return Vote.objects.get()


def head_records_paper_ballots(story: Story, tablet: Any, vote: Vote) -> None:
    story.go(tablet, f"/votes/{vote.uid}/door/")
    for room, a, b in (
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
        assert f"{room} 已记录" in story.seen(tablet)
    story.shot(tablet, "head-door-ballots")


def owner_votes_online(story: Story, phone: Any, vote: Vote, *, shot: bool) -> None:
    story.go(phone, f"/votes/{vote.uid}/")
    phone.locator("input[name=option_A][value=disagree]").check()
    phone.locator("input[name=option_B][value=agree]").check()
    assert "已记录，回执码" in story.submit(phone, "#my-ballot")
    if shot:
        story.shot(phone, "resident-vote")


def staff_close_the_vote_and_announce(story: Story, office: Any, vote: Vote, topic: Topic) -> None:
    story.go(office, f"/votes/{vote.uid}/")
    seen = story.click(office, "button[name=action][value=close]")
    assert "表决已结束" in seen
    assert "A · 未通过" in seen
    assert "B · 通过" in seen
    assert "同意的专有部分面积 425.80㎡，占参与表决面积 82.79% > 1/2 ✓" in seen
    story.shot(office, "tally")
    story.go(office, f"/topics/{topic.uid}/")
    office.click("summary:has-text('公布表决结果')")
    form = office.locator("form:has(input[name=to][value=decided])")
    # The closed vote fills in the option it carried and the tally's words.
    assert form.locator("select[name='to-decided-option'] option:checked").inner_text() == OPTION_B
    assert "事项 B" in form.locator("[name='to-decided-tally']").input_value()
    form.locator("[name='to-decided-notice_draft']").fill("经业主表决，采用方案B，现予公示。")
    seen = story.submit(office, "form:has(input[name=to][value=decided])")
    assert "议题已进入“已决定”阶段" in seen


def committee_tenders(story: Story, office: Any, topic: Topic, picture: Path) -> Tender:
    story.go(office, f"/topics/{topic.uid}/")
    office.click("summary:has-text('开始办理')")
    office.locator("details[open] label:has-text('王业委') input").check()
    assert "办理中" in story.submit(office, "details[open] form")

    office.click("#tasks summary:has-text('安排任务')")
    office.fill("input[name=task-title]", "拆除旧门并安装新单元门")
    office.select_option("select[name=task-responsible]", label="王业委")
    office.fill("input[name=task-due_on]", (timezone.localdate() + timedelta(days=20)).isoformat())
    assert "已安排任务" in story.submit(office, "#tasks details[open] form")

    office.click("#tenders summary:has-text('发布招标')")
    office.fill("input[name=tender-title]", "3号楼2单元单元门更换")
    office.fill("textarea[name=tender-requirements]", "钢质防盗单元门，带门禁，质保三年。")
    deadline = timezone.localtime() + timedelta(days=7)
    office.fill("input[name=tender-deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    assert "招标已发布" in story.submit(office, "#tenders details[open] form")
    for vendor, price, model in BIDS:
        office.click("summary:has-text('录入投标')")
        office.fill("input[name=bid-vendor]", vendor)
        office.fill("input[name=bid-price]", price)
        office.fill("input[name=bid-product]", model)
        office.set_input_files("input[name=bid-documents]", str(picture))
        assert "投标已录入" in story.submit(office, "#bids details[open] form")
    tender = Tender.objects.get()
    # A week passes: the bidding deadline is behind us.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    office.reload()
    seen = story.submit(office, "#bids form")
    assert "投标已公示" in seen
    assert all(vendor in seen for vendor, _, _ in BIDS)
    story.shot(office, "committee-tender")
    return tender


def bids_notice_objected_and_answered(
    story: Story, office: Any, phone: Any, topic: Topic, tender: Tender
) -> None:
    story.go(office, f"/topics/{topic.uid}/")
    story.click(office, "#notices a:has-text('起草公示')")
    office.check(f"input[name=subject][value='bids:{tender.uid}']")
    story.submit(office, "main form")
    assert "潍坊安居门业，报价 11800.00 元" in office.input_value("textarea[name=body]")
    seen = story.click(office, "button[name=action][value=publish]")
    assert "公示已发布" in seen
    notice = Notice.objects.get()

    story.go(phone, f"/n/{notice.uid}/")
    phone.fill("textarea[name=text]", "恒通的门质保只有一年，建议不要只看价格。")
    assert "异议已提交" in story.submit(phone, "#objections form")
    story.go(office, f"/disclosure/notices/{notice.uid}/")
    office.fill("#objections textarea[name=answer]", "意见已转业委会，定标时将质保作为条件。")
    assert "答复已公开" in story.submit(office, "#objections form")
    phone.reload()
    seen = phone.inner_text("#objections")
    assert "李*丽" in seen
    assert "定标时将质保作为条件" in seen
    story.shot(phone, "notice-objection")

    story.go(office, f"/works/tenders/{tender.uid}/")
    office.select_option("select[name=award-bid]", label="潍坊安居门业 · 11800.00")
    office.fill("textarea[name=award-reason]", "报价居中，质保三年，居民意见倾向安居。")
    assert "中标：潍坊安居门业，11800.00 元" in story.submit(office, "#award form")


def committee_shares_the_cost_by_area(story: Story, office: Any, topic: Topic, unit: Any) -> None:
    story.go(office, f"/topics/{topic.uid}/")
    office.click("#funding summary")
    office.fill("input[name=funding-total]", "11800")
    office.fill("input[name=funding-line_residents]", "8800")
    office.fill("input[name=funding-line_property_subsidy]", "3000")
    office.select_option("select[name=funding-scope]", unit.uid)
    office.select_option("select[name=funding-share_mode]", "area")
    seen = story.submit(office, "#funding details[open] form")
    assert "资金方案已保存" in seen
    funding = office.inner_text("#funding")
    assert "按面积分摊" in funding
    assert "5 户分摊" in funding
    story.shot(office, "funding")
    seen = story.click(office, "#funding a:has-text('收费表')")
    # 8800 yuan over 89.50 + 120.00 + 96.30 + 120.00 + 88.50 = 514.30 m²: 101 pays 1531.40.
    assert "2单元 101\t89.50\t1531.40\t未缴" in seen


def work_done_and_accepted(
    story: Story, office: Any, phone: Any, topic: Topic, picture: Path
) -> None:
    task = Task.objects.get()
    story.go(office, f"/topics/{topic.uid}/")
    office.click(f"#task-{task.uid} summary")
    office.fill(f"textarea[name='{task.uid}-text']", "旧门已拆除，新门安装完毕，门禁调试正常。")
    office.select_option(f"select[name='{task.uid}-status']", "done")
    office.set_input_files(f"input[name='{task.uid}-photos']", str(picture))
    assert "进展已记录" in story.submit(office, f"#task-{task.uid} details[open] form")
    office.fill("input[name=acceptance-participants]", "业委会主任 王业委、居民代表 李爱丽、郑书记")
    office.fill("textarea[name=acceptance-opinion]", "新单元门安装牢固，门禁刷卡正常。")
    office.check("input[name=acceptance-passed][value=yes]")
    office.set_input_files("input[name=acceptance-photos]", str(picture))
    seen = story.submit(office, "#acceptance details[open] form")
    assert "验收合格，议题进入测评" in seen
    assert "测评中" in seen
    story.go(phone, f"/topics/{topic.uid}/")
    seen = phone.inner_text("main")
    assert "中标：潍坊安居门业" in seen
    assert "验收人员：业委会主任 王业委" in seen
    story.shot(office, "acceptance")


def audited_and_surveyed(
    story: Story, branch: Any, phones: list[Any], topic: Topic, unit: Any
) -> None:
    story.go(branch, f"/topics/{topic.uid}/")
    branch.click("#evaluation summary:has-text('记录审计评估')")
    branch.fill("input[name=audit-panel]", "党员代表 宋淑珍、居民代表 罗凤英")
    branch.fill("textarea[name=audit-findings]", "门体安装牢固，资金使用与公示一致。")
    branch.check("input[name=audit-verdict][value=passed]")
    assert "审计评估已记录" in story.submit(branch, "#evaluation details[open] form")
    branch.click("#evaluation summary:has-text('发起满意度测评')")
    branch.select_option("select[name=survey-scope]", unit.uid)
    branch.fill("input[name=survey-min_rate]", "40")
    assert "满意度测评已发起" in story.submit(branch, "#evaluation details[open] form")
    survey = Survey.objects.get()
    for phone, level in zip(phones, ("very", "satisfied"), strict=True):
        story.go(phone, f"/evaluation/surveys/{survey.uid}/")
        phone.check(f"input[name=level][value={level}]")
        phone.fill("textarea[name=comment]", "新门很好，谢谢大家。")
        assert "您的评价已记录" in story.submit(phone, "#mine form")
    story.shot(phones[0], "survey")
    story.go(branch, f"/evaluation/surveys/{survey.uid}/")
    seen = story.submit(branch, "form[action$='/end/']")
    assert "参与率达标" in seen
    assert "100.0%" in seen


def staff_close_the_topic(story: Story, office: Any, phone: Any, topic: Topic) -> None:
    story.go(office, f"/topics/{topic.uid}/")
    office.click("summary:has-text('测评完成，办结')")
    office.fill("textarea[name=to-closed-evaluation]", "审计合格，满意率 100%，办结。")
    assert "已办结" in story.submit(office, "details[open] form")
    seen = story.go(phone, f"/topics/{topic.uid}/")
    assert "已办结" in seen
    assert f"决定：{OPTION_B}" in seen.replace("\n", "")
    assert "已采用" in seen
    assert "满意率 100.0%" in seen
    story.shot(phone, "closed-topic")


def dashboard_counts_it(story: Story, office: Any) -> None:
    story.go(office, "/stats/")
    resolved = office.locator(".figure:has(dt:text-is('办结议题')) dd a").first
    assert resolved.inner_text() == "1"
    satisfaction = office.locator(".figure:has(dt:text-is('满意率'))").first.inner_text()
    assert "100.0%" in satisfaction
    story.shot(office, "dashboard")
    resolved.click()
    office.wait_for_load_state()
    seen = story.seen(office)
    assert "办结议题" in seen
    assert TITLE in seen
    assert "已办结" in seen


def test_the_shanghe_garden_unit_door_from_appeal_to_dashboard(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    places = tree()
    for room, area in (("201", "96.30"), ("202", "120.00"), ("301", "88.50")):
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=room, parent=places["unit_a"], area=Decimal(area)
        )
    alice = resident_of(places["home_a"], name="李爱丽")
    zhou = resident_of(places["home_a2"], name="周邻居")
    dave = holding("杜网格", Role.GRID_WORKER, places["compound_a"])
    erin = holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])
    frank = holding("冯社工", Role.COMMUNITY_STAFF, places["community"])
    gina = holding("王业委", Role.OWNERS_COMMITTEE, places["compound_a"])
    chen = holding("陈楼长", Role.BUILDING_HEAD, places["building_a"])
    boards(erin, places)
    picture = tmp_path / "door.jpg"
    Image.new("RGB", (640, 480), "steelblue").save(picture, format="JPEG")
    shots = tmp_path / "shots"
    shots.mkdir()
    story = Story(browser=browser, url=live_server.url, shots=shots)
    unit = places["unit_a"]

    alice_phone = story.person(alice, width=PHONE)
    zhou_phone = story.person(zhou, width=PHONE)
    residents_file_appeals(story, alice_phone, zhou_phone)
    topic = grid_worker_groups_them(story, story.person(dave, width=DESK))
    branch = story.person(erin, width=DESK)
    secretary_deliberates_locally_and_escalates(story, branch, topic)
    office = story.person(frank, width=DESK)
    staff_review_and_consult(story, office, topic)
    vote = staff_open_the_vote(story, office, topic, unit)
    head_records_paper_ballots(story, story.person(chen, width=TABLET), vote)
    owner_votes_online(story, alice_phone, vote, shot=True)
    owner_votes_online(story, zhou_phone, vote, shot=False)
    staff_close_the_vote_and_announce(story, office, vote, topic)
    committee = story.person(gina, width=DESK)
    tender = committee_tenders(story, committee, topic, picture)
    bids_notice_objected_and_answered(story, committee, alice_phone, topic, tender)
    committee_shares_the_cost_by_area(story, committee, topic, unit)
    work_done_and_accepted(story, committee, alice_phone, topic, picture)
    audited_and_surveyed(story, branch, [alice_phone, zhou_phone], topic, unit)
    staff_close_the_topic(story, office, alice_phone, topic)
    dashboard_counts_it(story, office)
    story.finish()
