"""The one pagination of the API's lists: django-ninja's limit and offset, bounded, so that a
caller's limit of 10**30 is refused as bad input (422) instead of overflowing the database's
integers (a 500)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from qinlin.core.paging import page_rows

MAX_LIMIT = 500
MAX_OFFSET = 10**9


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        """A long list's page in two steps (core/paging.py)."""
        count = self._items_count(queryset)
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        items = page_rows(queryset, offset, offset + limit, count)
        return {self.items_attribute: items, "count": count}
