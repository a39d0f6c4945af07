"""Reads about evaluation: a survey with its figures, a topic's audits and surveys, feedback
items under places and the resolution rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from qinlin.evaluation.models import (
    CLOSED_FEEDBACK,
    Audit,
    FeedbackItem,
    Survey,
)
from qinlin.evaluation.rates import SurveyFigures, percent, survey_figures
from qinlin.places.models import Place
from qinlin.places.selectors import homes_under


def survey_get(uid: str) -> Survey | None:
    return (
        Survey.objects.filter(uid=uid)
        .select_related("topic__place__parent__parent", "scope__parent__parent")
        .first()
    )


def figures_of(survey: Survey) -> SurveyFigures:
    """The frozen figures of an ended survey; the live ones of an open survey."""
    if survey.ended_at is not None and survey.result.get("counts") is not None:
        result = survey.result
        return survey_figures(
            homes=result["homes"],
            counts=result["counts"],
            counted=result["counted"],
            min_rate=result["min_rate"],
        )
    counts = dict(survey.responses.values_list("level").annotate(n=Count("id")).order_by())
    return survey_figures(
        homes=homes_under(survey.scope).count(),
        counts=counts,
        counted=survey.levels_counted,
        min_rate=survey.min_rate,
    )


def surveys_of(topic_id: int) -> list[Survey]:
    return list(Survey.objects.filter(topic_id=topic_id).select_related("scope__parent__parent"))


def audits_of(topic_id: int) -> list[Audit]:
    return list(
        Audit.objects.filter(topic_id=topic_id)
        .select_related("recorded_by")
        .prefetch_related("documents")
        .annotate(problem_count=Count("feedback"))
    )


def feedback_under(places: list[Place]) -> QuerySet[FeedbackItem]:
    """Feedback items at or under any of `places`, the open ones first, newest first."""
    query = Q(pk__in=[])
    for place in places:
        query |= place.subtree_q("place__")
    return (
        FeedbackItem.objects.filter(query)
        .select_related("place__parent__parent__parent", "topic", "assignee", "campaign")
        .order_by(F("closed_at").desc(nulls_first=True), "-created_at", "-id")
    )


@dataclass(frozen=True)
class FeedbackFigures:
    total: int
    closed: int

    @property
    def resolution_rate(self) -> str:
        return percent(self.closed, self.total)


def feedback_figures(
    place: Place, start: date | None = None, end: date | None = None
) -> FeedbackFigures:
    """Items raised at or under `place` between `start` and `end` (inclusive, by the day they
    were raised), and how many of them are closed: resolved, or handed on as an appeal."""
    items = FeedbackItem.objects.filter(place.subtree_q("place__"))
    if start is not None:
        items = items.filter(created_at__date__gte=start)
    if end is not None:
        items = items.filter(created_at__date__lte=end)
    figures = items.aggregate(
        total=Count("id"), closed=Count("id", filter=Q(status__in=CLOSED_FEEDBACK))
    )
    return FeedbackFigures(total=figures["total"], closed=figures["closed"])
