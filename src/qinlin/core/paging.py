"""A long list's page read in two steps, for the pages' paginator and the API's.

Asked in one query, the database sorts every row of the list with its joins to return a page
of them: PostgreSQL sorted the 37,000 appeals of a community at 1,000,000 homes to show 100
(67 ms), and SQLite the 1,500 new appeals of a community to show 50. The keys of the page
alone come from an index; then the page's rows are read by key, with their joins (15 ms in
all for the 37,000). A list of a page or two stays one query.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# Lists this long or shorter are sorted with their joins in one query: cheap enough. At 616
# (the notices under a subdistrict at 1,000,000 homes) the one query joined them all before
# sorting them, 23 ms against 4 + 1 ms in two steps (bench/RESULTS.md, fix 15).
ONE_QUERY_UP_TO = 200


def page_rows(queryset: QuerySet[Any], start: int, stop: int, count: int) -> Any:
    """Rows `start` to `stop` of `queryset` (of `count` rows), in its order."""
    if count <= ONE_QUERY_UP_TO:
        return queryset[start:stop]
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
    return [rows[key] for key in keys if key in rows]


class KeyedPaginator(Paginator):  # type: ignore[type-arg]
    """Django's paginator over a queryset, each page read by `page_rows`."""

    def __init__(self, queryset: QuerySet[Any], per_page: int) -> None:
        super().__init__(queryset, per_page)
        self.queryset = queryset

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count
        return Page(page_rows(self.queryset, start, stop, self.count), number, self)
