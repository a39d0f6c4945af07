"""数据看板: the figures of a place and period, and the list behind each figure."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from qinlin.core.db import reads_from_replica
from qinlin.core.errors import DomainError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.cache import charts_cached, stats_cached
from qinlin.stats.drilldown import drill_get, drill_records, hide_text, value_label
from qinlin.stats.figures import Stats
from qinlin.stats.forms import FIRST_YEAR, PeriodForm, PlacePeriodForm, period_between
from qinlin.stats.report import CONTENT_TYPE, report_sections, report_title, report_xlsx
from qinlin.stats.selectors import Period, stats_place_get, stats_places

PER_PAGE = 50
# The year shortcuts: this year and the four before it (the demo's history starts in 2022).
SHORTCUT_YEARS = 5


def _this_year() -> Period:
    return Period.year(timezone.localdate().year)


def _period(form: PeriodForm) -> Period | None:
    """The period asked for, this calendar year when none is given; None when it is bad."""
    if not form.is_valid():
        return None
    return period_between(form.cleaned_data.get("from"), form.cleaned_data.get("to"))


def _years() -> list[Period]:
    year = timezone.localdate().year
    return [Period.year(y) for y in range(year - SHORTCUT_YEARS + 1, year + 1)]


def _refuse(
    request: HttpRequest, template: str, message: str, status: int, **context: object
) -> HttpResponse:
    return render(request, template, {"error": message, **context}, status=status)


def _place_for(person: Person, uid: str) -> tuple[Place | None, str, int]:
    """The place to show, or why not: a message and a status."""
    place = stats_place_get(uid)
    if place is None:
        return None, _("找不到这个地点，或不能为它生成数据看板。"), 404
    if not can(person, "stats.view", place):
        return None, _("您无权查看这个地点的数据。"), 403
    return place, "", 200


@login_required
@reads_from_replica()
def dashboard(request: HttpRequest, uid: str | None = None) -> HttpResponse:
    """The figures of a place (the person's widest by default) for a period (this year by
    default); every number links to its list."""
    person = current_person(request)
    places = stats_places(person)
    if not places:
        raise PermissionDenied
    context: dict[str, object] = {"years": _years(), "places": places}
    data = request.GET.copy()
    if uid is None:
        chosen = data.get("place", "").strip()
        if chosen:
            form = PlacePeriodForm(data, places=places)
            if not form.is_valid():
                message = _("统计条件有误，请按提示改正。")
                return _refuse(request, "stats/dashboard.html", message, 400, form=form, **context)
            query = {k: data[k] for k in ("from", "to") if data.get(k)}
            target = reverse("stats:dashboard-place", args=[chosen])
            return redirect(target + ("?" + urlencode(query) if query else ""))
        place: Place | None = places[0]
    else:
        place, message, status = _place_for(person, uid)
        if place is None:
            form = PlacePeriodForm(places=places)
            return _refuse(request, "stats/dashboard.html", message, status, form=form, **context)
    assert place is not None
    # The form shows what the page shows: this place, and this year unless told otherwise.
    data["place"] = place.uid
    if not data.get("from") and not data.get("to"):
        year = _this_year()
        data["from"], data["to"] = f"{year.start:%Y-%m-%d}", f"{year.end:%Y-%m-%d}"
    form = PlacePeriodForm(data, places=places)
    context.update(form=form, place=place)
    period = _period(form)
    if period is None:
        message = _("统计条件有误，请按提示改正。")
        return _refuse(request, "stats/dashboard.html", message, 400, **context)
    context["period"] = period
    context["stats"] = stats = stats_cached(place, period)
    context["charts"] = charts_cached(stats)
    return render(request, "stats/dashboard.html", context)


@login_required
@reads_from_replica()
def figure_list(request: HttpRequest, uid: str, figure: str) -> HttpResponse:
    """The records one figure counts, filtered the same way, a page at a time."""
    person = current_person(request)
    if not can(person, "stats.view"):
        raise PermissionDenied
    place, message, status = _place_for(person, uid)
    if place is None:
        return _refuse(request, "stats/list.html", message, status)
    form = PeriodForm(request.GET)
    period = _period(form)
    if period is None:
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return _refuse(request, "stats/list.html", "；".join(errors), 400, place=place)
    value = request.GET.get("value", "")
    try:
        drill = drill_get(figure)
        records = drill_records(figure, place, period, value)
    except DomainError as error:
        return _refuse(request, "stats/list.html", str(error), error.status, place=place)
    if not records.ordered:
        records = records.order_by("pk")
    reveal = not drill.private or can(person, drill.private, place)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    query = {"from": f"{period.start:%Y-%m-%d}", "to": f"{period.end:%Y-%m-%d}"}
    if value:
        query["value"] = value.strip()
    return render(
        request,
        "stats/list.html",
        {
            "place": place,
            "period": period,
            "drill": drill,
            "value": value.strip(),
            "value_label": value_label(drill, value),
            "page": page,
            "rows": [
                drill.row(record) if reveal else hide_text(drill.row(record))
                for record in page.object_list
            ],
            "query": urlencode(query),
            "back": reverse("stats:dashboard-place", args=[place.uid]) + "?" + period.query,
        },
    )


def _report_stats(request: HttpRequest, uid: str, year: int) -> Stats | HttpResponse:
    person = current_person(request)
    place, message, status = _place_for(person, uid)
    if place is None:
        return _refuse(request, "stats/report.html", message, status)
    # The same first year as the dashboard's period (forms.FIRST_YEAR).
    first, last = FIRST_YEAR, timezone.localdate().year
    if not first <= year <= last:
        message = _("年度须在 %(first)s 到 %(last)s 之间。") % {"first": first, "last": last}
        return _refuse(request, "stats/report.html", message, 404)
    return stats_cached(place, Period.year(year))


@login_required
@reads_from_replica()
def annual_report(request: HttpRequest, uid: str, year: int) -> HttpResponse:
    """The year's figures as a page that prints on A4, for the year-end summary."""
    stats = _report_stats(request, uid, year)
    if isinstance(stats, HttpResponse):
        return stats
    return render(
        request,
        "stats/report.html",
        {
            "stats": stats,
            "title": report_title(stats),
            "sections": report_sections(stats),
            "charts": charts_cached(stats),
            "back": reverse("stats:dashboard-place", args=[stats.place.uid])
            + "?"
            + stats.period.query,
        },
    )


@login_required
@reads_from_replica()
def annual_report_xlsx(request: HttpRequest, uid: str, year: int) -> HttpResponse:
    stats = _report_stats(request, uid, year)
    if isinstance(stats, HttpResponse):
        return stats
    response = HttpResponse(report_xlsx(stats), content_type=CONTENT_TYPE)
    filename = f"{report_title(stats)}.xlsx"
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    assert disposition is not None  # always set for an attachment
    response["Content-Disposition"] = disposition
    return response
