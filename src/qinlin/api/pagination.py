"""The one pagination of the API's lists: django-ninja's limit and offset, bounded, so that a
caller's limit of 10**30 is refused as bad input (422) instead of overflowing the database's
integers (a 500)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10**9
# Lists this long or shorter are sorted with their joins in one query: cheap enough. At 616
# (the notices under a subdistrict at 1,000,000 homes) the one query joined them all before
# sorting them, 23 ms against 4 + 1 ms in two steps (bench/RESULTS.md, fix 15).
ONE_QUERY_UP_TO = 200


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        """A long list's page in two steps: the keys of its rows in the list's order, then
        those rows with everything joined. Asked in one query, PostgreSQL sorted every row of
        the list with its joins to return 100 (the 37,000 appeals of a community at 1,000,000
        homes: 67 ms); the keys alone come from an index (15 ms in all). A list of a page or
        two is one query, as django-ninja asks it."""
        count = self._items_count(queryset)
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        if count <= ONE_QUERY_UP_TO or not isinstance(queryset, QuerySet):
            return {self.items_attribute: queryset[offset : offset + limit], "count": count}
        keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
        return {self.items_attribute: [rows[key] for key in keys if key in rows], "count": count}
