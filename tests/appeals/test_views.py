"""The resident's appeal pages: file on a phone, follow the timeline, see the topic."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from qinlin.appeals.models import Appeal, AppealStatus, Category, Channel
from qinlin.appeals.services import appeal_accept, appeal_submit
from qinlin.people.models import Person

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 42.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "door.jpg"
    return buffer


def test_resident_files_an_appeal_with_a_photo_and_no_location_is_kept(
    client: Client, alice: Person, places
) -> None:
    client.force_login(alice)
    form = client.get(reverse("appeals:appeal-new")).content.decode()
    assert "我家（上河园 3号楼 2单元 101）" in form
    category = Category.objects.get(code="property")
    response = client.post(
        reverse("appeals:appeal-new"),
        {
            "category": category.pk,
            "text": "单元门坏了，关不上",
            "place": places["unit_a"].uid,
            "photos": [_jpeg_with_gps()],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:appeal-detail", args=[appeal.uid])
    assert appeal.place == places["unit_a"]
    assert appeal.household == places["home_a"]
    assert appeal.channel == Channel.ONLINE
    with default_storage.open(appeal.photos.get().image.name) as file, Image.open(file) as stored:
        assert not stored.getexif()
    photo = client.get(reverse("appeals:photo", args=[appeal.uid, 0]))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content)  # type: ignore[attr-defined]
    photo.close()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(
    client: Client, alice: Person, places
) -> None:
    client.force_login(alice)
    fake = io.BytesIO(b"not really a picture")
    fake.name = "door.jpg"
    response = client.post(
        reverse("appeals:appeal-new"),
        {
            "category": Category.objects.get(code="property").pk,
            "text": "单元门坏了",
            "place": places["unit_a"].uid,
            "photos": [fake],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "不是可识别的图片" in body
    assert "单元门坏了" in body
    assert not Appeal.objects.exists()


def test_an_empty_post_says_what_is_missing_rather_than_showing_a_blank_form(
    client: Client, alice: Person, places
) -> None:
    client.force_login(alice)
    response = client.post(reverse("appeals:appeal-new"), {})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_person_without_a_home_is_asked_to_verify_it_first(client: Client, oscar) -> None:
    client.force_login(oscar)
    body = client.get(reverse("appeals:appeal-new")).content.decode()
    assert reverse("people:claim") in body


def test_my_appeals_shows_the_timeline_the_topic_and_its_households(
    client: Client, alice: Person, dave: Person, places
) -> None:
    category = Category.objects.get(code="property")
    mine, _ = appeal_submit(
        actor=alice, reporter=alice, text="单元门坏了", category=category, place=places["unit_a"]
    )
    neighbour, _ = appeal_submit(
        actor=dave,
        text="楼门关不上",
        category=category,
        place=places["home_a2"],
        channel=Channel.DOOR_MEETING,
        reporter_name="王女士",
    )
    appeal_accept(actor=dave, appeals=[mine, neighbour], title="更换3号楼2单元单元门")
    client.force_login(alice)
    body = client.get(reverse("appeals:my-appeals")).content.decode()
    assert "更换3号楼2单元单元门" in body
    assert "2 户反映过" in body
    assert str(AppealStatus.ACCEPTED.label) in body
    assert "楼门关不上" not in body  # only the resident's own appeals


def test_others_cannot_open_an_appeal_or_its_photos(
    client: Client, alice: Person, bob: Person, dave: Person, places
) -> None:
    appeal, _ = appeal_submit(
        actor=alice,
        reporter=alice,
        text="单元门坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    client.force_login(bob)
    assert client.get(reverse("appeals:appeal-detail", args=[appeal.uid])).status_code == 404
    assert client.get(reverse("appeals:photo", args=[appeal.uid, 0])).status_code == 404
    client.force_login(dave)
    page = client.get(reverse("appeals:appeal-detail", args=[appeal.uid])).content.decode()
    assert "单元门坏了" in page
    assert alice.phone
    assert alice.phone not in page


@pytest.mark.parametrize("count", [3, 30])
def test_my_appeals_query_count_does_not_grow(
    client: Client, alice: Person, places, count, django_assert_max_num_queries
) -> None:
    category = Category.objects.get(code="property")
    for i in range(count):
        appeal_submit(
            actor=alice,
            reporter=alice,
            text=f"路灯坏了{i}",
            category=category,
            place=places["unit_a"],
        )
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("appeals:my-appeals")).status_code == 200


def _submit(actor: Person, place, text: str, **extra) -> Appeal:
    extra.setdefault("reporter_name", "王女士")
    extra.setdefault("channel", Channel.DOOR_MEETING)
    appeal, _ = appeal_submit(
        actor=actor,
        text=text,
        category=Category.objects.get(code="property"),
        place=place,
        **extra,
    )
    return appeal


def test_grid_worker_groups_similar_appeals_into_a_topic_from_the_appeal_page(
    client: Client, alice: Person, dave: Person, places
) -> None:
    mine, _ = appeal_submit(
        actor=alice,
        reporter=alice,
        text="单元门坏了，关不上",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    other = _submit(dave, places["home_a2"], "楼门锁坏了，门禁也失灵")
    _submit(dave, places["home_a2"], "楼道的灯不亮了")
    client.force_login(dave)
    page = client.get(reverse("appeals:appeal-detail", args=[mine.uid])).content.decode()
    assert "楼门锁坏了" in page
    assert "楼道的灯不亮了" not in page
    response = client.post(
        reverse("appeals:appeal-triage", args=[mine.uid]),
        {"action": "accept", "title": "更换单元门", "uids": [other.uid]},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.topic is not None
    assert mine.topic == other.topic
    assert mine.topic.title == "更换单元门"
    client.force_login(alice)
    body = client.get(reverse("appeals:my-appeals")).content.decode()
    assert "更换单元门" in body


def test_inbox_filters_and_bulk_refers(client: Client, dave: Person, places) -> None:
    a = _submit(dave, places["home_a"], "邻居装修噪音太大")
    b = _submit(dave, places["home_a2"], "楼上漏水到我家", channel=Channel.PHONE)
    client.force_login(dave)
    body = client.get(reverse("appeals:inbox"), {"channel": Channel.PHONE}).content.decode()
    assert "楼上漏水" in body
    assert "装修噪音" not in body
    response = client.post(
        reverse("appeals:inbox"),
        {"action": "refer", "to": "物业公司", "uids": [a.uid, b.uid]},
    )
    assert response.status_code == 302
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.REFERRED}


def test_a_bulk_action_without_its_input_changes_nothing(
    client: Client, dave: Person, places
) -> None:
    a = _submit(dave, places["home_a"], "邻居装修噪音太大")
    client.force_login(dave)
    client.post(reverse("appeals:inbox"), {"action": "reject", "note": "", "uids": [a.uid]})
    a.refresh_from_db()
    assert a.status == AppealStatus.NEW


def test_property_staff_see_only_their_compound(client: Client, dave: Person, places) -> None:
    from qinlin.core.roles import Role
    from qinlin.people.models import RoleAssignment
    from tests.factories import PersonFactory

    staff = PersonFactory.create()
    RoleAssignment.objects.create(
        person=staff, role=Role.PROPERTY_STAFF, place=places["compound_b"]
    )
    _submit(dave, places["home_a"], "上河园的单元门坏了")
    client.force_login(staff)
    body = client.get(reverse("appeals:inbox")).content.decode()
    assert "上河园的单元门坏了" not in body


def test_residents_have_no_inbox(client: Client, alice: Person) -> None:
    client.force_login(alice)
    assert client.get(reverse("appeals:inbox")).status_code == 403
    assert client.get(reverse("appeals:appeal-enter")).status_code == 403


def test_fast_entry_keeps_channel_and_place_for_the_next_appeal(
    client: Client, dave: Person, places
) -> None:
    client.force_login(dave)
    category = Category.objects.get(code="environment")
    for text in ["楼下垃圾桶满了没人清", "绿化带的树挡住了窗户"]:
        response = client.post(
            reverse("appeals:appeal-enter"),
            {
                "channel": Channel.DOOR_MEETING,
                "place": places["building_a"].uid,
                "category": category.pk,
                "text": text,
                "reporter_name": "李阿姨",
                "reporter_phone": "",
            },
        )
        assert response.status_code == 302
    page = client.get(reverse("appeals:appeal-enter")).content.decode()
    assert "楼下垃圾桶满了" in page
    assert f'value="{places["building_a"].uid}" selected' in page
    assert Appeal.objects.filter(channel=Channel.DOOR_MEETING, entered_by=dave).count() == 2


def test_fast_entry_without_a_reporter_name_keeps_the_text(
    client: Client, dave: Person, places
) -> None:
    client.force_login(dave)
    response = client.post(
        reverse("appeals:appeal-enter"),
        {
            "channel": Channel.VISIT,
            "place": places["building_a"].uid,
            "category": Category.objects.get(code="environment").pk,
            "text": "路灯坏了",
            "reporter_name": "",
        },
    )
    assert response.status_code == 200
    assert "路灯坏了" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_inbox_query_count_does_not_grow(
    client: Client, dave: Person, places, count, django_assert_max_num_queries
) -> None:
    for i in range(count):
        _submit(dave, places["home_a"], f"路灯坏了{i}")
    client.force_login(dave)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("appeals:inbox")).status_code == 200


def test_a_long_inbox_is_paged_in_two_steps_with_the_same_pages(
    client: Client, dave: Person, places, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past core.paging.ONE_QUERY_UP_TO rows a page is its keys first, then its rows: the
    same appeals on each page, in the same order, one query more."""
    for i in range(53):
        _submit(dave, places["home_a"], f"路灯坏了第{i}盏")
    client.force_login(dave)

    def pages() -> list[tuple[list[str], int]]:
        seen = []
        for number in ("1", "2"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("appeals:inbox"), {"page": number})
            assert response.status_code == 200
            seen.append(([a.uid for a in response.context["page"]], len(queries)))
        return seen

    one_query = pages()
    monkeypatch.setattr("qinlin.core.paging.ONE_QUERY_UP_TO", 10)
    assert pages() == [(uids, queries + 1) for uids, queries in one_query]
    assert [len(uids) for uids, _queries in one_query] == [50, 3]


