"""Reads about execution: a topic's tasks, and the overdue tasks under a place."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qinlin.places.models import Place
from qinlin.works.models import Task, TaskReport, TaskStatus


def tasks_of(topic_id: int) -> list[Task]:
    return list(
        Task.objects.filter(topic_id=topic_id)
        .select_related("responsible")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=TaskReport.objects.select_related("actor").prefetch_related("photos"),
            )
        )
    )


def overdue_tasks(places: list[Place]) -> QuerySet[Task]:
    """Open tasks past their due date under any of `places`, the most overdue first."""
    query = Task.objects.none()
    for place in places:
        query = query | Task.objects.filter(place.subtree_q("topic__place__"))
    return (
        query.exclude(status=TaskStatus.DONE)
        .filter(due_on__lt=timezone.localdate())
        .select_related("topic__place__parent__parent", "responsible")
        .order_by("due_on", "id")
    )
