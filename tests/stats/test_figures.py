"""The figures against a hand-built year (helpers.build): place and period boundaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.drilldown import drill_records
from qinlin.stats.figures import Figure, Stats, stats_for
from qinlin.stats.selectors import Period
from tests.stats.helpers import YEAR, build

pytestmark = pytest.mark.django_db

YEAR_2025 = Period.year(YEAR)


def _counts(figures: list[Figure]) -> dict[str, int]:
    return {f.value: f.count for f in figures}


@pytest.fixture
def year(places: dict[str, Place], grace: Person) -> dict[str, Stats]:
    build(places, grace)
    return {
        name: stats_for(places[name], YEAR_2025)
        for name in ("subdistrict", "community", "compound_a", "compound_b")
    }


def test_the_community_figures_count_everything_under_it_in_the_year(
    year: dict[str, Stats],
) -> None:
    st = year["community"]
    o = st.organisation
    assert (o.compounds.count, o.branches.count, o.members.count) == (2, 2, 3)
    assert (o.branches_single.count, o.branches_joint.count) == (1, 1)
    assert (st.activities.held.count, st.activities.participants.count) == (2, 3)
    assert st.appeals.received.count == 6
    assert _counts(st.appeals.by_channel) == {"online": 3, "phone": 1, "visit": 2}
    assert _counts(st.appeals.by_category) == {"property": 4, "parking": 1, "environment": 1}
    assert st.topics.created.count == 3
    assert _counts(st.topics.created_by_stage) == {"closed": 3}
    assert (st.topics.open_now.count, st.topics.resolved.count) == (1, 2)
    assert _counts(st.topics.resolved_by_category) == {"property": 1, "environment": 1}
    assert st.meetings.held.count == 3
    assert _counts(st.meetings.by_kind) == {"consultation": 1, "local": 1, "door": 1}
    v = st.votes
    assert (v.held.count, v.ballots, v.homes, v.participation.percent) == (1, 1, 2, "50.0%")
    # 89.50 m² of 209.50 m².
    assert v.area_participation.percent == "42.7%"
    d = st.disclosure
    assert (d.channels.count, d.new_channels.count) == (2, 1)
    assert (d.notices.count, d.proactive.count, d.on_request.count) == (3, 2, 1)
    assert (d.requests_received.count, d.requests_closed.count) == (3, 2)
    assert (d.requests_on_time.count, d.on_time_rate.percent) == (1, "50.0%")
    e = st.evaluation
    assert (e.surveys.count, e.responses, e.satisfied) == (2, 3, 2)
    assert e.satisfaction_rate.percent == "66.7%"
    assert e.response_rate.percent == "100.0%"
    assert (e.campaigns.count, e.campaign_responses) == (1, 2)
    assert (e.feedback.count, e.feedback_closed.count) == (3, 2)
    assert e.resolution_rate.percent == "66.7%"


def test_the_median_days_run_from_the_first_appeal_or_else_the_topics_creation(
    year: dict[str, Stats],
) -> None:
    timing = year["community"].timing
    # A: appeal 10 Jan → decided 1 Mar (50 days); B: created 1 Feb → decided 11 Feb (10).
    assert (timing.to_decision.days, timing.to_decision.count) == (Decimal("30.0"), 2)
    # A: 10 Jan → 1 Jun (142 days); B: 1 Feb 12:00 → 31 Dec 23:30 (333.5): median 237.75.
    assert (timing.to_closing.days, timing.to_closing.count) == (Decimal("237.8"), 2)
    assert year["compound_a"].timing.to_closing.days == Decimal("142.0")
    assert year["compound_b"].timing.to_decision.days == Decimal("10.0")


def test_compound_a_and_b_are_counted_apart_and_add_up_to_the_community(
    year: dict[str, Stats],
) -> None:
    a, b, com = year["compound_a"], year["compound_b"], year["community"]
    assert (a.organisation.compounds.count, a.organisation.branches.count) == (1, 1)
    assert (a.organisation.branches_single.count, b.organisation.branches_joint.count) == (1, 1)
    assert (a.organisation.members.count, b.organisation.members.count) == (2, 1)
    assert (a.appeals.received.count, b.appeals.received.count) == (4, 2)
    assert (a.evaluation.satisfaction_rate.percent, b.evaluation.satisfaction_rate.percent) == (
        "100.0%",
        "0.0%",
    )
    assert (a.disclosure.requests_on_time.count, b.disclosure.requests_on_time.count) == (0, 1)
    # The campaign is the community's, not either compound's.
    assert (a.evaluation.campaigns.count, b.evaluation.campaigns.count) == (0, 0)
    by_key_a = {(f.key, f.value, f.label): f.count for f in a.all_figures()}
    by_key_b = {(f.key, f.value, f.label): f.count for f in b.all_figures()}
    for f in com.all_figures():
        if f.key in {"compounds", "campaigns"}:
            continue
        assert f.count == by_key_a.get((f.key, f.value, f.label), 0) + by_key_b.get(
            (f.key, f.value, f.label), 0
        ), f


def test_the_subdistrict_sees_what_its_one_community_sees(year: dict[str, Stats]) -> None:
    sub = {(f.key, f.value): f.count for f in year["subdistrict"].all_figures()}
    com = {(f.key, f.value): f.count for f in year["community"].all_figures()}
    assert sub == com


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 23:59:59 on 31 December local time is 15:59:59 UTC: still that year.
        (date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31), (1, 0)),
        # 00:00 on 1 January local time is 16:00 UTC on 31 December: already the new year.
        (date(YEAR, 1, 1), date(YEAR, 1, 1), (1, 0)),
        (date(YEAR, 12, 31), date(YEAR, 12, 31), (1, 1)),
        (date(YEAR + 1, 1, 1), date(YEAR + 1, 1, 1), (1, 1)),
        (date(YEAR - 1, 1, 1), date(YEAR + 1, 12, 31), (8, 3)),
    ],
)
def test_a_period_runs_from_local_midnight_to_local_midnight(
    places: dict[str, Place], grace: Person, start: date, end: date, expected: tuple[int, int]
) -> None:
    """`expected`: (appeals received, topics resolved)."""
    build(places, grace)
    st = stats_for(places["community"], Period(start, end))
    assert (st.appeals.received.count, st.topics.resolved.count) == expected


def test_every_drill_down_list_counts_what_its_figure_counts(
    places: dict[str, Place], year: dict[str, Stats]
) -> None:
    for name, st in year.items():
        for f in st.all_figures():
            assert drill_records(f.key, places[name], YEAR_2025, f.value).count() == f.count, (
                name,
                f,
            )
    timing = year["community"].timing
    for median in (timing.to_decision, timing.to_closing):
        assert drill_records(median.key, places["community"], YEAR_2025).count() == median.count


def test_an_empty_place_has_zeros_and_no_rates(places: dict[str, Place]) -> None:
    st = stats_for(places["compound_b"], YEAR_2025)
    assert st.appeals.received.count == 0
    assert st.appeals.by_channel == []
    assert st.evaluation.satisfaction_rate.percent == "—"
    assert st.timing.to_decision.days is None
