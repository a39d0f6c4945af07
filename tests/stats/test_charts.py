"""The dashboard's charts count what the figures count."""

from __future__ import annotations

import re

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.charts import charts_for, months, satisfaction_by_compound
from qinlin.stats.figures import stats_for
from qinlin.stats.selectors import Period
from tests.stats.helpers import build


def _figures(svg: str) -> list[int]:
    """The numbers written on the columns, in order."""
    return [int(n) for n in re.findall(r'text-anchor="middle">(\d+)</text>', svg)]


def test_the_monthly_columns_add_up_to_the_appeals_and_topics_of_the_year(
    places: dict[str, Place], grace: Person
) -> None:
    build(places, grace)
    stats = stats_for(places["community"], Period.year(2025))
    charts = charts_for(stats)
    svg = str(charts.per_month)
    assert svg.count("<g><title>") == 24  # 12 months, two series each
    tips = re.findall(r"<title>([^<]*)</title>", svg)
    appeals = sum(int(t.rsplit("：", 1)[1]) for t in tips if " 诉求：" in t)
    topics = sum(int(t.rsplit("：", 1)[1]) for t in tips if " 议题：" in t)
    assert (appeals, topics) == (stats.appeals.received.count, stats.topics.created.count)
    assert sum(_figures(svg)) == appeals + topics


def test_satisfaction_per_compound_adds_up_to_the_places_rate(
    places: dict[str, Place], grace: Person
) -> None:
    build(places, grace)
    period = Period.year(2025)
    stats = stats_for(places["community"], period)
    rows = satisfaction_by_compound(places["community"], period)
    assert sum(sat for _name, sat, _resp in rows) == stats.evaluation.satisfied
    assert sum(resp for _name, _sat, resp in rows) == stats.evaluation.responses
    assert all(name in {"上河园", "锦绣苑"} for name, _sat, _resp in rows)


def test_a_period_across_a_new_year_has_its_months_in_order() -> None:
    from datetime import date

    span = months(Period(date(2025, 11, 15), date(2026, 2, 1)))
    assert span == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
