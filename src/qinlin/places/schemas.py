"""API shapes of places. Ids are the public `uid`, never the database key."""

from __future__ import annotations

from decimal import Decimal

from ninja import Schema

from qinlin.places.models import Place


class PlaceOut(Schema):
    uid: str
    kind: str
    name: str
    parent: str | None
    path: str

    @staticmethod
    def resolve_parent(obj: object) -> str | None:
        parent = getattr(obj, "parent", None)
        return getattr(parent, "uid", None)


class PlaceRef(Schema):
    uid: str
    kind: str
    name: str


class PlaceDetailOut(PlaceOut):
    ancestors: list[PlaceRef]
    figures: dict[str, int]
    area: Decimal | None = None


class HomeOut(Schema):
    uid: str
    name: str
    building: str
    unit: str
    area: Decimal
    register_no: str
    owner_key: str
    developer_unsold: bool

    @staticmethod
    def resolve_building(obj: Place) -> str:
        return obj.parent.parent.name  # type: ignore[union-attr]

    @staticmethod
    def resolve_unit(obj: Place) -> str:
        return obj.parent.name  # type: ignore[union-attr]


class ErrorOut(Schema):
    code: str
    message: str
    field: str = ""
