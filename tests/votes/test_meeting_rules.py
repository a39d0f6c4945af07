"""The consultative rules of meetings: quorum of attendees, then the share of agreeing hands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinlin.votes.rules import Hands, HandsError, MeetingRule, meeting_result

R = MeetingRule


@pytest.mark.parametrize(
    ("rule", "hands", "quorate", "approved"),
    [
        # Quorum: more than half of those invited must attend; exactly half is not enough.
        (R.MAJORITY_OF_ATTENDEES, Hands(10, 5, 5, 0, 0), False, True),
        (R.MAJORITY_OF_ATTENDEES, Hands(10, 6, 4, 2, 0), True, True),
        # A majority excludes the boundary: 3 of 6 attendees is not more than half.
        (R.MAJORITY_OF_ATTENDEES, Hands(9, 6, 3, 1, 2), True, False),
        # Abstentions are not votes cast, so 3 agree to 2 disagree carries there.
        (R.MAJORITY_OF_CAST, Hands(9, 6, 3, 2, 1), True, True),
        (R.MAJORITY_OF_CAST, Hands(9, 6, 2, 2, 2), True, False),
        # Two thirds includes the boundary: 4 of 6 carries, 3 of 5 does not.
        (R.TWO_THIRDS_OF_ATTENDEES, Hands(9, 6, 4, 1, 1), True, True),
        (R.TWO_THIRDS_OF_ATTENDEES, Hands(9, 5, 3, 2, 0), True, False),
        # Nobody came: nothing carries, and nothing divides by zero.
        (R.MAJORITY_OF_CAST, Hands(5, 0, 0, 0, 0), False, False),
    ],
)
def test_quorum_and_approval(
    rule: MeetingRule, hands: Hands, quorate: bool, approved: bool
) -> None:
    result = meeting_result(rule, hands)
    assert (result.quorate, result.approved) == (quorate, approved)
    assert result.passed == (quorate and approved)


def test_the_explanation_carries_the_figures_in_both_languages() -> None:
    result = meeting_result(R.TWO_THIRDS_OF_ATTENDEES, Hands(9, 6, 4, 1, 1))
    assert result.explanation_zh == (
        "应到 9 人，实到 6/9（66.67%） > 1/2 ✓；同意 4、不同意 1、弃权 1；"
        "规则“到会人员三分之二以上同意”：同意 4/6（66.67%） ≥ 2/3 ✓；通过"
    )
    assert result.explanation_en == (
        "9 invited, 6/9 (66.67%) attended > 1/2 ✓; 4 agree, 1 disagree, 1 abstain; "
        "rule 'two thirds of attendees': 4/6 (66.67%) agree ≥ 2/3 ✓; carried"
    )


@pytest.mark.parametrize(
    "hands", [Hands(5, 6, 1, 0, 0), Hands(9, 6, 4, 2, 1), Hands(9, 6, -1, 0, 0)]
)
def test_impossible_figures_are_refused(hands: Hands) -> None:
    with pytest.raises(HandsError):
        meeting_result(R.MAJORITY_OF_ATTENDEES, hands)


@given(
    invited=st.integers(1, 60),
    data=st.data(),
    rule=st.sampled_from(list(MeetingRule)),
)
def test_more_agreeing_hands_never_undo_a_pass(
    invited: int, data: st.DataObject, rule: MeetingRule
) -> None:
    attendees = data.draw(st.integers(0, invited))
    agree = data.draw(st.integers(0, max(attendees - 1, 0)))
    disagree = data.draw(st.integers(0, attendees - agree))
    before = meeting_result(rule, Hands(invited, attendees, agree, disagree, 0))
    if agree + disagree < attendees:
        after = meeting_result(rule, Hands(invited, attendees, agree + 1, disagree, 0))
        assert after.passed or not before.passed
