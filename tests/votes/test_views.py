"""The vote pages: setting up, door to door, online, the tally, receipts, secrecy."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from qinlin.people.models import Person
from qinlin.topics.states import Stage
from qinlin.votes import views
from qinlin.votes.models import Ballot, Vote
from qinlin.votes.services import ballot_cast, vote_close
from tests.votes.helpers import door_vote, voting_topic

pytestmark = pytest.mark.django_db

B_WINS = {"option_A": "disagree", "option_B": "agree"}


def test_staff_set_up_a_vote_for_one_unit(client: Client, frank: Person, places) -> None:
    topic = voting_topic(frank, places)
    client.force_login(frank)
    page = client.get(f"/votes/new/?topic={topic.uid}").content.decode()
    assert "（五）使用建筑物及其附属设施的维修资金" in page
    option_a, option_b = topic.options.order_by("letter")
    response = client.post(
        f"/votes/new/?topic={topic.uid}",
        {
            f"item_{option_a.pk}": "5",
            f"item_{option_b.pk}": "6",
            "scope": places["unit_a"].uid,
            "closes_at": "2099-12-01T20:00",
            "changeable": "on",
        },
    )
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert (vote.scope, vote.secret, vote.changeable) == (places["unit_a"], False, True)
    assert dict(vote.choices.values_list("option__letter", "item")) == {"A": 5, "B": 6}
    page = client.get(f"/votes/{vote.uid}/").content.decode()
    assert "（六）筹集建筑物及其附属设施的维修资金" in page


def test_a_vote_with_a_past_deadline_is_refused_and_the_form_kept(
    client: Client, frank: Person, places
) -> None:
    topic = voting_topic(frank, places)
    client.force_login(frank)
    response = client.post(
        f"/votes/new/?topic={topic.uid}",
        {
            "item": "6",
            "scope": places["unit_a"].uid,
            "options": [],
            "closes_at": "2001-01-01T08:00",
        },
    )
    assert response.status_code == 400
    assert not Vote.objects.exists()


def test_door_to_door_records_a_home_in_one_post(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    page = client.get(f"/votes/{vote.uid}/door/").content.decode()
    assert "101" in page
    assert "102" in page
    response = client.post(
        f"/votes/{vote.uid}/door/",
        {"home": places["home_a"].uid, "paper_no": "0007", **B_WINS},
    )
    assert response.status_code == 302
    assert f"#home-{places['home_a'].uid}" in response["Location"]
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.paper_no, ballot.choices) == (
        "door",
        "0007",
        {"A": "disagree", "B": "agree"},
    )


def _photo(name: str = "form.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_proxy_ballot_needs_the_signed_authorisation(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    row = {"home": places["home_a"].uid, "proxy_name": "李小明", **B_WINS}
    refused = client.post(f"/votes/{vote.uid}/door/", row)
    assert "书面委托请拍照上传签字的委托书" in refused.content.decode()
    assert not Ballot.objects.exists()
    client.post(f"/votes/{vote.uid}/door/", {**row, "document": _photo()})
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.proxy_name) == ("proxy", "李小明")
    assert client.get(f"/votes/{vote.uid}/ballots/{ballot.receipt}/document").status_code == 403
    client.force_login(frank)
    shown = client.get(f"/votes/{vote.uid}/ballots/{ballot.receipt}/document")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]
    # Last: closing a streamed response ends the request, and Django then closes the
    # database connection, which PostgreSQL tests cannot use afterwards.
    shown.close()


def test_a_secret_vote_keeps_no_photo_of_a_paper_ballot(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places, secret=True)
    client.force_login(carol)
    response = client.post(
        f"/votes/{vote.uid}/door/",
        {"home": places["home_a"].uid, "document": _photo(), **B_WINS},
    )
    assert "无记名表决不保存签字表决票的照片" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_ballot_without_every_choice_is_explained(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    response = client.post(
        f"/votes/{vote.uid}/door/", {"home": places["home_a"].uid, "option_A": "agree"}
    )
    assert response.status_code == 400
    assert "请对方案 B 作出选择" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_refused_door_row_names_the_field_and_keeps_what_was_typed(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    paper_no = "第" * 41
    response = client.post(
        f"/votes/{vote.uid}/door/", {"home": places["home_a"].uid, "paper_no": paper_no, **B_WINS}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "纸质票编号：" in page
    assert f'value="{paper_no}"' in page
    assert not Ballot.objects.exists()


def test_a_door_ballot_for_a_home_outside_the_vote_shows_why_above_the_rows(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    response = client.post(f"/votes/{vote.uid}/door/", {"home": places["home_b"].uid, **B_WINS})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.index('role="alert"') < page.index('class="door-grid"')
    assert not Ballot.objects.exists()


def test_a_door_row_naming_a_home_with_a_nul_byte_is_not_found(
    client: Client, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(carol)
    response = client.post(f"/votes/{vote.uid}/door/", {"home": "\x00", **B_WINS})
    assert response.status_code == 404
    assert not Ballot.objects.exists()


def test_an_owner_votes_online_and_gets_a_receipt(
    client: Client, alice: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    client.force_login(alice)
    page = client.get(f"/votes/{vote.uid}/").content.decode()
    assert "我的投票" in page
    response = client.post(f"/votes/{vote.uid}/", {"home": places["home_a"].uid, **B_WINS})
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.channel == "online"
    check = client.get(f"/votes/receipt/?code={ballot.receipt}").content.decode()
    assert "已计入" in check


def test_residents_cannot_record_door_to_door(client: Client, alice: Person, frank, places) -> None:
    vote = door_vote(frank, places)
    client.force_login(alice)
    assert client.get(f"/votes/{vote.uid}/door/").status_code == 403


def test_a_secret_vote_shows_no_choices_even_to_staff(client: Client, carol, frank, places) -> None:
    vote = door_vote(frank, places, secret=True)
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a"],
        choices={"A": "agree", "B": "disagree"},
        channel="door",
    )
    client.force_login(frank)
    page = client.get(f"/votes/{vote.uid}/").content.decode()
    assert "各户选择" not in page
    open_vote = door_vote(frank, places)
    ballot_cast(
        actor=carol,
        vote=open_vote,
        home=places["home_a"],
        choices={"A": "agree", "B": "disagree"},
        channel="door",
    )
    assert "各户选择" in client.get(f"/votes/{open_vote.uid}/").content.decode()


def test_the_closed_tally_explains_itself_and_feeds_the_decision(
    client: Client, carol: Person, frank: Person, places
) -> None:
    vote = door_vote(frank, places)
    for home in (places["home_a"], places["home_a2"]):
        ballot_cast(
            actor=carol,
            vote=vote,
            home=home,
            choices={"A": "disagree", "B": "agree"},
            channel="door",
        )
    client.force_login(frank)
    response = client.post(f"/votes/{vote.uid}/", {"action": "close"})
    assert response.status_code == 302
    page = client.get(f"/votes/{vote.uid}/").content.decode()
    assert "参与表决专有部分面积 209.50/209.50㎡，占比 100.00% ≥ 2/3 ✓" in page
    assert "计入结果的选票" in page
    topic_page = client.get(f"/topics/{vote.topic.uid}/").content.decode()
    assert "同意的专有部分面积 209.50㎡" in topic_page  # the tally, filled in for the decision
    option_a = vote.topic.options.get(letter="A")
    refused = client.post(
        f"/topics/{vote.topic.uid}/advance/",
        {
            "to": "decided",
            "to-decided-option": option_a.pk,
            "to-decided-tally": "x",
            "to-decided-notice_draft": "采用方案A",
        },
    )
    assert "所选方案未获业主表决通过" in refused.content.decode()
    vote.topic.refresh_from_db()
    assert vote.topic.stage == Stage.VOTING


def test_a_closed_vote_takes_no_more_ballots(client: Client, carol, frank, places) -> None:
    vote = vote_close(actor=frank, vote=door_vote(frank, places))
    client.force_login(carol)
    response = client.post(f"/votes/{vote.uid}/door/", {"home": places["home_a"].uid, **B_WINS})
    assert response.status_code == 403 or "表决不在进行中" in response.content.decode()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("secret", [False, True])
def test_qinlin_tally_agrees_with_the_page_on_the_same_data(
    client: Client, carol: Person, frank: Person, places, *, tmp_path: Path, secret: bool
) -> None:
    for home in (places["home_a"], places["home_a2"]):
        home.owner_key = "刘某"
        home.save()
    vote = door_vote(frank, places, secret=secret)
    for home in (places["home_a"], places["home_a2"]):
        ballot_cast(
            actor=carol,
            vote=vote,
            home=home,
            choices={"A": "abstain", "B": "agree"},
            channel="door",
        )
    vote = vote_close(actor=frank, vote=vote)
    client.force_login(frank)
    exported = client.get(f"/votes/{vote.uid}/tally.json")
    assert exported.status_code == 200
    text = exported.content.decode()
    assert "刘某" not in text
    assert (':101"' in text) is not secret  # open votes name the homes, secret ones never
    path = tmp_path / "vote.json"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("tally", str(path), stdout=out)
    recount = json.loads(out.getvalue())["options"]
    for letter, stored in vote.result.items():
        assert recount[letter]["passed"] == stored["passed"]
        assert recount[letter]["participation_area"] == stored["participation_area"]
        assert recount[letter]["approval_headcount"] == stored["approval_headcount"]
        assert recount[letter]["explanation"]["zh-hans"] == stored["zh"]


def test_the_topic_timeline_tells_the_vote(client: Client, carol: Person, frank, places) -> None:
    vote = door_vote(frank, places)
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a"],
        choices={"A": "agree", "B": "agree"},
        channel="door",
    )
    vote_close(actor=frank, vote=vote)
    client.force_login(frank)
    page = client.get(f"/topics/{vote.topic.uid}/").content.decode()
    assert "发起业主表决" in page
    assert "业主表决结束" in page
    assert "owners_vote" not in page


def test_the_ballot_tables_are_read_a_page_at_a_time(
    client: Client, carol: Person, frank: Person, places, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BALLOTS_PER_PAGE", 1)
    vote = door_vote(frank, places)
    receipts = [
        ballot_cast(
            actor=carol, vote=vote, home=home, choices={"A": "agree", "B": "agree"}, channel="door"
        ).receipt
        for home in (places["home_a"], places["home_a2"])
    ]
    client.force_login(frank)
    first = client.get(f"/votes/{vote.uid}/").content.decode()
    assert places["home_a"].name in first.split('id="ballots"')[1]
    assert places["home_a2"].name not in first.split('id="ballots"')[1]
    assert 'href="?ballots=2#ballots"' in first
    second = client.get(f"/votes/{vote.uid}/?ballots=2").content.decode()
    assert places["home_a2"].name in second.split('id="ballots"')[1]
    vote_close(actor=frank, vote=vote)
    closed = client.get(f"/votes/{vote.uid}/?receipts=2").content.decode()
    table = closed.split('id="receipts"')[1]
    assert sorted(receipts)[1] in table
    assert sorted(receipts)[0] not in table
    assert 'href="?receipts=1#receipts"' in table
