"""Counting rules, pure Python with exact fractions (no Django, no floats).

Two kinds of count: the consultative show of hands of a meeting (a quorum of those invited,
then a share of the attendees or of the votes cast), and the owners' votes of Civil Code
Art. 278 (area and headcount, counted as the SPC interpretation on building ownership says).
"More than" excludes the boundary and "at least" includes it (Civil Code Art. 1259).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    inclusive: bool  # "at least" (≥) when true, "more than" (>) when false

    def met(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        return self.met_ratio(Fraction(part, whole))

    def met_ratio(self, ratio: Fraction) -> bool:
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


# --- owners' votes (Civil Code Art. 278) ------------------------------------------------------

THREE_QUARTERS = Fraction(3, 4)


class OwnersRule(StrEnum):
    CIVIL_CODE_SPECIAL = "civil_code_special"  # Art. 278 items (6)-(8)
    CIVIL_CODE_ORDINARY = "civil_code_ordinary"  # every other item


@dataclass(frozen=True)
class OwnersRuleSpec:
    quorum: Threshold  # participating area and headcount over the scope's
    approval: Threshold  # agreeing area and headcount over the participants'
    name_zh: str
    name_en: str


OWNERS_RULES: dict[OwnersRule, OwnersRuleSpec] = {
    # Art. 278 para. 2: two thirds of the area and of the owners take part; items (6)-(8)
    # need three quarters of the participating area and owners.
    OwnersRule.CIVIL_CODE_SPECIAL: OwnersRuleSpec(
        Threshold(TWO_THIRDS, inclusive=True),
        Threshold(THREE_QUARTERS, inclusive=True),
        "民法典第二百七十八条第一款第六项至第八项",
        "Civil Code Art. 278 items (6)-(8)",
    ),
    # The other items: more than half of the participating area and owners ("过半数" excludes
    # the half itself, Art. 1259).
    OwnersRule.CIVIL_CODE_ORDINARY: OwnersRuleSpec(
        Threshold(TWO_THIRDS, inclusive=True),
        Threshold(HALF, inclusive=False),
        "民法典第二百七十八条第一款其他事项",
        "Civil Code Art. 278, other items",
    ),
}
SPECIAL_ITEMS = frozenset({6, 7, 8})


def rule_for_item(item: int) -> OwnersRule:
    """The rule an Art. 278 item is decided by (items 1-9)."""
    if not 1 <= item <= 9:
        raise TallyError(
            "bad_item", f"民法典第二百七十八条没有第 {item} 项", f"Art. 278 has no item {item}"
        )
    return (
        OwnersRule.CIVIL_CODE_SPECIAL if item in SPECIAL_ITEMS else OwnersRule.CIVIL_CODE_ORDINARY
    )


class Choice(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


NOT_AGREEING = frozenset({"disagree", "abstain"})


class TallyError(ValueError):
    """The input cannot be tallied; nothing is counted. Carries its message in both languages."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en

    def message(self, language: str) -> str:
        return self.en if language.startswith("en") else self.zh


class Home(NamedTuple):
    """A home in the scope. A named tuple rather than a dataclass: a vote may hold 100,000."""

    id: str
    area: Fraction
    owner: str = ""  # the owner key: one buyer's homes share it
    developer_unsold: bool = False

    @property
    def person(self) -> str:
        """Who this home counts as (SPC interpretation on building ownership, art. 9)."""
        if self.developer_unsold:
            return "developer"
        return f"owner:{self.owner}" if self.owner else f"home:{self.id}"


class Ballot(NamedTuple):
    home: str
    choices: Mapping[str, str]  # option -> a Choice value ("agree", "disagree", "abstain")


@dataclass(frozen=True)
class OptionResult:
    option: str
    passed: bool
    quorum_met: bool
    participation_area: Fraction
    participation_headcount: Fraction
    approval_area: Fraction
    approval_headcount: Fraction
    figures: dict[str, Fraction]  # the raw sums behind the ratios (area in m², people)
    explanation_zh: str
    explanation_en: str


def _ratio(part: Fraction | int, whole: Fraction | int) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _pct(value: Fraction) -> str:
    """A share for people to read, rounded half up to two places; never used to decide."""
    shown = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{shown.quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _area(value: Fraction) -> str:
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def _first_repeat(ids: list[str]) -> str:
    seen: set[str] = set()
    return next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]


