"""Counting rules, pure Python with exact fractions (no Django, no floats).

This module starts with the consultative rules of meetings (a show of hands among those who
attend, after a quorum); the owners' votes of the Civil Code (Art. 278) join it with the votes
issue. "More than" excludes the boundary and "at least" includes it (Civil Code Art. 1259).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    inclusive: bool  # "at least" (≥) when true, "more than" (>) when false

    def met(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        ratio = Fraction(part, whole)
        return ratio >= self.share if self.inclusive else ratio > self.share

    @property
    def sign(self) -> str:
        return "≥" if self.inclusive else ">"

    @property
    def text(self) -> str:
        return f"{self.sign} {self.share.numerator}/{self.share.denominator}"


class MeetingRule(StrEnum):
    MAJORITY_OF_ATTENDEES = "majority_of_attendees"
    MAJORITY_OF_CAST = "majority_of_cast"
    TWO_THIRDS_OF_ATTENDEES = "two_thirds_of_attendees"


@dataclass(frozen=True)
class MeetingRuleSpec:
    quorum: Threshold  # attendees over those invited
    approval: Threshold  # agreeing hands over the base
    of_cast: bool  # base = hands cast (agree + disagree) instead of attendees
    name_zh: str
    name_en: str


# A meeting sits when more than half of those invited attend (过半数到会).
QUORUM = Threshold(HALF, inclusive=False)

MEETING_RULES: dict[MeetingRule, MeetingRuleSpec] = {
    MeetingRule.MAJORITY_OF_ATTENDEES: MeetingRuleSpec(
        QUORUM,
        Threshold(HALF, inclusive=False),
        False,
        "到会人员过半数同意",
        "a majority of attendees",
    ),
    MeetingRule.MAJORITY_OF_CAST: MeetingRuleSpec(
        QUORUM,
        Threshold(HALF, inclusive=False),
        True,
        "表态票数过半数同意（弃权不计）",
        "a majority of the votes cast (abstentions not counted)",
    ),
    MeetingRule.TWO_THIRDS_OF_ATTENDEES: MeetingRuleSpec(
        QUORUM,
        Threshold(TWO_THIRDS, inclusive=True),
        False,
        "到会人员三分之二以上同意",
        "two thirds of attendees",
    ),
}


class HandsError(ValueError):
    """The figures cannot be true (more hands than people in the room)."""


@dataclass(frozen=True)
class Hands:
    invited: int
    attendees: int
    agree: int
    disagree: int
    abstain: int

    def check(self) -> None:
        if min(self.invited, self.attendees, self.agree, self.disagree, self.abstain) < 0:
            raise HandsError("negative count")
        if self.attendees > self.invited:
            raise HandsError("more attendees than invited")
        if self.agree + self.disagree + self.abstain > self.attendees:
            raise HandsError("more hands than attendees")


@dataclass(frozen=True)
class MeetingResult:
    quorate: bool
    approved: bool
    explanation_zh: str
    explanation_en: str

    @property
    def passed(self) -> bool:
        return self.quorate and self.approved


def percent(part: int, whole: int) -> str:
    """A share for people to read, rounded half up to two places; never used to decide."""
    if whole <= 0:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}%"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def meeting_result(rule: MeetingRule, hands: Hands) -> MeetingResult:
    """Did a show of hands carry? Quorum first (attendees over invited), then approval."""
    hands.check()
    spec = MEETING_RULES[rule]
    quorate = spec.quorum.met(hands.attendees, hands.invited)
    base = hands.agree + hands.disagree if spec.of_cast else hands.attendees
    approved = spec.approval.met(hands.agree, base)
    passed = quorate and approved
    q = f"{hands.attendees}/{hands.invited}（{percent(hands.attendees, hands.invited)}）"
    a = f"{hands.agree}/{base}（{percent(hands.agree, base)}）"
    zh = (
        f"应到 {hands.invited} 人，实到 {q} {spec.quorum.text} {_mark(quorate)}；"
        f"同意 {hands.agree}、不同意 {hands.disagree}、弃权 {hands.abstain}；"
        f"规则“{spec.name_zh}”：同意 {a} {spec.approval.text} {_mark(approved)}；"
        f"{'通过' if passed else '未通过'}"
    )
    q_en = q.replace("（", " (").replace("）", ")")
    a_en = a.replace("（", " (").replace("）", ")")
    en = (
        f"{hands.invited} invited, {q_en} attended {spec.quorum.text} {_mark(quorate)}; "
        f"{hands.agree} agree, {hands.disagree} disagree, {hands.abstain} abstain; "
        f"rule '{spec.name_en}': {a_en} agree {spec.approval.text} {_mark(approved)}; "
        f"{'carried' if passed else 'not carried'}"
    )
    return MeetingResult(quorate, approved, zh, en)
