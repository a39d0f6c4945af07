"""The appeal services: intake rules, triage into topics, referral, rejection, the audit trail."""

from __future__ import annotations

import pytest

from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Category, Channel
from qinlin.appeals.services import (
    appeal_accept,
    appeal_refer,
    appeal_reject,
    appeal_resolve,
    appeal_submit,
)
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics.states import Stage

pytestmark = pytest.mark.django_db


def _file(person: Person, place: Place, text: str = "单元门坏了，关不上") -> Appeal:
    appeal, _created = appeal_submit(
        actor=person,
        reporter=person,
        text=text,
        category=Category.objects.get(code="property"),
        place=place,
    )
    return appeal


def test_a_resident_files_about_their_compound_and_the_household_is_recorded(
    alice: Person, places: dict[str, Place]
) -> None:
    appeal = _file(alice, places["unit_a"])
    assert appeal.household == places["home_a"]
    assert appeal.channel == Channel.ONLINE
    assert list(appeal.events.values_list("status", flat=True)) == [AppealStatus.NEW]
    assert AuditEvent.objects.filter(verb="appeals.appeal.submitted").count() == 1


def test_a_resident_cannot_file_in_another_compound(alice: Person, places) -> None:
    with pytest.raises(ForbiddenError):
        _file(alice, places["unit_b"])
    assert not Appeal.objects.exists()


def test_an_empty_text_is_refused_with_its_field(alice: Person, places) -> None:
    with pytest.raises(DomainError) as refused:
        _file(alice, places["unit_a"], text="   ")
    assert refused.value.field == "text"
    assert not Appeal.objects.exists()


def test_a_walk_in_needs_a_name_and_keeps_the_phone_normalised(dave: Person, places) -> None:
    category = Category.objects.get(code="environment")
    with pytest.raises(DomainError) as refused:
        appeal_submit(
            actor=dave,
            text="楼道堆物",
            category=category,
            place=places["unit_a"],
            channel=Channel.DOOR_MEETING,
        )
    assert refused.value.code == "reporter_required"
    appeal, created = appeal_submit(
        actor=dave,
        text="楼道堆物",
        category=category,
        place=places["unit_a"],
        channel=Channel.DOOR_MEETING,
        reporter_name="王阿姨",
        reporter_phone="138 0000 1234",
    )
    assert created
    assert appeal.reporter_phone == "13800001234"
    assert appeal.reporter_phone_masked != appeal.reporter_phone


def test_the_same_idempotency_key_returns_the_first_appeal(dave: Person, places) -> None:
    kwargs = {
        "actor": dave,
        "text": "路灯不亮",
        "category": Category.objects.get(code="facilities"),
        "place": places["compound_a"],
        "channel": Channel.HOTLINE,
        "reporter_name": "张先生",
        "idempotency_key": "call-42",
    }
    first, created = appeal_submit(**kwargs)
    again, created_again = appeal_submit(**kwargs)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Appeal.objects.count() == 1


def test_accepting_two_appeals_makes_one_topic_at_their_smallest_common_grid(
    alice: Person, dave: Person, places
) -> None:
    neighbour_appeal = appeal_submit(
        actor=dave,
        text="楼门锁坏了",
        category=Category.objects.get(code="property"),
        place=places["home_a2"],
        channel=Channel.CHAT_GROUP,
        reporter_name="周先生",
    )[0]
    topic = appeal_accept(
        actor=dave,
        appeals=[_file(alice, places["home_a"]), neighbour_appeal],
        title="更换单元门",
    )
    assert topic.place == places["unit_a"]
    assert topic.stage == Stage.PROPOSED
    assert set(topic.appeals.values_list("status", flat=True)) == {AppealStatus.ACCEPTED}
    assert AuditEvent.objects.filter(verb="appeals.appeal.accepted").count() == 2
    assert AuditEvent.objects.filter(verb="topics.topic.created").count() == 1


def test_appeals_of_two_compounds_never_share_a_topic(alice, bob, dave, frank, places) -> None:
    with pytest.raises(DomainError) as refused:
        appeal_accept(
            actor=frank,
            appeals=[_file(alice, places["unit_a"]), _file(bob, places["unit_b"])],
            title="门",
        )
    assert refused.value.code == "different_compounds"
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.NEW}


def test_an_appeal_attaches_to_an_open_topic_of_its_compound_only(
    alice: Person, bob: Person, frank: Person, places
) -> None:
    topic = appeal_accept(actor=frank, appeals=[_file(alice, places["unit_a"])], title="单元门")
    later = _file(alice, places["unit_a"], text="单元门还是坏的")
    assert appeal_accept(actor=frank, appeals=[later], topic=topic) == topic
    with pytest.raises(DomainError) as refused:
        appeal_accept(actor=frank, appeals=[_file(bob, places["unit_b"])], topic=topic)
    assert refused.value.code == "bad_topic"
    assert topic.appeals.count() == 2


def test_a_triaged_appeal_cannot_be_triaged_again(alice: Person, dave: Person, places) -> None:
    appeal = _file(alice, places["unit_a"])
    appeal_refer(actor=dave, appeals=[appeal], to="物业公司")
    with pytest.raises(ConflictError):
        appeal_reject(actor=dave, appeals=[appeal], reason="重复")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REFERRED
    assert appeal.referred_to == "物业公司"
    assert appeal.decision_note == "已转交物业公司办理。"


TRIAGE_WITHOUT_INPUT = [
    (appeal_refer, {"to": " "}, "to"),
    (appeal_reject, {"reason": ""}, "reason"),
    (appeal_resolve, {"note": ""}, "note"),
]


@pytest.mark.parametrize("case", TRIAGE_WITHOUT_INPUT)
def test_each_triage_needs_its_input_and_changes_nothing_without_it(
    alice: Person, dave: Person, places, case
) -> None:
    service, kwargs, field = case
    appeal = _file(alice, places["unit_a"])
    with pytest.raises(DomainError) as refused:
        service(actor=dave, appeals=[appeal], **kwargs)
    assert refused.value.field == field
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.NEW
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1


def test_the_resident_reads_the_reason_on_the_timeline(alice: Person, dave: Person, places) -> None:
    appeal = _file(alice, places["unit_a"])
    appeal_reject(actor=dave, appeals=[appeal], reason="属于个人家庭纠纷，建议调解")
    last = appeal.events.order_by("at", "id").last()
    assert last is not None
    assert (last.status, last.note, last.actor) == (
        AppealStatus.REJECTED,
        "属于个人家庭纠纷，建议调解",
        dave,
    )


def test_staff_triage_only_where_they_work(alice, bob, dave, places) -> None:
    outside = _file(bob, places["unit_b"])
    with pytest.raises(ForbiddenError):
        appeal_resolve(actor=dave, appeals=[outside], note="已处理")
    with pytest.raises(ForbiddenError):
        appeal_resolve(actor=alice, appeals=[_file(alice, places["unit_a"])], note="已处理")
    assert not Appeal.objects.exclude(status=AppealStatus.NEW).exists()
