"""Reads for the start pages and the workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from qinlin.core.models import AuditEvent
from qinlin.places.models import Place


def audit_events_under(places: list[Place], *, limit: int = 100) -> QuerySet[AuditEvent]:
    """The newest events about anything under `places` (plus place-less system events)."""
    from django.db.models import Q

    scope = Q()
    for place in places:
        scope |= Q(place_path__gte=place.path, place_path__lt=place.path + "~")
    return AuditEvent.objects.filter(scope).select_related("actor").order_by("-id")[:limit]
