"""Opening a vote, casting ballots through every channel, changing them, closing the vote."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.topics.models import Option, Topic
from qinlin.votes.models import Ballot, BallotChannel, SupersededBallot, Vote
from qinlin.votes.selectors import vote_rules, vote_tally
from qinlin.votes.services import ballot_cast, vote_close, vote_open
from tests.votes.helpers import door_vote, voting_topic

pytestmark = pytest.mark.django_db

BOTH_B = {"A": "disagree", "B": "agree"}


def _all(topic: Topic, item: int) -> dict[Option, int]:
    return dict.fromkeys(topic.options.all(), item)


def test_each_option_carries_its_own_item_and_rule(carol: Person, frank: Person, places) -> None:
    """A: pay from the maintenance fund (item 5, more than half); B: raise money for it
    (item 6, three quarters). Each option is counted and explained under its own rule."""
    topic = voting_topic(frank, places)
    option_a, option_b = topic.options.order_by("letter")
    vote = vote_open(
        actor=frank,
        topic=topic,
        items={option_a: 5, option_b: 6},
        scope=places["unit_a"],
        closes_at=timezone.now() + timedelta(days=3),
    )
    assert vote_rules(vote) == {"A": "civil_code_ordinary", "B": "civil_code_special"}
    # Both homes agree to A; only 102 (120 of 209.50 m², one of two owners) agrees to B.
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a"],
        choices={"A": "agree", "B": "disagree"},
        channel="door",
    )
    ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a2"],
        choices={"A": "agree", "B": "agree"},
        channel="door",
    )
    result = vote_tally(vote)
    assert result["A"].passed
    assert not result["B"].passed
    assert "其他事项" in result["A"].explanation_zh
    assert "第六项至第八项" in result["B"].explanation_zh


def test_an_item_outside_art_278_is_refused(frank: Person, places) -> None:
    topic = voting_topic(frank, places)
    with pytest.raises(DomainError) as refused:
        vote_open(
            actor=frank,
            topic=topic,
            items=_all(topic, 10),
            scope=places["unit_a"],
            closes_at=timezone.now() + timedelta(days=3),
        )
    assert refused.value.code == "bad_item"


def test_community_staff_open_a_vote_on_the_units_homes(frank: Person, places) -> None:
    vote = door_vote(frank, places, item=6)
    assert vote_rules(vote) == {"A": "civil_code_special", "B": "civil_code_special"}
    assert vote.is_open()
    assert vote.topic.steps.filter(verb="owners_vote_opened").exists()


def test_a_vote_needs_the_voting_stage_and_a_scope_in_the_compound(frank: Person, places) -> None:
    topic = voting_topic(frank, places)
    deadline = timezone.now() + timedelta(days=3)
    with pytest.raises(DomainError) as refused:
        vote_open(
            actor=frank,
            topic=topic,
            items=_all(topic, 5),
            scope=places["unit_b"],
            closes_at=deadline,
        )
    assert refused.value.code == "bad_scope"
    topic.stage = "consultation"
    topic.save()
    with pytest.raises(ConflictError):
        vote_open(
            actor=frank,
            topic=topic,
            items=_all(topic, 5),
            scope=places["unit_a"],
            closes_at=deadline,
        )
    assert not Vote.objects.exists()


def test_a_grid_worker_cannot_open_a_vote(dave: Person, frank: Person, places) -> None:
    topic = voting_topic(frank, places)
    with pytest.raises(ForbiddenError):
        vote_open(
            actor=dave,
            topic=topic,
            items=_all(topic, 5),
            scope=places["unit_a"],
            closes_at=timezone.now() + timedelta(days=3),
        )


def test_door_to_door_online_and_proxy_ballots(
    alice: Person, carol: Person, frank: Person, places
) -> None:
    vote = door_vote(frank, places)
    paper = ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a2"],
        choices=BOTH_B,
        channel=BallotChannel.DOOR,
        paper_no="0012",
    )
    online = ballot_cast(
        actor=alice,
        vote=vote,
        home=places["home_a"],
        choices=BOTH_B,
        channel=BallotChannel.ONLINE,
    )
    assert paper.entered_by == carol
    assert online.entered_by == alice
    assert paper.receipt != online.receipt
    assert Ballot.objects.filter(vote=vote).count() == 2
    events = AuditEvent.objects.filter(verb="votes.ballot.cast")
    assert events.count() == 2
    assert all("choices" not in e.data for e in events)


def test_an_owner_votes_online_only_for_their_own_home(
    alice: Person, frank: Person, places
) -> None:
    vote = door_vote(frank, places)
    with pytest.raises(ForbiddenError):
        ballot_cast(
            actor=alice,
            vote=vote,
            home=places["home_a2"],
            choices=BOTH_B,
            channel=BallotChannel.ONLINE,
        )


def test_a_proxy_needs_the_proxys_name(carol: Person, frank: Person, places) -> None:
    vote = door_vote(frank, places)
    with pytest.raises(DomainError) as refused:
        ballot_cast(
            actor=carol,
            vote=vote,
            home=places["home_a"],
            choices=BOTH_B,
            channel=BallotChannel.PROXY,
        )
    assert refused.value.field == "proxy_name"


def test_every_option_needs_a_choice(carol: Person, frank: Person, places) -> None:
    vote = door_vote(frank, places)
    with pytest.raises(DomainError) as refused:
        ballot_cast(
            actor=carol,
            vote=vote,
            home=places["home_a"],
            choices={"A": "agree"},
            channel=BallotChannel.DOOR,
        )
    assert "请对方案 B 作出选择" in str(refused.value)
    assert not Ballot.objects.exists()


def test_a_changed_ballot_keeps_the_earlier_one(
    alice: Person, carol: Person, frank, places
) -> None:
    vote = door_vote(frank, places)
    first = ballot_cast(
        actor=carol,
        vote=vote,
        home=places["home_a"],
        choices={"A": "agree", "B": "abstain"},
        channel=BallotChannel.DOOR,
    )
    old_receipt = first.receipt
    second = ballot_cast(
        actor=alice,
        vote=vote,
        home=places["home_a"],
        choices=BOTH_B,
        channel=BallotChannel.ONLINE,
    )
    assert Ballot.objects.get(vote=vote, home=places["home_a"]).choices == BOTH_B
    history = SupersededBallot.objects.get(vote=vote)
    assert (history.receipt, history.choices["A"]) == (old_receipt, "agree")
    assert second.receipt != old_receipt


def test_a_vote_without_changes_refuses_a_second_ballot(carol: Person, frank, places) -> None:
    vote = door_vote(frank, places, changeable=False)
    kwargs = {"actor": carol, "vote": vote, "home": places["home_a"], "channel": "door"}
    ballot_cast(choices=BOTH_B, **kwargs)
    with pytest.raises(ConflictError) as refused:
        ballot_cast(choices={"A": "agree", "B": "agree"}, **kwargs)
    assert refused.value.code == "already_voted"
    assert Ballot.objects.get().choices == BOTH_B


def test_one_buyers_homes_must_agree(carol: Person, frank: Person, places) -> None:
    for home in (places["home_a"], places["home_a2"]):
        home.owner_key = "刘某"
        home.save()
    vote = door_vote(frank, places)
    ballot_cast(actor=carol, vote=vote, home=places["home_a"], choices=BOTH_B, channel="door")
    with pytest.raises(DomainError) as refused:
        ballot_cast(
            actor=carol,
            vote=vote,
            home=places["home_a2"],
            choices={"A": "agree", "B": "agree"},
            channel="door",
        )
    assert refused.value.code == "owner_disagrees"


def test_a_home_outside_the_scope_is_refused(frank: Person, grace: Person, places) -> None:
    vote = door_vote(frank, places)
    with pytest.raises(DomainError) as refused:
        ballot_cast(actor=grace, vote=vote, home=places["home_b"], choices=BOTH_B, channel="door")
    assert refused.value.code == "not_in_scope"


def test_closing_stores_the_binding_tally(carol: Person, frank: Person, places) -> None:
    vote = door_vote(frank, places)
    for home in (places["home_a"], places["home_a2"]):
        ballot_cast(actor=carol, vote=vote, home=home, choices=BOTH_B, channel="door")
    vote = vote_close(actor=frank, vote=vote)
    assert vote.result["B"]["passed"] is True
    assert vote.result["A"]["passed"] is False
    assert vote.result["B"]["participation_area"] == "1/1"
    assert "参与表决专有部分面积 209.50/209.50㎡" in vote.result["B"]["zh"]
    assert vote.topic.steps.filter(verb="owners_vote_closed").exists()
    with pytest.raises(ConflictError):
        ballot_cast(actor=carol, vote=vote, home=places["home_a"], choices=BOTH_B, channel="door")
    with pytest.raises(ConflictError):
        vote_close(actor=frank, vote=vote)
