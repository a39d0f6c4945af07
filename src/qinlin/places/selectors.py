"""Reads of the place tree."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from qinlin.core.errors import NotFoundError
from qinlin.places.models import PATH_END, Place, PlaceKind


def place_get(uid: str) -> Place:
    try:
        return Place.objects.select_related("parent").get(uid=uid)
    except Place.DoesNotExist:
        raise NotFoundError(_not_found()) from None


def _not_found() -> str:
    from django.utils.translation import gettext

    return gettext("找不到这个地点。")


def place_subtree(place: Place, *, kind: str | None = None) -> QuerySet[Place]:
    """`place` and everything under it, optionally of one kind: one indexed range query."""
    qs = Place.objects.filter(path__gte=place.path, path__lt=place.path + PATH_END)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


def homes_under(place: Place) -> QuerySet[Place]:
    return place_subtree(place, kind=PlaceKind.HOME)


def place_ancestors(place: Place) -> list[Place]:
    """The places above `place`, root first (one query)."""
    paths = place.ancestor_paths[:-1]
    if not paths:
        return []
    return list(Place.objects.filter(path__in=paths).order_by("path"))


def place_label(place: Place, *, ancestors: list[Place] | None = None) -> str:
    """ "上河园 3号楼 2单元 101": the address from the compound down."""
    chain = [*(ancestors if ancestors is not None else place_ancestors(place)), place]
    return " ".join(
        p.name for p in chain if p.kind not in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY)
    )


def place_children(place: Place) -> QuerySet[Place]:
    return place.children.order_by("path")


def place_figures(place: Place) -> dict[str, object]:
    """Counts of what lies under a place, by kind, and the total home area."""
    rows = (
        place_subtree(place)
        .exclude(pk=place.pk)
        .values("kind")
        .annotate(n=Count("id"), area=Sum("area"))
    )
    figures: dict[str, object] = {kind.value: 0 for kind in PlaceKind}
    figures["area"] = 0
    for row in rows:
        figures[row["kind"]] = row["n"]
        if row["kind"] == PlaceKind.HOME:
            figures["area"] = row["area"] or 0
    return figures


def places_search(
    text: str, *, kind: str | None = None, within: Place | None = None
) -> QuerySet[Place]:
    qs = Place.objects.filter(Q(name__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if within is not None:
        qs = qs.filter(within.subtree_q())
    return qs.order_by("path")