def _check(homes: list[Home], ballots: list[Ballot], options: list[str]) -> dict[str, Home]:
    """Refuse what cannot be counted. Whole-list set operations first (a vote may hold
    100,000 homes); the slower search for the offending entry runs only on a refusal."""
    if not options or len(set(options)) != len(options):
        raise TallyError("bad_options", "请列出各不相同的表决事项", "list the options, each once")
    by_id = {home.id: home for home in homes}
    if not by_id:
        raise TallyError("no_homes", "表决范围内没有房屋", "there are no homes in the scope")
    if len(by_id) != len(homes):
        repeat = _first_repeat([h.id for h in homes])
        raise TallyError(
            "duplicate_home", f"房屋 {repeat} 重复出现", f"home {repeat} appears twice"
        )
    # A Fraction's denominator is always positive, so the numerator carries the sign.
    if min(home.area.numerator for home in homes) <= 0:
        bad = next(h.id for h in homes if h.area.numerator <= 0)
        raise TallyError(
            "bad_area",
            f"房屋 {bad} 的面积必须大于 0",
            f"the area of home {bad} must be greater than 0",
        )
    ids = [b.home for b in ballots]
    unknown = set(ids) - by_id.keys()
    if unknown:
        bad = next(i for i in ids if i in unknown)
        raise TallyError(
            "unknown_home",
            f"选票的房屋 {bad} 不在表决范围内",
            f"the ballot's home {bad} is not in the scope",
        )
    if len(set(ids)) != len(ids):
        repeat = _first_repeat(ids)
        raise TallyError(
            "two_ballots",
            f"房屋 {repeat} 有两张选票，每户只能有一张",
            f"home {repeat} has two ballots; one home has one ballot",
        )
    wanted = set(options)
    for ballot in (b for b in ballots if b.choices.keys() != wanted):
        missing = [o for o in options if o not in ballot.choices]
        which = (missing or [o for o in ballot.choices if o not in wanted])[0]
        raise TallyError(
            "bad_ballot_options",
            f"房屋 {ballot.home} 的选票{'缺少' if missing else '多出'}事项 {which}",
            f"the ballot of home {ballot.home} {'lacks' if missing else 'has an unknown'} "
            f"option {which}",
        )
    return by_id


def _bad_choice(value: object) -> TallyError:
    return TallyError(
        "bad_choice",
        f"选择“{value}”无效，应为 agree、disagree 或 abstain",
        f'"{value}" is not a choice; use agree, disagree or abstain',
    )


def _one_voice(by_id: dict[str, Home], ballots: list[Ballot]) -> None:
    """One owner of several homes (or the developer) is one person with one choice."""
    said: dict[str, tuple[str, Mapping[str, str]]] = {}
    for ballot in ballots:
        home = by_id[ballot.home]
        if not home.owner and not home.developer_unsold:
            continue  # a home of its own is a person of its own
        person = home.person
        if person in said and said[person][1] != ballot.choices:
            other = said[person][0]
            raise TallyError(
                "owner_disagrees",
                f"房屋 {other} 与 {ballot.home} 属于同一业主，选择必须一致",
                f"homes {other} and {ballot.home} have one owner, whose choices must agree",
            )
        said.setdefault(person, (ballot.home, ballot.choices))


