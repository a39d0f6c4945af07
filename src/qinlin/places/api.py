"""/api/v1/places: the place tree (public above the home level) and homes (staff)."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from qinlin.api.auth import OptionalTokenAuth
from qinlin.api.pagination import Pages
from qinlin.core.errors import ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.places.schemas import ErrorOut, HomeOut, PlaceDetailOut, PlaceOut, PlaceRef
from qinlin.places.selectors import homes_under, place_ancestors, place_figures, place_get

router = Router(tags=["places"])


class PlaceFilters(Schema):
    parent: str | None = None
    kind: PlaceKind | None = None
    q: str | None = None


def _person(request: HttpRequest) -> Person | None:
    user = request.user
    return user if isinstance(user, Person) else None


@router.get(
    "",
    response={200: list[PlaceOut], 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="List places above the home level",
    description="404 when `parent` names no place.",
)
@paginate(Pages)
def list_places(request: HttpRequest, filters: Query[PlaceFilters]) -> QuerySet[Place]:
    # The kinds named rather than "not a home": the count then reads the (kind, path) index
    # instead of every place of the city (0.17 s for 1,000,000 homes).
    above_homes = [kind for kind in PlaceKind.values if kind != PlaceKind.HOME]
    qs = Place.objects.filter(kind__in=above_homes).select_related("parent").order_by("path")
    if filters.parent:
        qs = qs.filter(parent=place_get(filters.parent))
    if filters.kind:
        if filters.kind == PlaceKind.HOME:
            return Place.objects.none()
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q.strip()))
    return qs


@router.get(
    "/{uid}",
    response={200: PlaceDetailOut, 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="A place with its ancestors and what lies under it",
)
def get_place(request: HttpRequest, uid: str) -> PlaceDetailOut:
    place = place_get(uid)
    if place.kind == PlaceKind.HOME and not can(_person(request), "places.view_homes", place):
        raise ForbiddenError(_("只有负责这里的工作人员才能查看房屋信息。"))
    figures = {k: v for k, v in place_figures(place).items() if k != "area" and isinstance(v, int)}
    return PlaceDetailOut(
        uid=place.uid,
        kind=place.kind,
        name=place.name,
        parent=place.parent.uid if place.parent else None,
        path=place.path,
        ancestors=[PlaceRef(uid=a.uid, kind=a.kind, name=a.name) for a in place_ancestors(place)],
        figures=figures,
        area=place.area,
    )


@router.get(
    "/{uid}/homes",
    response={200: list[HomeOut], 403: ErrorOut, 404: ErrorOut},
    summary="Homes under a place, with areas (for the staff responsible there)",
)
@paginate(Pages)
def list_homes(request: HttpRequest, uid: str) -> QuerySet[Place]:
    place = place_get(uid)
    if not can(_person(request), "places.view_homes", place):
        raise ForbiddenError(_("只有负责这里的工作人员才能查看房屋信息。"))
    return homes_under(place).select_related("parent__parent").order_by("path")
