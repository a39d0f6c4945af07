"""The figures of a satisfaction survey: response rate and satisfaction rate, exactly.

The satisfaction rate is the share of responses whose level the survey counts as satisfied
(by default 非常满意, 满意 and 基本满意); the response rate is the share of the scope's homes
that answered. Both are kept as numerator and denominator and shown to one decimal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from qinlin.evaluation.models import Level


def percent(numerator: int, denominator: int) -> str:
    """ "83.3%": rounded half up to one decimal, from the exact fraction; "—" for 0/0."""
    if denominator == 0:
        return "—"
    tenths = Fraction(numerator * 1000, denominator)
    rounded = int(tenths + Fraction(1, 2))
    return f"{rounded // 10}.{rounded % 10}%"


@dataclass(frozen=True)
class SurveyFigures:
    homes: int
    counts: dict[str, int]
    counted: tuple[str, ...]
    min_rate: int

    @property
    def responses(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(n for level, n in self.counts.items() if level in self.counted)

    @property
    def response_rate(self) -> str:
        return percent(self.responses, self.homes)

    @property
    def satisfaction_rate(self) -> str:
        return percent(self.satisfied, self.responses)

    @property
    def enough(self) -> bool:
        """Did at least `min_rate` per cent of the homes answer? Compared exactly."""
        return self.homes > 0 and Fraction(self.responses, self.homes) * 100 >= self.min_rate

    def as_json(self) -> dict[str, Any]:
        return {
            "homes": self.homes,
            "responses": self.responses,
            "counts": dict(self.counts),
            "counted": list(self.counted),
            "satisfied": self.satisfied,
            "response_rate": self.response_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "min_rate": self.min_rate,
            "enough": self.enough,
        }


def survey_figures(
    *, homes: int, counts: Mapping[str, int], counted: Iterable[str], min_rate: int
) -> SurveyFigures:
    return SurveyFigures(
        homes=homes,
        counts={level: int(counts.get(level, 0)) for level in Level.values},
        counted=tuple(counted),
        min_rate=min_rate,
    )