def owners_tally(
    rule: OwnersRule | Mapping[str, OwnersRule],
    homes: list[Home],
    ballots: list[Ballot],
    options: list[str],
) -> dict[str, OptionResult]:
    """Each option's participation and approval under its rule, exactly (Civil Code
    Art. 278; SPC interpretation on building ownership, art. 8-9): one rule for every
    option, or one per option (options on different Art. 278 items). Abstaining and
    disagreeing owners have taken part. Raises TallyError for input that cannot be counted."""
    by_id = _check(homes, ballots, options)
    _one_voice(by_id, ballots)
    rules = dict.fromkeys(options, rule) if isinstance(rule, str) else dict(rule)
    if set(rules) != set(options):
        raise TallyError("bad_rule", "每个事项都要有表决规则", "every option needs its rule")
    # Exact sums in integers: every area times one common denominator (100 for areas given
    # to the cent), so that 100,000 homes add up without a Fraction per addition. A home's
    # group is None when it is a person of its own, else the owner it shares (Home.person).
    scale = math.lcm(*{h.area.denominator for h in homes})
    info = {
        h.id: (
            h.area.numerator * (scale // h.area.denominator),
            "developer" if h.developer_unsold else (f"owner:{h.owner}" if h.owner else None),
        )
        for h in homes
    }
    total_area = Fraction(sum(u for u, _g in info.values()), scale)
    groups = {g for _u, g in info.values()}
    total_people = sum(1 for _u, g in info.values() if g is None) + len(groups - {None})
    part_units, part_solo, part_groups = 0, 0, set()
    agree_units = dict.fromkeys(options, 0)
    agree_solo = dict.fromkeys(options, 0)
    agree_groups: dict[str, set[str]] = {o: set() for o in options}
    for ballot in ballots:  # one pass over the ballots for every figure
        units, group = info[ballot.home]
        part_units += units
        if group is None:
            part_solo += 1
        else:
            part_groups.add(group)
        for option in options:
            choice = ballot.choices[option]
            if choice == Choice.AGREE:
                agree_units[option] += units
                if group is None:
                    agree_solo[option] += 1
                else:
                    agree_groups[option].add(group)
            elif choice not in NOT_AGREEING:  # checked here to spare a pass over the ballots
                raise _bad_choice(choice)
    part_area = Fraction(part_units, scale)
    part_people = part_solo + len(part_groups)
    results: dict[str, OptionResult] = {}
    for option in options:
        spec = OWNERS_RULES[rules[option]]
        agree_area = Fraction(agree_units[option], scale)
        agree_people = agree_solo[option] + len(agree_groups[option])
        p_area, p_people = _ratio(part_area, total_area), _ratio(part_people, total_people)
        a_area, a_people = _ratio(agree_area, part_area), _ratio(agree_people, part_people)
        q1 = spec.quorum.met_ratio(p_area)
        q2 = spec.quorum.met_ratio(p_people)
        a1 = part_people > 0 and spec.approval.met_ratio(a_area)
        a2 = part_people > 0 and spec.approval.met_ratio(a_people)
        passed = q1 and q2 and a1 and a2
        q, a = spec.quorum.text, spec.approval.text
        zh = (
            f"事项 {option}（{spec.name_zh}）：参与表决专有部分面积 {_area(part_area)}/"
            f"{_area(total_area)}㎡，占比 {_pct(p_area)} {q} {_mark(q1)}；参与表决人数 "
            f"{part_people}/{total_people}，占比 {_pct(p_people)} {q} {_mark(q2)}；同意的专有"
            f"部分面积 {_area(agree_area)}㎡，占参与表决面积 {_pct(a_area)} {a} {_mark(a1)}；"
            f"同意人数 {agree_people}，占参与表决人数 {_pct(a_people)} {a} {_mark(a2)}；"
            f"{'通过' if passed else '未通过'}"
        )
        en = (
            f"Option {option} ({spec.name_en}): participating exclusive area "
            f"{_area(part_area)}/{_area(total_area)} m², {_pct(p_area)} {q} {_mark(q1)}; "
            f"participating owners {part_people}/{total_people}, {_pct(p_people)} {q} "
            f"{_mark(q2)}; agreeing area {_area(agree_area)} m², {_pct(a_area)} of the "
            f"participating area {a} {_mark(a1)}; agreeing owners {agree_people}, "
            f"{_pct(a_people)} of the participating owners {a} {_mark(a2)}; "
            f"{'carried' if passed else 'not carried'}"
        )
        results[option] = OptionResult(
            option=option,
            passed=passed,
            quorum_met=q1 and q2,
            participation_area=p_area,
            participation_headcount=p_people,
            approval_area=a_area,
            approval_headcount=a_people,
            figures={
                "total_area": total_area,
                "total_owners": Fraction(total_people),
                "participating_area": part_area,
                "participating_owners": Fraction(part_people),
                "agreeing_area": agree_area,
                "agreeing_owners": Fraction(agree_people),
            },
            explanation_zh=zh,
            explanation_en=en,
        )
    return results
