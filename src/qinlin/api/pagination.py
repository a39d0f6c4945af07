"""The one pagination of the API's lists: django-ninja's limit and offset, bounded, so that a
caller's limit of 10**30 is refused as bad input (422) instead of overflowing the database's
integers (a 500)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10**9


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
