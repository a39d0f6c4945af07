"""Requests for disclosure (依申请公开): residents file and follow them on a phone; staff see
the open ones under their places, assign them, answer with a notice or refuse with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.core.permissions import can
from qinlin.disclosure.models import DisclosureRequest, Notice, Origin, RequestStatus
from qinlin.disclosure.selectors import overdue_request_count
from qinlin.disclosure.services import (
    channel_create,
    notice_publish,
    request_assign,
    request_file,
    request_refuse,
)
from qinlin.people.models import Person
from qinlin.places.models import Place

pytestmark = pytest.mark.django_db

MINE = reverse("disclosure:my-requests")
INBOX = reverse("disclosure:requests")


def _file(
    person: Person, place: Place, text: str = "请公开去年停车费的收支明细"
) -> DisclosureRequest:
    return request_file(actor=person, place=place, text=text)


def _detail(req: DisclosureRequest) -> str:
    return reverse("disclosure:request", args=[req.uid])


# --- residents -------------------------------------------------------------------------------


def test_resident_files_a_request_about_their_compound(
    client: Client, alice: Person, places: dict[str, Place]
) -> None:
    client.force_login(alice)
    page = client.get(MINE).content.decode()
    assert "上河园 3号楼 2单元" in page
    assert places["compound_b"].uid not in page
    response = client.post(
        MINE, {"place": places["compound_a"].uid, "text": "请公开去年停车费的收支明细"}
    )
    assert response.status_code == 302
    assert response["Location"] == MINE
    filed = DisclosureRequest.objects.get()
    assert filed.requester == alice
    assert filed.place == places["compound_a"]
    assert filed.status == RequestStatus.REGISTERED
    due = timezone.localdate() + timedelta(days=settings.QINLIN_DISCLOSURE_DUE_DAYS)
    assert filed.due_on == due
    page = client.get(MINE).content.decode()
    assert "请公开去年停车费的收支明细" in page
    assert "已登记" in page
    assert due.isoformat() in page


def test_an_empty_request_post_says_what_is_missing(
    client: Client, alice: Person, places: dict[str, Place]
) -> None:
    client.force_login(alice)
    response = client.post(MINE, {})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_resident_may_ask_about_their_unit(
    client: Client, alice: Person, places: dict[str, Place]
) -> None:
    client.force_login(alice)
    response = client.post(MINE, {"place": places["unit_a"].uid, "text": "电梯维修费用"})
    assert response.status_code == 302
    assert DisclosureRequest.objects.get().place == places["unit_a"]


def test_an_empty_request_is_refused_with_the_reason_and_nothing_is_saved(
    client: Client, alice: Person, places: dict[str, Place]
) -> None:
    client.force_login(alice)
    response = client.post(MINE, {"place": places["unit_a"].uid, "text": "   "})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请写下希望公开的内容。" in body
    assert f'value="{places["unit_a"].uid}" selected' in body
    assert not DisclosureRequest.objects.exists()


@pytest.mark.parametrize("place", ["compound_b", "community", "home_b"])
def test_a_resident_cannot_ask_about_a_place_that_is_not_theirs(
    client: Client, alice: Person, places: dict[str, Place], place: str
) -> None:
    client.force_login(alice)
    response = client.post(MINE, {"place": places[place].uid, "text": "物业合同"})
    assert response.status_code == 403
    assert not DisclosureRequest.objects.exists()


def test_a_place_that_does_not_exist_is_refused(client: Client, alice: Person) -> None:
    client.force_login(alice)
    response = client.post(MINE, {"place": "nosuchplace2", "text": "物业合同"})
    assert response.status_code == 403
    assert not DisclosureRequest.objects.exists()


def test_residents_see_only_their_own_requests(
    client: Client, alice: Person, bob: Person, places: dict[str, Place]
) -> None:
    _file(alice, places["compound_a"], "上河园的物业合同")
    _file(bob, places["compound_b"], "锦绣苑的维修基金账目")
    client.force_login(alice)
    page = client.get(MINE).content.decode()
    assert "上河园的物业合同" in page
    assert "锦绣苑的维修基金账目" not in page


def test_someone_without_a_home_is_shown_how_to_claim_one(client: Client, oscar: Person) -> None:
    client.force_login(oscar)
    response = client.get(MINE)
    assert response.status_code == 200
    assert "先认证您的房屋" in response.content.decode()
    assert client.post(MINE, {"place": "", "text": "物业合同"}).status_code == 400
    assert not DisclosureRequest.objects.exists()


# --- the staff list --------------------------------------------------------------------------


def test_staff_list_shows_overdue_requests_first_and_flags_them(
    client: Client, alice: Person, bob: Person, dave: Person, places: dict[str, Place]
) -> None:
    later = _file(alice, places["compound_a"], "今年的绿化合同")
    late = _file(alice, places["unit_a"], "电梯维修的费用分摊")
    elsewhere = _file(bob, places["compound_b"], "锦绣苑的停车收费")
    DisclosureRequest.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    client.force_login(dave)
    page = client.get(INBOX).content.decode()
    assert page.index("电梯维修的费用分摊") < page.index("今年的绿化合同")
    assert "逾期 3 天" in page
    assert "badge badge-red" in page
    assert "李爱丽" in page
    assert str(alice.phone) not in page
    assert _detail(later) in page
    assert "锦绣苑的停车收费" not in page
    assert _detail(elsewhere) not in page


def test_community_staff_see_every_compound_of_the_community(
    client: Client, alice: Person, bob: Person, frank: Person, places: dict[str, Place]
) -> None:
    _file(alice, places["compound_a"], "上河园的物业合同")
    _file(bob, places["compound_b"], "锦绣苑的维修基金账目")
    client.force_login(frank)
    page = client.get(INBOX).content.decode()
    assert "上河园的物业合同" in page
    assert "锦绣苑的维修基金账目" in page


def test_closed_requests_leave_the_staff_list(
    client: Client, alice: Person, dave: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"], "上河园的物业合同")
    client.force_login(dave)
    client.post(reverse("disclosure:request-refuse", args=[req.uid]), {"reason": "涉及商业秘密"})
    assert "上河园的物业合同" not in client.get(INBOX).content.decode()


def test_overdue_count_for_the_workspace_is_one_query(
    alice: Person, dave: Person, bob: Person, places: dict[str, Place]
) -> None:
    late = _file(alice, places["compound_a"])
    _file(alice, places["unit_a"])
    DisclosureRequest.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    assert can(dave, "core.use_workspace")  # the workspace's own check warms the role cache
    with CaptureQueriesContext(connection) as queries:
        assert overdue_request_count(dave) == 1
    assert len(queries) == 1
    assert overdue_request_count(bob) == 0


# --- one request -----------------------------------------------------------------------------


@pytest.mark.usefixtures("frank")
def test_staff_assign_a_request_to_someone_who_may_publish(
    client: Client, alice: Person, dave: Person, erin: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    client.force_login(dave)
    page = client.get(_detail(req)).content.decode()
    assert "郑书记" in page
    assert "冯社工" in page
    assert "李爱丽" in page
    assert str(alice.phone) not in page
    response = client.post(
        reverse("disclosure:request-assign", args=[req.uid]), {"assignee": erin.uid}
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(req)
    req.refresh_from_db()
    assert req.assignee == erin
    assert req.status == RequestStatus.ASSIGNED
    assert "承办人：郑书记" in client.get(INBOX).content.decode()


def test_a_resident_cannot_be_made_the_assignee(
    client: Client, alice: Person, bob: Person, dave: Person, places
) -> None:
    req = _file(alice, places["compound_a"])
    client.force_login(dave)
    response = client.post(
        reverse("disclosure:request-assign", args=[req.uid]), {"assignee": bob.uid}
    )
    assert response.status_code == 400
    req.refresh_from_db()
    assert req.assignee is None
    assert req.status == RequestStatus.REGISTERED


def test_an_answer_is_drafted_then_published_and_the_resident_sees_it(
    client: Client, alice: Person, dave: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    client.force_login(dave)
    response = client.post(
        reverse("disclosure:request-answer", args=[req.uid]),
        {"title": "停车费收支明细", "body": "去年停车费收入 12 万元，支出如下……"},
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosure:notice", args=[notice.uid])
    assert notice.origin == Origin.ON_REQUEST
    req.refresh_from_db()
    assert req.notice == notice
    assert req.status == RequestStatus.REGISTERED
    page = client.get(_detail(req)).content.decode()
    assert reverse("disclosure:notice", args=[notice.uid]) in page
    assert "起草答复公示" not in page

    board = channel_create(
        actor=dave, place=places["compound_a"], kind="compound_board", name="上河园公示栏"
    )
    notice_publish(actor=dave, notice=notice, channels=[board])

    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED
    client.force_login(alice)
    page = client.get(MINE).content.decode()
    assert "已答复" in page
    assert reverse("public:notice", args=[notice.uid]) in page
    assert "停车费收支明细" in page
    client.force_login(dave)
    page = client.get(_detail(req)).content.decode()
    assert "以公示答复：" in page
    assert "指派承办人" not in page
    assert "不予公开的理由" not in page


def test_an_empty_answer_is_refused_and_no_notice_is_drafted(
    client: Client, alice: Person, dave: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    client.force_login(dave)
    response = client.post(
        reverse("disclosure:request-answer", args=[req.uid]), {"title": "停车费", "body": ""}
    )
    assert response.status_code == 400
    assert "请填写标题和正文。" in response.content.decode()
    assert not Notice.objects.exists()


def test_refusing_needs_a_reason_which_the_resident_then_reads(
    client: Client, alice: Person, dave: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    refuse = reverse("disclosure:request-refuse", args=[req.uid])
    client.force_login(dave)
    response = client.post(refuse, {"reason": "  "})
    assert response.status_code == 400
    assert "请写明不予公开的理由。" in response.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED

    response = client.post(refuse, {"reason": "该合同涉及第三方商业秘密，依法不予公开。"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REFUSED
    page = client.get(_detail(req)).content.decode()
    assert "决定不予公开" in page
    assert "指派承办人" not in page

    client.force_login(alice)
    page = client.get(MINE).content.decode()
    assert "不予公开" in page
    assert "该合同涉及第三方商业秘密，依法不予公开。" in page


def test_acting_on_a_closed_request_changes_nothing_and_says_why(
    client: Client, alice: Person, dave: Person, erin: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    client.force_login(dave)
    client.post(reverse("disclosure:request-refuse", args=[req.uid]), {"reason": "涉密"})
    response = client.post(
        reverse("disclosure:request-assign", args=[req.uid]), {"assignee": erin.uid}, follow=True
    )
    assert "这份申请已经办结。" in response.content.decode()
    req.refresh_from_db()
    assert req.assignee is None
    assert req.status == RequestStatus.REFUSED


# --- outsiders -------------------------------------------------------------------------------


def test_residents_cannot_open_the_staff_pages(
    client: Client, alice: Person, bob: Person, places: dict[str, Place]
) -> None:
    req = _file(alice, places["compound_a"])
    for person in (bob, alice):
        client.force_login(person)
        assert client.get(INBOX).status_code == 403
        assert client.get(_detail(req)).status_code == 404
        response = client.post(
            reverse("disclosure:request-refuse", args=[req.uid]), {"reason": "x"}
        )
        assert response.status_code == 404
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED


def test_staff_of_another_compound_get_a_404(
    client: Client, bob: Person, dave: Person, places: dict[str, Place]
) -> None:
    req = _file(bob, places["compound_b"])
    client.force_login(dave)
    assert client.get(_detail(req)).status_code == 404
    response = client.post(
        reverse("disclosure:request-answer", args=[req.uid]), {"title": "t", "body": "b"}
    )
    assert response.status_code == 404
    assert not Notice.objects.exists()


def test_the_pages_need_a_login(client: Client, alice: Person, places: dict[str, Place]) -> None:
    req = _file(alice, places["compound_a"])
    for url in (MINE, INBOX, _detail(req)):
        assert client.get(url).status_code == 302


# --- query budgets ---------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_pages_cost_the_same_queries_whatever_the_number_of_requests(
    client: Client,
    alice: Person,
    dave: Person,
    places: dict[str, Place],
    django_assert_max_num_queries,
) -> None:
    spots = [places["compound_a"], places["building_a"], places["unit_a"]]
    for i in range(2):
        _file(alice, spots[i % 3], f"申请{i}")
    client.force_login(alice)
    mine_small = _count(client, MINE)
    client.force_login(dave)
    inbox_small = _count(client, INBOX)

    for i in range(2, 6):
        req = _file(alice, spots[i % 3], f"申请{i}")
        if i == 3:
            request_assign(actor=dave, request=req, assignee=dave)
        if i == 4:
            request_refuse(actor=dave, request=req, reason="涉及个人隐私")
    DisclosureRequest.objects.filter(text="申请3").update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(alice)
    assert _count(client, MINE) == mine_small
    with django_assert_max_num_queries(8):
        client.get(MINE)
    client.force_login(dave)
    assert _count(client, INBOX) == inbox_small
    with django_assert_max_num_queries(8):
        client.get(INBOX)


def test_a_sixth_request_within_the_hour_is_refused_and_the_form_keeps_the_text(
    client: Client, alice: Person, places: dict[str, Place]
) -> None:
    client.force_login(alice)
    where = places["compound_a"].uid
    for n in range(5):
        assert client.post(MINE, {"place": where, "text": f"第{n}项"}).status_code == 302
    refused = client.post(MINE, {"place": where, "text": "请公开电梯维保合同"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "提交太频繁，请在" in page
    assert "请公开电梯维保合同" in page
    assert DisclosureRequest.objects.count() == 5
