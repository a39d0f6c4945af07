"""The JSON file `qinlin tally` reads, turned into the engine's inputs, and its result as JSON.

Kept apart from rules.py so the engine stays free of file formats; like the engine, no Django.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from qinlin.votes.rules import (
    Ballot,
    Choice,
    Home,
    OptionResult,
    OwnersRule,
    TallyError,
    owners_tally,
)

AREA_PLACES = 2


def _fail(code: str, zh: str, en: str) -> TallyError:
    return TallyError(code, zh, en)


def _area(home_id: str, raw: Any) -> Fraction:
    try:
        # bool is an int to Python but never an area.
        ok = isinstance(raw, str | int | Decimal) and not isinstance(raw, bool)
        value = Decimal(str(raw).strip()) if ok else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _fail(
            "bad_area",
            f'房屋 {home_id} 的面积“{raw}”不是数字，请写成字符串，如 "89.50"',
            f'the area of home {home_id}, "{raw}", is not a number; '
            'write it as a string like "89.50"',
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AREA_PLACES:
        raise _fail(
            "bad_area",
            f"房屋 {home_id} 的面积最多两位小数",
            f"the area of home {home_id} has more than two decimals",
        )
    return Fraction(value)


def parse(
    data: Any,
) -> tuple[OwnersRule | dict[str, OwnersRule], list[Home], list[Ballot], list[str]]:
    """Check the file's shape; the engine checks the rules (duplicates, one owner's voice …)."""
    if not isinstance(data, dict):
        raise _fail(
            "bad_file", "文件内容必须是一个 JSON 对象", "the file must hold one JSON object"
        )
    rule = data.get("rule")
    known = set(OwnersRule.__members__.values())
    named = rule.values() if isinstance(rule, dict) else [rule]
    unknown = [r for r in named if r not in known]
    if unknown or not named:
        raise _fail(
            "bad_rule",
            f"未知的表决规则“{unknown[0] if unknown else rule}”，"
            "应为 civil_code_ordinary 或 civil_code_special",
            f'unknown rule "{unknown[0] if unknown else rule}"; '
            "use civil_code_ordinary or civil_code_special",
        )
    options = data.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) and o for o in options):
        raise _fail(
            "bad_options",
            'options 必须是事项编号的列表，如 ["A", "B"]',
            'options must be a list of option names, like ["A", "B"]',
        )
    homes: list[Home] = []
    for row in _rows(data, "homes"):
        home_id = row.get("id")
        if not isinstance(home_id, str) or not home_id:
            raise _fail("bad_home", "每户都要有字符串 id", "every home needs a string id")
        owner = row.get("owner") or ""
        unsold = row.get("developer_unsold", False)
        if not isinstance(owner, str) or not isinstance(unsold, bool):
            raise _fail(
                "bad_home",
                f"房屋 {home_id} 的 owner 应为字符串，developer_unsold 应为 true 或 false",
                f"home {home_id}: owner must be a string and developer_unsold true or false",
            )
        homes.append(Home(home_id, _area(home_id, row.get("area")), owner, unsold))
    ballots: list[Ballot] = []
    for row in _rows(data, "ballots"):
        home_id, choices = row.get("home"), row.get("choices")
        if not isinstance(home_id, str) or not isinstance(choices, dict):
            raise _fail(
                "bad_ballot",
                "每张选票要有 home（字符串）和 choices（对象）",
                "every ballot needs a home (a string) and choices (an object)",
            )
        parsed: dict[str, Choice] = {}
        for option, choice in choices.items():
            if choice not in Choice.__members__.values():
                raise _fail(
                    "bad_choice",
                    f"房屋 {home_id} 对事项 {option} 的选择“{choice}”无效，"
                    "应为 agree、disagree 或 abstain",
                    f'home {home_id}: "{choice}" for option {option} is not '
                    "agree, disagree or abstain",
                )
            parsed[str(option)] = Choice(choice)
        ballots.append(Ballot(home_id, parsed))
    if isinstance(rule, dict):
        if set(rule) != set(options):
            raise _fail(
                "bad_rule",
                "按事项给出规则时，rule 必须为每个事项各给一条规则",
                "a rule per option must name every option, and only those",
            )
        return {str(k): OwnersRule(v) for k, v in rule.items()}, homes, ballots, options
    return OwnersRule(str(rule)), homes, ballots, options


def _rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = data.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise _fail(f"bad_{key}", f"{key} 必须是对象的列表", f"{key} must be a list of objects")
    return rows


def fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def figures(r: OptionResult) -> dict[str, Any]:
    """An option's outcome and its four ratios as reduced fractions: what `qinlin tally`
    prints and what a closed vote stores."""
    return {
        "passed": r.passed,
        "quorum_met": r.quorum_met,
        "participation_area": fraction(r.participation_area),
        "participation_headcount": fraction(r.participation_headcount),
        "approval_area": fraction(r.approval_area),
        "approval_headcount": fraction(r.approval_headcount),
    }


def result_json(results: dict[str, OptionResult]) -> dict[str, Any]:
    return {
        "options": {
            option: {
                **figures(r),
                "explanation": {"zh-hans": r.explanation_zh, "en": r.explanation_en},
            }
            for option, r in results.items()
        }
    }


def tally_file(data: Any) -> dict[str, Any]:
    rule, homes, ballots, options = parse(data)
    return result_json(owners_tally(rule, homes, ballots, options))
