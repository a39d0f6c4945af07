"""Owners' votes: the options put to every home of the topic's grid, ballots collected door
to door and online (one per home), and at the close the tally of the real engine
(votes/rules.py) stored as `vote_close` stores it. A vote whose deadline is after today is
open, with the ballots cast so far.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from qinlin.demo.generate.city import Later
from qinlin.demo.generate.places import Compound, Home
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, BallotChannel, Vote, VoteOption
from qinlin.votes.rules import Ballot as RuleBallot
from qinlin.votes.rules import Home as RuleHome
from qinlin.votes.rules import OptionResult, owners_tally, rule_for_item
from qinlin.votes.tallyfile import figures

if TYPE_CHECKING:
    from qinlin.demo.generate.topics import Drawn, Topics

VOTE_FIELDS = [
    "id",
    "uid",
    "topic",
    "scope",
    "opens_at",
    "closes_at",
    "secret",
    "changeable",
    "opened_by",
    "closed_at",
    "closed_by",
    "result",
]
VOTE_OPTION_FIELDS = ["vote", "option", "item"]
BALLOT_FIELDS = [
    "vote",
    "home",
    "choices",
    "channel",
    "entered_by",
    "cast_at",
    "paper_no",
    "receipt",
]
DAYS_OPEN = 14


def _voices(
    topics: Topics, homes: list[Home], letters: list[str], turnout: float
) -> list[tuple[Home, dict[str, str]]]:
    """One owner, one voice: the same choice for all homes of a buyer or of the developer."""
    rng = topics.city.rng
    voices: dict[str, dict[str, str]] = {}
    ballots = []
    for home in homes:
        person = (
            "developer"
            if home.unsold
            else (f"owner:{home.owner_key}" if home.owner_key else f"home:{home.id}")
        )
        if person not in voices:
            if rng.random() > turnout:
                voices[person] = {}
                continue
            voices[person] = {
                letter: ("agree" if rng.random() < (0.93 if n == 0 else 0.12) else "disagree")
                for n, letter in enumerate(letters)
            }
        if voices[person]:
            ballots.append((home, voices[person]))
    return ballots


def _tally(
    homes: list[Home], ballots: list[tuple[Home, dict[str, str]]], letters: list[str], item: int
) -> dict[str, OptionResult]:
    rules = dict.fromkeys(letters, rule_for_item(item))
    engine_homes = [RuleHome(str(h.id), Fraction(h.area), h.owner_key, h.unsold) for h in homes]
    cast = [RuleBallot(str(h.id), choices) for h, choices in ballots]
    return owners_tally(rules, engine_homes, cast, letters)


def owners_vote(topics: Topics, topic: Drawn, *, item: int, day: date, staff: int) -> date:
    city, rng = topics.city, topics.city.rng
    compound: Compound = topic.compound
    homes = compound.homes_in(topic.place)
    letters = [letter for _pk, letter, _t in topic.options]
    opens = city.when(day + timedelta(days=1))
    closes = opens + timedelta(days=DAYS_OPEN)
    bench = topic.stop == Stage.VOTING
    if bench:
        # The load bench records door-to-door ballots into it: open a week more, half voted.
        closes = max(closes, city.now + timedelta(days=7))
    topics.advance(topic, opens - timedelta(minutes=30), staff, "vote_opened", Stage.VOTING)
    closed = closes + timedelta(hours=1) <= city.now and not bench
    share = 1.0 if closed else max(0.0, (city.now - opens) / (closes - opens))
    share = 0.55 if bench else share
    for _attempt in range(20):
        ballots = _voices(topics, homes, letters, 0.9 * share)
        results = _tally(homes, ballots, letters, item) if closed else {}
        if not closed or (
            results["A"].passed and not any(r.passed for k, r in results.items() if k != "A")
        ):
            break
    vote, uid = city.new_id(Vote), city.uid()
    city.add(
        Vote,
        vote,
        uid,
        topic.id,
        topic.place,
        opens,
        closes,
        False,
        True,
        staff,
        closes + timedelta(hours=1) if closed else None,
        staff if closed else None,
        {
            letter: {**figures(r), "zh": r.explanation_zh, "en": r.explanation_en}
            for letter, r in results.items()
        },
    )
    for pk, _letter, _title in topic.options:
        city.add(VoteOption, vote, pk, item)
    collector = compound.holder("grid_worker")
    last = closes if closed else city.now
    span = max(600, int((last - opens).total_seconds()) - 3600)
    year = opens.year
    for number, (home, choices) in enumerate(ballots, start=1):
        online = home.owner is not None and rng.random() < 0.2
        cast_at: datetime = opens + timedelta(seconds=rng.randint(300, span))
        city.add(
            Ballot,
            vote,
            home.id,
            choices,
            BallotChannel.ONLINE if online else BallotChannel.DOOR,
            home.owner if online else collector,
            cast_at,
            "" if online else f"{year}-{number:04d}",
            city.uid(),
        )
    topics.step(
        topic,
        opens,
        staff,
        "owners_vote_opened",
        vote=uid,
        scope=f"{compound.name} {topic.label}".strip(),
        closes_at=closes.isoformat(),
        items=dict.fromkeys(letters, item),
        secret=False,
    )
    if not closed:
        raise Later
    topics.check(topic, closes + timedelta(hours=1))
    topics.step(
        topic,
        closes + timedelta(hours=1),
        staff,
        "owners_vote_closed",
        vote=uid,
        passed="A",
        zh="\n".join(r.explanation_zh for r in results.values()),
        en="\n".join(r.explanation_en for r in results.values()),
    )
    topic.vote = uid
    decided = closes.date() + timedelta(days=rng.randint(1, 3))
    topics.decide(
        topic,
        city.when(decided),
        staff,
        f"经业主表决，决定：{topic.options[0][2]}。现予公示。",
        tally=f"入户征求意见 {len(ballots)} 户，A 方案获业主表决通过。"
        + results["A"].explanation_zh,
    )
    return decided
