"""A person's data on request (issue 14 item 9): export it, or erase it without touching the
ballots, the tallies or the statistics."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.services import appeal_submit
from qinlin.cli import main
from qinlin.core.audit import audit_verify
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.disclosure.models import Objection
from qinlin.disclosure.services import objection_file, request_file
from qinlin.people.models import PasswordReset, Person, ResidencyStatus
from qinlin.people.personal_data import person_erase, person_export
from qinlin.people.services import password_reset_request
from qinlin.votes.models import Ballot, Vote
from qinlin.votes.selectors import vote_as_tally_file
from qinlin.votes.services import ballot_cast, vote_close
from qinlin.votes.tallyfile import tally_file
from tests.disclosure.helpers import published
from tests.votes.helpers import door_vote

pytestmark = pytest.mark.django_db


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


def _alices_record(alice: Person, carol: Person, erin: Person, frank: Person, places: Any) -> Vote:
    """alice files an appeal with a photo, objects to a notice, asks for disclosure and votes
    online in a vote that then closes; her neighbour's home votes at the door."""
    appeal_submit(
        actor=alice,
        reporter=alice,
        text="我是3-2-101的李爱丽，单元门坏了",
        category=Category.objects.get(code="property"),
        place=places["unit_a"],
        photos=[("door.jpg", _jpeg())],
    )
    objection_file(actor=alice, notice=published(erin, places), text="李爱丽：停水太久")
    request_file(actor=alice, place=places["compound_a"], text="请公开维修基金的账目")
    vote = door_vote(frank, places)
    ballot_cast(
        actor=alice,
        vote=vote,
        home=places["home_a"],
        choices={"A": "disagree", "B": "agree"},
        channel="online",
    )
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a2"],
        choices={"A": "agree", "B": "agree"},
        channel="door",
    )
    return vote_close(actor=frank, vote=vote)


def _recount(vote: Vote) -> dict[str, Any]:
    return tally_file(json.loads(json.dumps(vote_as_tally_file(vote), default=str)))


def test_the_export_holds_the_profile_homes_texts_and_ballot_receipts(
    alice: Person, carol: Person, erin: Person, frank: Person, places: Any
) -> None:
    vote = _alices_record(alice, carol, erin, frank, places)
    data = json.loads(person_export(person=alice, actor=alice))
    assert data["profile"]["name"] == "李爱丽"
    assert data["profile"]["phone"] == alice.phone
    assert [r["home__name"] for r in data["residencies"]] == ["101"]
    assert data["appeals"][0]["text"] == "我是3-2-101的李爱丽，单元门坏了"
    assert data["objections"][0]["text"] == "李*丽：停水太久"
    assert data["disclosure_requests"][0]["text"] == "请公开维修基金的账目"
    receipt = Ballot.objects.get(vote=vote, home=places["home_a"]).receipt
    assert [(b["vote__uid"], b["receipt"]) for b in data["ballots"]] == [(vote.uid, receipt)]
    assert "choices" not in data["ballots"][0]
    event = AuditEvent.objects.filter(verb="people.person.exported").get()
    assert event.actor == alice


def test_only_the_person_and_the_subdistrict_admin_may_export(
    alice: Person, bob: Person, frank: Person, grace: Person
) -> None:
    for stranger in (bob, frank):
        with pytest.raises(ForbiddenError):
            person_export(person=alice, actor=stranger)
    assert json.loads(person_export(person=alice, actor=grace))["profile"]["uid"] == alice.uid


@pytest.fixture
def closed_vote(alice: Person, carol: Person, erin: Person, frank: Person, places: Any) -> Vote:
    return _alices_record(alice, carol, erin, frank, places)


def test_erasing_keeps_the_ballot_and_the_tally_and_removes_who_she_is(
    alice: Person, grace: Person, closed_vote: Vote, django_capture_on_commit_callbacks: Any
) -> None:
    vote = closed_vote
    stored, recounted = vote.result, _recount(vote)
    photo = Appeal.objects.get(reporter=alice).photos.get().image.name
    phone = alice.phone
    with django_capture_on_commit_callbacks(execute=True):
        erased = person_erase(person=alice, actor=grace, reason="本人 12 月 1 日书面申请")
    assert erased.name == f"已注销用户 {alice.uid[:6]}"
    assert erased.phone == f"erased-{alice.uid}"
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert not Person.objects.filter(phone=phone).exists()
    assert not default_storage.exists(photo)
    appeal = Appeal.objects.get(reporter=alice)
    assert "李爱丽" not in appeal.text
    assert not appeal.photos.exists()
    assert Objection.objects.get(author=alice).text == "（内容已应本人要求删除）"
    assert not alice.residencies.exclude(status=ResidencyStatus.ENDED).exists()
    vote.refresh_from_db()
    assert Ballot.objects.filter(vote=vote).count() == 2
    assert vote.result == stored
    assert _recount(vote) == recounted
    event = AuditEvent.objects.filter(verb="people.person.erased").get()
    assert (event.actor, event.data["reason"]) == (grace, "本人 12 月 1 日书面申请")
    assert audit_verify().ok
    # The old phone and password open nothing: the login page answers with its form again.
    answer = Client().post(
        reverse("people:login"), {"username": phone, "password": "qinlin-test-pw"}
    )
    assert answer.status_code == 200
    assert "_auth_user_id" not in answer.wsgi_request.session


