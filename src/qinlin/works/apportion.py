"""Sharing a cost among homes in fen, so that the shares add up exactly to the total.

Pure Python, no Django: the funding plan of a decided topic (issue 6) calls it, and anyone can
check it by hand. The method is the largest remainder (Hamilton): every home first gets the
whole fen of its exact share (floor), then the fen left over go one each to the homes with the
largest fractional remainders; ties go to the larger weight, then to the home listed first, so
the result never depends on chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


class ApportionError(ValueError):
    """The shares cannot be computed; says why in both languages."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class Share:
    home: str
    fen: int  # 1 yuan = 100 fen
    exact: Fraction  # the exact share in fen, before rounding


def apportion(total_fen: int, weights: Sequence[tuple[str, Fraction]]) -> list[Share]:
    """Split `total_fen` among homes in proportion to their weights (their floor area, or 1
    each for an equal split). Every share is within one fen of its exact value and the
    shares add up to `total_fen` exactly."""
    if total_fen < 0:
        raise ApportionError("negative_total", "分摊总额不能为负数", "the total cannot be negative")
    if not weights:
        raise ApportionError(
            "no_homes", "没有参与分摊的房屋", "there are no homes to share the cost"
        )
    if len({home for home, _w in weights}) != len(weights):
        raise ApportionError("duplicate_home", "房屋重复出现", "a home appears twice")
    if any(weight <= 0 for _home, weight in weights):
        raise ApportionError(
            "bad_weight", "每户的分摊基数（面积）必须大于 0", "every home's weight must be positive"
        )
    whole = sum((weight for _home, weight in weights), Fraction(0))
    exact = [Fraction(total_fen) * weight / whole for _home, weight in weights]
    floors = [int(share) for share in exact]  # exact shares are non-negative: int() floors
    left = total_fen - sum(floors)
    order = sorted(
        range(len(weights)),
        key=lambda i: (-(exact[i] - floors[i]), -weights[i][1], i),
    )
    for i in order[:left]:
        floors[i] += 1
    return [
        Share(home, fen, share)
        for (home, _weight), fen, share in zip(weights, floors, exact, strict=True)
    ]


def equal_weights(homes: Sequence[str]) -> list[tuple[str, Fraction]]:
    return [(home, Fraction(1)) for home in homes]
