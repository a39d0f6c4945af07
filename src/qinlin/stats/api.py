"""/api/v1/stats: the dashboard's figures of a place and period as JSON."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from qinlin.core.db import reads_from_replica
from qinlin.core.errors import ForbiddenError, NotFoundError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.places.schemas import ErrorOut
from qinlin.stats.cache import stats_cached
from qinlin.stats.figures import Stats
from qinlin.stats.forms import period_between
from qinlin.stats.schemas import PeriodFilters, StatsOut
from qinlin.stats.selectors import Period, stats_place_get

router = Router(tags=["stats"])


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


def _period(filters: PeriodFilters) -> Period:
    return period_between(filters.start, filters.end)


@router.get(
    "/{place_uid}",
    response={200: StatsOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The figures of a place and period",
    description="Every figure of the dashboard for the subdistrict, community or compound and "
    "everything under it, for `from` to `to` (local days, both included; this calendar year "
    "when both are left out). Each count carries `key`, `value` and `href`: the list of the "
    "records it counts. Needs `stats.view` at the place (403 otherwise); an unknown place, or "
    "one of another kind, answers 404; a bad period answers 400.",
)
@reads_from_replica()
def get_stats(request: HttpRequest, place_uid: str, filters: Query[PeriodFilters]) -> Stats:
    person = current_person(request)
    place = stats_place_get(place_uid)
    if place is None:
        raise NotFoundError(_("找不到这个地点，或不能为它生成数据看板。"), field="place")
    if not can(person, "stats.view", place):
        raise ForbiddenError()
    return stats_cached(place, _period(filters))
