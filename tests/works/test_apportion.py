"""The largest-remainder split of a cost among homes, in fen."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinlin.works.apportion import ApportionError, apportion, equal_weights


def test_three_equal_homes_share_one_yuan() -> None:
    # 100 fen / 3 = 33⅓ each: floors 33+33+33 = 99, the one fen left goes to the first listed.
    assert [s.fen for s in apportion(100, equal_weights(["101", "102", "201"]))] == [34, 33, 33]


def test_by_area_the_larger_home_gets_the_odd_fen() -> None:
    # 1,000 fen over 89.50 and 120.00 m²: exact 427.21… and 572.79…; floors 427 + 572 = 999;
    # the larger remainder (0.79) takes the last fen.
    shares = apportion(1000, [("101", Fraction("89.50")), ("102", Fraction("120.00"))])
    assert [s.fen for s in shares] == [427, 573]


def test_a_tie_goes_to_the_larger_home() -> None:
    # 1 fen over areas 1 and 3 of 4 total: exact 0.25 and 0.75 → the 3 m² home.
    # 2 fen over two equal-remainder homes of areas 1 and 1 and one of 2: exact ½, ½, 1 →
    # the whole fen to the third, the remaining fen by remainder ½ = ½ → first listed.
    assert [s.fen for s in apportion(1, [("a", Fraction(1)), ("b", Fraction(3))])] == [0, 1]
    weights = [("a", Fraction(1)), ("b", Fraction(1)), ("c", Fraction(2))]
    assert [s.fen for s in apportion(2, weights)] == [1, 0, 1]


@pytest.mark.parametrize(
    ("total", "weights", "code"),
    [
        (-1, [("a", Fraction(1))], "negative_total"),
        (100, [], "no_homes"),
        (100, [("a", Fraction(1)), ("a", Fraction(2))], "duplicate_home"),
        (100, [("a", Fraction(0))], "bad_weight"),
    ],
)
def test_what_cannot_be_shared_is_refused(
    total: int, weights: list[tuple[str, Fraction]], code: str
) -> None:
    with pytest.raises(ApportionError) as refused:
        apportion(total, weights)
    assert refused.value.code == code


@given(
    total=st.integers(0, 10_000_000),
    areas=st.lists(st.integers(3000, 20000), min_size=1, max_size=200),
)
def test_shares_add_up_and_stay_within_one_fen(total: int, areas: list[int]) -> None:
    weights = [(f"h{i}", Fraction(a, 100)) for i, a in enumerate(areas)]
    shares = apportion(total, weights)
    assert sum(s.fen for s in shares) == total
    assert all(abs(s.fen - s.exact) < 1 for s in shares)
    assert apportion(total, weights) == shares  # deterministic
