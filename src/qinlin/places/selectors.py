"""Reads of the place tree."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from qinlin.core.errors import NotFoundError
from qinlin.places.models import PATH_END, SEGMENT, Place, PlaceKind


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


def compound_find(text: str) -> Place:
    """A compound by its public id, or by its name when no other compound has that name."""
    from django.utils.translation import gettext

    text = text.strip()
    compounds = Place.objects.filter(kind=PlaceKind.COMPOUND)
    found = compounds.filter(uid=text).first()
    if found is not None:
        return found
    named = list(compounds.filter(name=text).order_by("path")[:10])
    if len(named) == 1:
        return named[0]
    if not named:
        raise NotFoundError(gettext("找不到名为或编号为“%(text)s”的小区。") % {"text": text})
    raise NotFoundError(
        gettext("有 %(count)d 个小区叫“%(text)s”，请改用编号：%(uids)s。")
        % {"count": len(named), "text": text, "uids": "、".join(p.uid for p in named)},
        code="ambiguous_compound",
    )


def place_children_figures(place: Place) -> dict[str, dict[str, object]]:
    """For each child of `place` (by path): the homes under it and their total area.

    One grouped query on the path prefix, so a list of children shows its figures without a
    query per child.
    """
    from django.db.models.functions import Substr

    width = len(place.path) + SEGMENT
    rows = (
        place_subtree(place, kind=PlaceKind.HOME)
        .annotate(child=Substr("path", 1, width))
        .values("child")
        .annotate(n=Count("id"), area=Sum("area"))
        .order_by()
    )
    return {row["child"]: {"homes": row["n"], "area": row["area"] or 0} for row in rows}
