"""Notices: drafted from a topic's records, published to channels for a period, masked in
every rendering, objected to and answered, withdrawn with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.disclosure.drafting import notice_subjects
from qinlin.disclosure.models import ChannelKind, Notice, NoticeKind, NoticeStatus
from qinlin.disclosure.services import (
    channel_create,
    notice_draft,
    notice_publish,
    notice_withdraw,
    notice_write,
    objection_answer,
    objection_file,
    objection_record,
)
from qinlin.people.models import Person
from qinlin.works.funding import funding_plan_set
from qinlin.works.models import FundingSource, ShareMode
from tests.disclosure.helpers import boards, published, tendered

pytestmark = pytest.mark.django_db

PRIVATE = "有事联系李爱丽，电话 13912345678，身份证 370702199001011234。"


def test_bids_are_drafted_from_the_tender_and_published_for_seven_days(
    erin: Person, places
) -> None:
    topic, tender = tendered(erin, places)
    subjects = {s.key: s for s in notice_subjects(topic)}
    assert f"bids:{tender.uid}" in subjects
    notice = notice_draft(actor=erin, topic=topic, subject=f"bids:{tender.uid}")
    assert notice.state == NoticeStatus.DRAFT
    assert "潍坊安居门业，报价 11800.00 元" in notice.body
    assert "共收到 3 家投标" in notice.body
    notice = notice_publish(actor=erin, notice=notice, channels=boards(erin, places))
    today = timezone.localdate()
    assert notice.period_ends == today + timedelta(days=7)
    assert notice.status() == NoticeStatus.PUBLISHED
    assert notice.status(today + timedelta(days=7)) == NoticeStatus.PUBLISHED
    assert notice.status(today + timedelta(days=8)) == NoticeStatus.PERIOD_OVER
    step = topic.steps.get(verb="notice_published")
    assert step.data["notice"] == notice.uid


def test_publishing_masks_phones_ids_and_the_names_of_the_compounds_people(
    erin: Person, alice: Person, places
) -> None:
    notice = published(erin, places, body=PRIVATE)
    assert "13912345678" not in notice.body
    assert "139****5678" in notice.body
    assert "370702199001011234" not in notice.body
    assert "李爱丽" not in notice.body
    assert "李*丽" in notice.body


def test_channels_of_another_compound_and_empty_choices_are_refused(
    erin: Person, frank: Person, places
) -> None:
    notice = notice_write(actor=erin, place=places["compound_a"], title="停水通知", body="明天停水")
    other = channel_create(
        actor=frank,
        place=places["compound_b"],
        kind=ChannelKind.COMPOUND_BOARD,
        name="锦绣苑公示栏",
    )
    with pytest.raises(DomainError) as wrong:
        notice_publish(actor=erin, notice=notice, channels=[other])
    assert "锦绣苑公示栏" in str(wrong.value)
    with pytest.raises(DomainError):
        notice_publish(actor=erin, notice=notice, channels=[])
    community = channel_create(
        actor=frank, place=places["community"], kind=ChannelKind.COMMUNITY_BOARD, name="社区公示栏"
    )
    notice.refresh_from_db()
    assert notice.state == NoticeStatus.DRAFT
    notice_publish(actor=erin, notice=notice, channels=[community])  # the community's board


def test_only_those_who_publish_draft_and_a_withdrawal_needs_a_reason(
    erin: Person, alice: Person, places
) -> None:
    with pytest.raises(ForbiddenError):
        notice_write(actor=alice, place=places["compound_a"], title="t", body="b")
    notice = published(erin, places)
    with pytest.raises(ConflictError):
        notice_publish(actor=erin, notice=notice, channels=list(notice.channels.all()))
    with pytest.raises(DomainError):
        notice_withdraw(actor=erin, notice=notice, reason=" ")
    notice = notice_withdraw(actor=erin, notice=notice, reason="时间写错，问李爱丽 13912345678")
    assert notice.status() == NoticeStatus.WITHDRAWN
    assert notice.withdrawn_reason == "时间写错，问李*丽 139****5678"


def test_objections_during_the_period_from_residents_and_in_person(
    erin: Person, alice: Person, bob: Person, places
) -> None:
    notice = published(erin, places)
    objection = objection_file(actor=alice, notice=notice, text="停水时间太长，电话 13912345678")
    assert "139****5678" in objection.text
    with pytest.raises(ForbiddenError):
        objection_file(actor=bob, notice=notice, text="我不住这里")
    spoken = objection_record(
        actor=erin, notice=notice, author_name="张大爷", text="老人用水怎么办"
    )
    objection_answer(actor=erin, objection=spoken, answer="物业将送桶装水上门。")
    with pytest.raises(ForbiddenError):
        objection_answer(actor=alice, objection=objection, answer="我自己答")
    Notice.objects.filter(pk=notice.pk).update(period_ends=timezone.localdate() - timedelta(days=1))
    notice.refresh_from_db()
    with pytest.raises(ConflictError):
        objection_file(actor=alice, notice=notice, text="晚了")
    assert notice.objections.count() == 2


def test_the_public_page_print_view_and_chat_text_show_only_the_masked_notice(
    client: Client, erin: Person, alice: Person, places
) -> None:
    notice = published(erin, places, body=PRIVATE)
    objection_record(actor=erin, notice=notice, author_name="张建华", text="有意见")
    page = client.get(f"/n/{notice.uid}/").content.decode()  # no login
    printed = client.get(f"/n/{notice.uid}/print/").content.decode()
    text = client.get(f"/n/{notice.uid}/text/").content.decode()
    for rendering in (page, printed, text):
        assert "13912345678" not in rendering
        assert "李爱丽" not in rendering
    assert "停水通知" in page
    assert "张*华" in page
    assert "张建华" not in page
    assert "北苑社区" in printed
    assert "<svg" in printed
    assert "公示期" in printed
    assert f"http://testserver/n/{notice.uid}/" in text
    assert text.startswith("【公示】停水通知")


def test_drafts_are_not_public_and_staff_pages_are_for_staff(
    client: Client, erin: Person, alice: Person, places
) -> None:
    draft = notice_write(actor=erin, place=places["compound_a"], title="草稿", body="未发布")
    assert client.get(f"/n/{draft.uid}/").status_code == 404
    assert client.get(f"/n/{draft.uid}/print/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/disclosure/notices/{draft.uid}/").status_code == 302  # to the public page
    assert (
        client.post(f"/disclosure/notices/{draft.uid}/act/", {"action": "publish"}).status_code
        == 404
    )


def test_staff_edit_publish_and_answer_in_the_pages(
    client: Client, erin: Person, alice: Person, places
) -> None:
    topic, tender = tendered(erin, places)
    channels = boards(erin, places)
    client.force_login(erin)
    assert "起草公示" in client.get(f"/topics/{topic.uid}/").content.decode()
    response = client.post(
        f"/disclosure/topics/{topic.uid}/notices/", {"subject": f"bids:{tender.uid}"}
    )
    notice = Notice.objects.get()
    assert response["Location"] == f"/disclosure/notices/{notice.uid}/"
    form = {
        "action": "publish",
        "title": notice.title,
        "body": notice.body + "\n联系人：李爱丽",
        "period_days": "10",
        "channels": [channels[1].uid, channels[2].uid],
    }
    refused = client.post(f"/disclosure/notices/{notice.uid}/act/", {**form, "period_days": "0"})
    assert refused.status_code == 400
    assert Notice.objects.get().state == NoticeStatus.DRAFT
    client.post(f"/disclosure/notices/{notice.uid}/act/", form)
    notice.refresh_from_db()
    assert notice.state == NoticeStatus.PUBLISHED
    assert notice.period_ends == timezone.localdate() + timedelta(days=10)
    assert {c.name for c in notice.channels.all()} == {"3号楼公示栏", "上河园业主群"}
    assert "李*丽" in notice.body
    timeline = client.get(f"/topics/{topic.uid}/").content.decode()
    assert f'href="/n/{notice.uid}/"' in timeline

    client.force_login(alice)
    client.post(f"/n/{notice.uid}/objections/", {"text": "鲁安门窗的质保写错了"})
    objection = notice.objections.get()
    client.force_login(erin)
    client.post(
        f"/disclosure/objections/{objection.pk}/answer/", {"answer": "已核实，质保为两年。"}
    )
    client.logout()
    public = client.get(f"/n/{notice.uid}/").content.decode()
    assert "鲁安门窗的质保写错了" in public
    assert "已核实，质保为两年。" in public
    assert "李*丽" in public


def test_the_funding_plan_and_its_accounts_are_drafted_too(erin: Person, places) -> None:
    topic, _tender = tendered(erin, places)
    funding_plan_set(
        actor=erin,
        topic=topic,
        total_fen=1_200_000,
        lines={FundingSource.RESIDENTS: 900_000, FundingSource.PROPERTY_SUBSIDY: 300_000},
        scope=places["unit_a"],
        share_mode=ShareMode.AREA,
    )
    kinds = {s.kind for s in notice_subjects(topic)}
    assert kinds == {NoticeKind.BIDS, NoticeKind.FUNDING}
    notice = notice_draft(actor=erin, topic=topic, subject=f"funding:{topic.uid}")
    assert "总费用 12000.00 元" in notice.body
    assert "居民自筹 9000.00 元" in notice.body
    assert "共 2 户分摊；已缴 0 户，减免 0 户" in notice.body
    with pytest.raises(DomainError):
        notice_draft(actor=erin, topic=topic, subject="tally:nothing")


def test_the_public_and_staff_notice_pages_read_in_a_fixed_number_of_queries(
    client: Client, erin: Person, places
) -> None:
    notice = published(erin, places)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    objection_record(actor=erin, notice=notice, author_name="张大爷", text="一")
    client.force_login(erin)
    few = (count(f"/n/{notice.uid}/"), count(f"/disclosure/notices/{notice.uid}/"))
    for i in range(5):
        objection_record(actor=erin, notice=notice, author_name=f"王{i}", text="又一条")
    assert (count(f"/n/{notice.uid}/"), count(f"/disclosure/notices/{notice.uid}/")) == few


def test_objections_past_the_hourly_limit_are_refused_and_the_text_is_kept(
    client: Client, erin: Person, alice: Person, places, settings
) -> None:
    settings.QINLIN_RATE_LIMITS = {"disclosure.objection": (1, 0, 3600)}
    notice = published(erin, places)
    client.force_login(alice)
    url = f"/n/{notice.uid}/objections/"
    assert client.post(url, {"text": "停水时间太长"}).status_code == 302
    refused = client.post(url, {"text": "老人用水怎么办"})
    assert refused.status_code == 400
    assert "提交太频繁" in refused.content.decode()
    assert "老人用水怎么办" in refused.content.decode()
    assert notice.objections.count() == 1
    # What staff write down from residents in person is not limited.
    objection_record(actor=erin, notice=notice, author_name="张大爷", text="老人用水怎么办")
    assert notice.objections.count() == 2