def test_erasing_needs_the_admin_a_reason_and_happens_once(
    alice: Person, frank: Person, grace: Person
) -> None:
    for actor in (alice, frank):
        with pytest.raises(ForbiddenError):
            person_erase(person=alice, actor=actor, reason="想注销")
    with pytest.raises(DomainError) as refused:
        person_erase(person=alice, actor=grace, reason="  ")
    assert refused.value.code == "reason_required"
    person_erase(person=alice, actor=grace, reason="本人申请")
    with pytest.raises(DomainError) as again:
        # The erased person lives nowhere now, so only the operator still reaches them.
        person_erase(person=alice, actor=None, reason="本人申请")
    assert again.value.code == "already_erased"
    assert AuditEvent.objects.filter(verb="people.person.erased").count() == 1


def test_a_resident_downloads_their_own_data_from_their_home_page(
    client: Client, alice: Person, bob: Person
) -> None:
    client.force_login(alice)
    home = client.get(reverse("core:home")).content.decode()
    assert "下载我的数据" in home
    assert reverse("people:my-data") in home
    response = client.post(reverse("people:my-data"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="qinlin-{alice.uid}.json"'
    assert json.loads(response.content)["profile"]["name"] == "李爱丽"
    assert client.get(reverse("people:my-data")).status_code == 405
    assert client.post(reverse("people:person-export", args=[bob.uid])).status_code == 403
    assert client.get(reverse("people:person-erase", args=[bob.uid])).status_code == 403


def test_the_subdistrict_admin_exports_and_erases_from_the_people_register(
    client: Client, alice: Person, frank: Person, grace: Person, places: Any
) -> None:
    register = reverse("people:people-list", args=[places["compound_a"].uid])
    client.force_login(frank)
    assert "删除个人信息" not in client.get(register).content.decode()
    client.force_login(grace)
    page = client.get(register).content.decode()
    assert reverse("people:person-erase", args=[alice.uid]) in page
    exported = client.post(reverse("people:person-export", args=[alice.uid]))
    assert json.loads(exported.content)["profile"]["uid"] == alice.uid
    erase = reverse("people:person-erase", args=[alice.uid])
    assert "表决票、计票结果" in client.get(erase).content.decode()
    refused = client.post(erase, {"reason": ""})
    assert "这个字段是必填项" in refused.content.decode()
    done = client.post(erase, {"reason": "本人申请"}, follow=True)
    assert "已删除个人信息" in done.content.decode()
    alice.refresh_from_db()
    assert alice.name.startswith("已注销用户")


def _qinlin(verb: str, *args: object) -> int:
    try:
        call_command(verb.replace("-", "_"), *[str(arg) for arg in args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("verb", ["person-export", "person-erase"])
def test_the_qinlin_command_knows_the_verbs(verb: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["qinlin", verb, "--help"])
    assert caught.value.code == 0
    assert "PHONE" in capsys.readouterr().out.upper()


def test_the_operator_exports_and_erases_by_phone(
    alice: Person, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "alice.json"
    assert _qinlin("person-export", alice.phone, path) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["profile"]["uid"] == alice.uid
    assert _qinlin("person-erase", "139 0000 0000", "--reason", "申请") == 2
    assert "没有手机号为 139 0000 0000 的人员" in capsys.readouterr().err
    assert _qinlin("person-erase", alice.phone, "--reason", "本人申请") == 0
    assert "已注销用户" in capsys.readouterr().out
    by_operator = AuditEvent.objects.filter(actor__isnull=True, verb__startswith="people.person.")
    assert list(by_operator.order_by("id").values_list("verb", flat=True)) == [
        "people.person.exported",
        "people.person.erased",
    ]


def test_erasing_removes_the_account_records_failed_logins_reset_codes_and_two_step(
    alice: Person, grace: Person
) -> None:
    Client().post(reverse("people:login"), {"username": alice.phone, "password": "wrong"})
    password_reset_request(phone=str(alice.phone), address="127.0.0.1")
    TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)
    assert AccessAttempt.objects.filter(username=alice.phone).exists()
    assert PasswordReset.objects.filter(person=alice).exists()
    phone = alice.phone

    person_erase(person=alice, actor=grace, reason="本人书面申请")

    assert not AccessAttempt.objects.filter(username=phone).exists()
    assert not AccessFailureLog.objects.filter(username=phone).exists()
    assert not PasswordReset.objects.filter(person=alice).exists()
    assert not TOTPDevice.objects.filter(user=alice).exists()
