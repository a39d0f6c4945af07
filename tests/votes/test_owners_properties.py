"""Properties of the Civil Code tally that hold for every input (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from qinlin.votes.rules import Ballot, Choice, Home, OwnersRule, owners_tally

CHOICES = [Choice.AGREE, Choice.DISAGREE, Choice.ABSTAIN, None]


@st.composite
def votes(draw: st.DrawFn) -> tuple[list[Home], list[Choice | None]]:
    n = draw(st.integers(1, 25))
    areas = draw(st.lists(st.integers(3000, 20000), min_size=n, max_size=n))
    homes = [Home(f"h{i}", Fraction(a, 100)) for i, a in enumerate(areas)]
    return homes, draw(st.lists(st.sampled_from(CHOICES), min_size=n, max_size=n))


def _tally(rule: OwnersRule, homes: list[Home], said: list[Choice | None]) -> bool:
    ballots = [Ballot(h.id, {"A": c}) for h, c in zip(homes, said, strict=True) if c is not None]
    return owners_tally(rule, homes, ballots, ["A"])["A"].passed


@given(votes(), st.sampled_from(list(OwnersRule)), st.data())
def test_one_more_agreeing_ballot_never_turns_a_pass_into_a_fail(
    vote: tuple[list[Home], list[Choice | None]], rule: OwnersRule, data: st.DataObject
) -> None:
    homes, said = vote
    others = [i for i, c in enumerate(said) if c != Choice.AGREE]
    if not others:
        return
    i = data.draw(st.sampled_from(others))
    more = [*said[:i], Choice.AGREE, *said[i + 1 :]]
    assert _tally(rule, homes, more) or not _tally(rule, homes, said)


@given(votes(), st.sampled_from(list(OwnersRule)), st.integers(2, 1000))
def test_scaling_every_area_changes_nothing(
    vote: tuple[list[Home], list[Choice | None]], rule: OwnersRule, factor: int
) -> None:
    homes, said = vote
    scaled = [Home(h.id, h.area * factor) for h in homes]
    ballots = [Ballot(h.id, {"A": c}) for h, c in zip(homes, said, strict=True) if c is not None]
    before = owners_tally(rule, homes, ballots, ["A"])["A"]
    after = owners_tally(rule, scaled, ballots, ["A"])["A"]
    assert (before.passed, before.participation_area, before.approval_area) == (
        after.passed,
        after.participation_area,
        after.approval_area,
    )


@given(st.integers(1, 40))
def test_the_boundaries_are_exact(k: int) -> None:
    """3k equal homes: 2k voting is exactly the quorum; 4k homes with 3k agreeing is exactly
    three quarters; 2k of 4k agreeing is exactly half, which is not "more than half"."""
    homes = [Home(f"h{i}", Fraction(1)) for i in range(4 * k)]
    three_quarters = [
        Ballot(h.id, {"A": Choice.AGREE if i < 3 * k else Choice.DISAGREE})
        for i, h in enumerate(homes)
    ]
    assert owners_tally(OwnersRule.CIVIL_CODE_SPECIAL, homes, three_quarters, ["A"])["A"].passed
    half = [
        Ballot(h.id, {"A": Choice.AGREE if i < 2 * k else Choice.DISAGREE})
        for i, h in enumerate(homes)
    ]
    assert not owners_tally(OwnersRule.CIVIL_CODE_ORDINARY, homes, half, ["A"])["A"].passed
    quorum_homes = homes[: 3 * k]
    two_thirds = [Ballot(h.id, {"A": Choice.AGREE}) for h in quorum_homes[: 2 * k]]
    result = owners_tally(OwnersRule.CIVIL_CODE_ORDINARY, quorum_homes, two_thirds, ["A"])["A"]
    assert result.quorum_met
    assert result.participation_area == Fraction(2, 3)


@given(votes(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_does_not_matter(
    vote: tuple[list[Home], list[Choice | None]], rnd: object
) -> None:
    import random

    homes, said = vote
    ballots = [Ballot(h.id, {"A": c}) for h, c in zip(homes, said, strict=True) if c is not None]
    shuffled = ballots[:]
    assert isinstance(rnd, random.Random)
    rnd.shuffle(shuffled)
    rule = OwnersRule.CIVIL_CODE_ORDINARY
    assert owners_tally(rule, homes, ballots, ["A"]) == owners_tally(rule, homes, shuffled, ["A"])
