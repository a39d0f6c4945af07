"""The dashboard's charts, drawn on the server as SVG (evaluation/charts.py): appeals and
topics per month, topics resolved by category, satisfaction per compound. No script; they
print as they show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qinlin.evaluation.charts import bar_chart, column_chart
from qinlin.places.models import SEGMENT, Place
from qinlin.stats import selectors as s
from qinlin.stats.figures import Stats
from qinlin.stats.selectors import Period

COMPOUND_PATH = 3 * SEGMENT


@dataclass(frozen=True)
class Charts:
    per_month: SafeString
    by_category: SafeString
    satisfaction: SafeString
    has_satisfaction: bool


def months(period: Period) -> list[date]:
    first = period.start.replace(day=1)
    result = []
    while first <= period.end:
        result.append(first)
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def monthly_counts(records: QuerySet[Any]) -> dict[date, int]:
    """How many of `records` were created in each local month, keyed by its first day."""
    rows = (
        records.order_by()
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return {timezone.localtime(month).date(): n for month, n in rows}


def charts_for(stats: Stats) -> Charts:
    place, period = stats.place, stats.period
    appeals = monthly_counts(s.appeals_received(place, period))
    topics = monthly_counts(s.topics_created(place, period))
    span = months(period)
    labels = [date_format(m, "YEAR_MONTH_FORMAT") if len(span) > 12 else _month(m) for m in span]
    per_month = column_chart(
        labels,
        [
            (_("诉求"), [appeals.get(m, 0) for m in span]),
            (_("议题"), [topics.get(m, 0) for m in span]),
        ],
        title=_("每月收到的诉求和新立的议题"),
    )
    by_category = bar_chart(
        [(f.label, f.count) for f in stats.topics.resolved_by_category],
        title=_("各类别办结的议题"),
    )
    rates = satisfaction_by_compound(place, period)
    return Charts(per_month, by_category, _satisfaction_chart(rates), bool(rates))


def _month(day: date) -> str:
    # A date format of its own per language: "1月" in Chinese, "Jan" in English.
    return date_format(day, _("n月"))


def satisfaction_by_compound(place: Place, period: Period) -> list[tuple[str, int, int]]:
    """(compound, satisfied, responses) over the surveys that ended in the period."""
    totals: dict[str, list[int]] = {}
    for path, result in (
        s.surveys_ended(place, period).order_by().values_list("scope__path", "result")
    ):
        if not isinstance(result, dict):
            continue
        entry = totals.setdefault(path[:COMPOUND_PATH], [0, 0])
        entry[0] += int(result.get("satisfied", 0))
        entry[1] += int(result.get("responses", 0))
    names = dict(Place.objects.filter(path__in=list(totals)).values_list("path", "name"))
    return sorted(
        ((names.get(path, path), sat, resp) for path, (sat, resp) in totals.items() if resp),
        key=lambda row: row[0],
    )


def _satisfaction_chart(rates: list[tuple[str, int, int]]) -> SafeString:
    # Each compound's bar is its own share of its own answers, so each is a chart of its own.
    rows = [
        bar_chart([(name, sat)], total=resp, title=_("%(name)s满意率") % {"name": name})
        for name, sat, resp in rates
    ]
    return SafeString("".join(rows))