def test_fast_entry_starts_at_the_building_door_meeting_and_offers_no_online_channel(
    client: Client, dave: Person
) -> None:
    client.force_login(dave)
    page = client.get(reverse("appeals:appeal-enter")).content.decode()
    assert f'value="{Channel.DOOR_MEETING}" selected' in page
    assert f'value="{Channel.ONLINE}"' not in page


def test_community_staff_rename_and_retire_a_category(client: Client, frank, dave) -> None:
    category = Category.objects.get(code="parking")
    client.force_login(frank)
    assert "停车充电" in client.get(reverse("appeals:categories")).content.decode()
    client.post(
        reverse("appeals:categories"),
        {"id": category.pk, "name": "停车与充电", "name_en": "Parking and EV charging"},
    )
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("停车与充电", False)
    client.post(reverse("appeals:categories"), {"name": "加装电梯", "name_en": "Adding lifts"})
    assert Category.objects.filter(name="加装电梯", is_active=True).exists()
    client.post(reverse("appeals:categories"), {"name": "", "name_en": ""})
    assert Category.objects.count() == 7
    client.force_login(dave)
    assert client.get(reverse("appeals:categories")).status_code == 403


def test_the_timeline_names_who_handled_each_step(
    client: Client, alice: Person, dave: Person, places
) -> None:
    appeal, _ = appeal_submit(
        actor=alice,
        reporter=alice,
        text="单元门坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
    )
    appeal_accept(actor=dave, appeals=[appeal], title="更换单元门")
    client.force_login(alice)
    assert "经办：杜网格" in client.get(reverse("appeals:my-appeals")).content.decode()
