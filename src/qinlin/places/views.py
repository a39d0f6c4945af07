"""The public page of a place, and the staff pages that import and export a compound's register."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from qinlin.core.errors import DomainError
from qinlin.core.permissions import can
from qinlin.organisations.partner_selectors import partners_of
from qinlin.organisations.team import compound_team, team_full_names
from qinlin.people.models import Person
from qinlin.places.exporting import CONTENT_TYPES, places_export_homes
from qinlin.places.forms import RegisterImportForm
from qinlin.places.importing import (
    COLUMNS,
    ImportRejected,
    places_import_homes,
    read_rows,
)
from qinlin.places.models import KIND_ORDER, Place, PlaceKind
from qinlin.places.selectors import (
    place_ancestors,
    place_children,
    place_children_figures,
    place_figures,
)

# Which counts a place's page shows, by its kind: the levels below it that people think in.
_FIGURES: dict[str, list[str]] = {
    PlaceKind.SUBDISTRICT: ["community", "compound", "building", "home"],
    PlaceKind.COMMUNITY: ["compound", "building", "unit", "home"],
    PlaceKind.COMPOUND: ["building", "unit", "home", "area"],
    PlaceKind.BUILDING: ["unit", "home", "area"],
    PlaceKind.UNIT: ["home"],
    PlaceKind.HOME: [],
}


def _person(request: HttpRequest) -> Person | None:
    user = request.user
    return user if isinstance(user, Person) else None


def _staff(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _figure_label(key: str) -> str:
    if key == "area":
        return _("总面积（㎡）")
    if key == "home":
        return _("户数")
    return str(PlaceKind(key).label)


def _child_kind(place: Place) -> str:
    index = KIND_ORDER.index(PlaceKind(place.kind))
    return str(KIND_ORDER[index + 1].label) if index + 1 < len(KIND_ORDER) else ""


@require_safe
def place_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """Anyone may see a place's name, position and figures; homes' details are for staff."""
    place = get_object_or_404(Place, uid=uid)
    person = _person(request)
    may_view_homes = can(person, "places.view_homes", place)
    figures: list[tuple[str, object]] = []
    children: list[dict[str, Any]] = []
    if place.kind != PlaceKind.HOME:
        counts = place_figures(place)
        figures = [
            (
                _figure_label(key),
                number_format(str(counts[key]), 2) if key == "area" else counts[key],
            )
            for key in _FIGURES[place.kind]
        ]
    if place.kind == PlaceKind.UNIT:
        if may_view_homes:
            children = [{"place": home} for home in place_children(place)]
    elif place.kind != PlaceKind.HOME:
        below = place_children_figures(place)
        children = [
            {"place": child, **below.get(child.path, {"homes": 0, "area": 0})}
            for child in place_children(place)
        ]
    is_compound = place.kind == PlaceKind.COMPOUND
    # The compound's 1+2+N team and the partner units of its community.
    team = compound_team(place) if is_compound else None
    partners = partners_of([place.parent]) if is_compound and place.parent else []
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "ancestors": place_ancestors(place),
            "figures": figures,
            "children": children,
            "child_kind": _child_kind(place),
            "may_view_homes": may_view_homes,
            "can_import": is_compound and can(person, "places.import", place),
            "can_export": is_compound and can(person, "places.export", place),
            "team": team,
            "full_names": team is not None and team_full_names(person, place),
            "partners": partners,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def place_import(request: HttpRequest, uid: str) -> HttpResponse:
    """Upload a compound's register; a rejected file lists every row to fix."""
    place = get_object_or_404(Place, uid=uid)
    person = _staff(request)
    if not can(person, "places.import", place):
        raise PermissionDenied
    context: dict[str, Any] = {
        "place": place,
        "ancestors": place_ancestors(place),
        "columns": COLUMNS,
        "is_compound": place.kind == PlaceKind.COMPOUND,
        "can_export": can(person, "places.export", place),
    }
    if not context["is_compound"]:
        return render(request, "places/place_import.html", context)
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            sheet = read_rows(upload.read(), upload.name or "")
            report = places_import_homes(actor=person, compound=place, rows=sheet, dry_run=dry_run)
        except ImportRejected as exc:
            context["rejected"] = exc
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            context["report"] = report
            if dry_run:
                messages.info(request, _("文件检查通过，尚未导入。取消“只检查”后再提交即可导入。"))
            else:
                messages.success(request, _("房屋名册已导入。"))
    return render(request, "places/place_import.html", context)


@never_cache
@require_safe
@login_required
def place_export(request: HttpRequest, uid: str, fmt: str) -> HttpResponse:
    """Download a compound's register; it carries phone numbers, so it is audited."""
    place = get_object_or_404(Place, uid=uid)
    person = _staff(request)
    if not can(person, "places.export", place):
        raise PermissionDenied
    if place.kind != PlaceKind.COMPOUND:
        raise Http404(_("只能导出小区的房屋名册。"))
    data = places_export_homes(place, fmt, actor=person)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    filename = _("%(name)s房屋名册-%(date)s.%(fmt)s") % {
        "name": place.name,
        "date": timezone.localdate().strftime("%Y%m%d"),
        "fmt": fmt,
    }
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    assert disposition is not None  # always set for an attachment
    response["Content-Disposition"] = disposition
    return response
