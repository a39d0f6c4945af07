"""The resident's appeal pages: file on a phone, follow the timeline, see the topic."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
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
