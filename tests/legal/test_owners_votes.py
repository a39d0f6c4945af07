"""Worked cases of Civil Code Art. 278 tallies, each computed by hand in its comment.

Notation: a home is (id, area m², owner key, developer-unsold). Quorum: participating area
≥ 2/3 of the scope's area AND participating owners ≥ 2/3 of its owners. Approval over the
participants: ordinary items > 1/2 of area AND owners; items (6)-(8) ≥ 3/4 of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F  # noqa: N817 - the cases read as arithmetic

import pytest

from qinlin.votes.rules import (
    Ballot,
    Choice,
    Home,
    OwnersRule,
    TallyError,
    owners_tally,
    rule_for_item,
)

ORD, SPE = OwnersRule.CIVIL_CODE_ORDINARY, OwnersRule.CIVIL_CODE_SPECIAL
Y, N, A = Choice.AGREE, Choice.DISAGREE, Choice.ABSTAIN


def homes(
    *areas: int, unsold: tuple[int, ...] = (), same_owner: tuple[int, ...] = ()
) -> list[Home]:
    """Homes h1..hn with the given areas; `unsold` and `same_owner` list 1-based positions."""
    return [
        Home(
            f"h{i}",
            F(area),
            owner="buyer" if i in same_owner else "",
            developer_unsold=i in unsold,
        )
        for i, area in enumerate(areas, start=1)
    ]


def ballots(*choices: Choice | None) -> list[Ballot]:
    """One ballot per home position; None = that home did not vote."""
    return [Ballot(f"h{i}", {"A": c}) for i, c in enumerate(choices, start=1) if c is not None]


@dataclass(frozen=True)
class Case:
    name: str
    rule: OwnersRule
    homes: list[Home]
    ballots: list[Ballot]
    quorum: bool
    passed: bool
    participation_area: F
    participation_headcount: F
    approval_area: F
    approval_headcount: F


CASES = [
    # 1. Six equal homes of 100 m², all vote, four agree: participation 6/6 both; approval
    #    4/6 = 2/3 > 1/2 on area and owners → ordinary passes.
    Case(
        "all vote, two thirds agree, ordinary",
        ORD,
        homes(*[100] * 6),
        ballots(Y, Y, Y, Y, N, N),
        True,
        True,
        F(1),
        F(1),
        F(2, 3),
        F(2, 3),
    ),
    # 2. Same figures under items (6)-(8): 2/3 < 3/4 → fails on approval.
    Case(
        "all vote, two thirds agree, special",
        SPE,
        homes(*[100] * 6),
        ballots(Y, Y, Y, Y, N, N),
        True,
        False,
        F(1),
        F(1),
        F(2, 3),
        F(2, 3),
    ),
    # 3. Exactly half agree (3 of 6 equal homes): "more than half" excludes 1/2 → fails.
    Case(
        "exactly half agree fails",
        ORD,
        homes(*[100] * 6),
        ballots(Y, Y, Y, N, N, N),
        True,
        False,
        F(1),
        F(1),
        F(1, 2),
        F(1, 2),
    ),
    # 4. Three of four equal homes agree: 3/4 ≥ 3/4 includes the boundary → special passes.
    Case(
        "three quarters exactly passes special",
        SPE,
        homes(*[90] * 4),
        ballots(Y, Y, Y, N),
        True,
        True,
        F(1),
        F(1),
        F(3, 4),
        F(3, 4),
    ),
    # 5. Quorum exactly 2/3: 4 of 6 equal homes vote (area 400/600 = 2/3, owners 4/6 = 2/3),
    #    all agree → "≥ 2/3" includes the boundary → passes.
    Case(
        "quorum exactly two thirds",
        ORD,
        homes(*[100] * 6),
        ballots(Y, Y, Y, Y, None, None),
        True,
        True,
        F(2, 3),
        F(2, 3),
        F(1),
        F(1),
    ),
    # 6. Just under the quorum: 3 of 5 equal homes (3/5 < 2/3) vote, all agree → fails.
    Case(
        "three fifths is no quorum",
        ORD,
        homes(*[100] * 5),
        ballots(Y, Y, Y, None, None),
        False,
        False,
        F(3, 5),
        F(3, 5),
        F(1),
        F(1),
    ),
    # 7. Area quorum met, headcount not: big homes 300+300 vote, four small 50s do not.
    #    Area 600/800 = 3/4 ≥ 2/3 ✓; owners 2/6 = 1/3 ✗ → fails.
    Case(
        "area without heads",
        ORD,
        homes(300, 300, 50, 50, 50, 50),
        ballots(Y, Y, None, None, None, None),
        False,
        False,
        F(3, 4),
        F(1, 3),
        F(1),
        F(1),
    ),
    # 8. Headcount quorum met, area not: four small homes vote (200/800 = 1/4) → fails.
    Case(
        "heads without area",
        ORD,
        homes(300, 300, 50, 50, 50, 50),
        ballots(None, None, Y, Y, Y, Y),
        False,
        False,
        F(1, 4),
        F(2, 3),
        F(1),
        F(1),
    ),
    # 9. Approval by owners but not by area: all six vote; the four small homes agree.
    #    Approval owners 4/6 > 1/2 ✓, area 200/800 = 1/4 ✗ → fails.
    Case(
        "owners agree, area does not",
        ORD,
        homes(300, 300, 50, 50, 50, 50),
        ballots(N, N, Y, Y, Y, Y),
        True,
        False,
        F(1),
        F(1),
        F(1, 4),
        F(2, 3),
    ),
    # 10. Approval by area but not by owners: the two big homes agree: area 600/800 = 3/4,
    #     owners 2/6 = 1/3 ✗ → fails.
    Case(
        "area agrees, owners do not",
        ORD,
        homes(300, 300, 50, 50, 50, 50),
        ballots(Y, Y, N, N, N, N),
        True,
        False,
        F(1),
        F(1),
        F(3, 4),
        F(1, 3),
    ),
    # 11. Abstentions count as participation: 6 homes, 2 agree, 4 abstain; approval 2/6 = 1/3
    #     → fails, but the quorum is met (abstainers took part).
    Case(
        "abstainers take part but do not approve",
        ORD,
        homes(*[100] * 6),
        ballots(Y, Y, A, A, A, A),
        True,
        False,
        F(1),
        F(1),
        F(1, 3),
        F(1, 3),
    ),
    # 12. Developer's unsold homes count as one owner: homes 1-3 unsold (3 × 100), homes 4-6
    #     sold (100 each). Owners = 1 (developer) + 3 = 4. The three buyers vote yes, the
    #     developer not: area 300/600 = 1/2 < 2/3 ✗; owners 3/4 ≥ 2/3 ✓ → no quorum.
    Case(
        "developer is one owner, not voting",
        ORD,
        homes(*[100] * 6, unsold=(1, 2, 3)),
        ballots(None, None, None, Y, Y, Y),
        False,
        False,
        F(1, 2),
        F(3, 4),
        F(1),
        F(1),
    ),
    # 13. Same, developer votes no on all three of its homes: area 600/600, owners 4/4;
    #     approval area 300/600 = 1/2 ✗ (not more than half); owners 3/4 ✓ → fails.
    Case(
        "developer votes no",
        ORD,
        homes(*[100] * 6, unsold=(1, 2, 3)),
        ballots(N, N, N, Y, Y, Y),
        True,
        False,
        F(1),
        F(1),
        F(1, 2),
        F(3, 4),
    ),
    # 14. One buyer owns homes 1 and 2 (owner key "buyer"): owners = 1 + 4 = 5 for six homes.
    #     Everyone votes; the buyer and one other agree: approval owners 2/5 ✗, area 300/600
    #     = 1/2 ✗ → fails.
    Case(
        "a buyer of two homes is one owner",
        ORD,
        homes(*[100] * 6, same_owner=(1, 2)),
        ballots(Y, Y, Y, N, N, N),
        True,
        False,
        F(1),
        F(1),
        F(1, 2),
        F(2, 5),
    ),
    # 15. The same buyer votes for only one of their homes: participation area 500/600,
    #     owners 5/5 (the buyer took part); approval area: buyer's 100 + two more 200 =
    #     300/500 = 3/5 > 1/2 ✓; owners 3/5 > 1/2 ✓ → passes.
    Case(
        "a buyer voting for one of two homes",
        ORD,
        homes(*[100] * 6, same_owner=(1, 2)),
        ballots(Y, None, Y, Y, N, N),
        True,
        True,
        F(5, 6),
        F(1),
        F(3, 5),
        F(3, 5),
    ),
    # 16. Real areas with decimals: 89.50 + 120.00 + 76.30 = 285.80 m². The two biggest
    #     vote yes: area 209.50/285.80 = 2095/2858 ≥ 2/3? 2095·3 = 6285 ≥ 5716 ✓; owners 2/3
    #     ✓; approval 1 ✓ → passes.
    Case(
        "decimal areas stay exact",
        ORD,
        [Home("101", F("89.50")), Home("102", F("120.00")), Home("201", F("76.30"))],
        [Ballot("101", {"A": Y}), Ballot("102", {"A": Y})],
        True,
        True,
        F(2095, 2858),
        F(2, 3),
        F(1),
        F(1),
    ),
    # 17. Nobody votes: participation 0, approval defined as 0 → fails without dividing by 0.
    Case("nobody votes", ORD, homes(100, 100, 100), [], False, False, F(0), F(0), F(0), F(0)),
    # 18. Everyone disagrees: quorum full, approval 0 → fails.
    Case(
        "all disagree",
        SPE,
        homes(100, 100, 100),
        ballots(N, N, N),
        True,
        False,
        F(1),
        F(1),
        F(0),
        F(0),
    ),
    # 19. Special item, 7 of 8 equal homes vote, 6 agree: participation 7/8 ≥ 2/3 ✓;
    #     approval 6/7 ≥ 3/4 ✓ → passes.
    Case(
        "special passes with seven of eight",
        SPE,
        homes(*[80] * 8),
        ballots(Y, Y, Y, Y, Y, Y, N, None),
        True,
        True,
        F(7, 8),
        F(7, 8),
        F(6, 7),
        F(6, 7),
    ),
    # 20. Special item just under 3/4 on area only: homes 100,100,100,97 all vote; the three
    #     100s agree: area 300/397 ≥ 3/4? 1200 ≥ 1191 ✓; owners 3/4 ✓ → passes. Swap: the 97
    #     and two 100s agree: 297/397: 1188 < 1191 ✗ → fails (case 21).
    Case(
        "special area boundary above",
        SPE,
        homes(100, 100, 100, 97),
        ballots(Y, Y, Y, N),
        True,
        True,
        F(1),
        F(1),
        F(300, 397),
        F(3, 4),
    ),
    Case(
        "special area boundary below",
        SPE,
        homes(100, 100, 100, 97),
        ballots(N, Y, Y, Y),
        True,
        False,
        F(1),
        F(1),
        F(297, 397),
        F(3, 4),
    ),
    # 22. One home alone decides its own door: 1 of 1 votes yes → passes both rules.
    Case("a single home", SPE, homes(88), ballots(Y), True, True, F(1), F(1), F(1), F(1)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_worked_case(case: Case) -> None:
    result = owners_tally(case.rule, case.homes, case.ballots, ["A"])["A"]
    assert (result.quorum_met, result.passed) == (case.quorum, case.passed)
    assert result.participation_area == case.participation_area
    assert result.participation_headcount == case.participation_headcount
    assert result.approval_area == case.approval_area
    assert result.approval_headcount == case.approval_headcount


def test_the_explanation_names_every_figure() -> None:
    result = owners_tally(ORD, homes(300, 300, 50, 50, 50, 50), ballots(N, N, Y, Y, Y, Y), ["A"])
    assert result["A"].explanation_zh == (
        "事项 A（民法典第二百七十八条第一款其他事项）：参与表决专有部分面积 800.00/800.00㎡，"
        "占比 100.00% ≥ 2/3 ✓；参与表决人数 6/6，占比 100.00% ≥ 2/3 ✓；同意的专有部分面积 "
        "200.00㎡，占参与表决面积 25.00% > 1/2 ✗；同意人数 4，占参与表决人数 66.67% > 1/2 ✓；"
        "未通过"
    )
    assert result["A"].explanation_en.endswith(
        "66.67% of the participating owners > 1/2 ✓; not carried"
    )


@pytest.mark.parametrize(
    ("items", "rule"),
    [((1, 2, 3, 4, 5, 9), ORD), ((6, 7, 8), SPE)],
)
def test_the_item_decides_the_rule(items: tuple[int, ...], rule: OwnersRule) -> None:
    assert {rule_for_item(i) for i in items} == {rule}


@pytest.mark.parametrize(
    ("hs", "bs", "code"),
    [
        (homes(100, 100), [Ballot("h9", {"A": Y})], "unknown_home"),
        (homes(100, 100), [Ballot("h1", {"A": Y}), Ballot("h1", {"A": N})], "two_ballots"),
        (homes(100, 0), [], "bad_area"),
        (homes(100, 100, same_owner=(1, 2)), ballots(Y, N), "owner_disagrees"),
        (homes(100, 100, unsold=(1, 2)), ballots(Y, A), "owner_disagrees"),
        (homes(100), [Ballot("h1", {})], "bad_ballot_options"),
        (homes(100), [Ballot("h1", {"A": Y, "Z": Y})], "bad_ballot_options"),
        ([Home("x", F(1)), Home("x", F(2))], [], "duplicate_home"),
    ],
)
def test_input_that_cannot_be_counted_is_refused(
    hs: list[Home], bs: list[Ballot], code: str
) -> None:
    with pytest.raises(TallyError) as refused:
        owners_tally(ORD, hs, bs, ["A"])
    assert refused.value.code == code
    assert refused.value.zh
    assert refused.value.en
