"""Reads of the party organisation."""

from __future__ import annotations

from qinlin.organisations.models import PartyBranch
from qinlin.places.models import Place


def branches_covering(compounds: list[Place]) -> list[PartyBranch]:
    """The party branches that cover any of `compounds`, with their compounds prefetched."""
    if not compounds:
        return []
    return list(
        PartyBranch.objects.filter(compounds__in=compounds)
        .distinct()
        .prefetch_related("compounds")
        .order_by("name")
    )
