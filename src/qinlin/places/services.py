"""Writes to the place tree."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import DomainError
from qinlin.places.models import PARENT_KIND, SEGMENT, Place, PlaceKind, segment, segment_number

if TYPE_CHECKING:
    from qinlin.people.models import Person


def next_child_number(parent: Place | None) -> int:
    """The next free sibling number under `parent` (the caller holds the parent's lock)."""
    if parent is None:
        last = (
            Place.objects.filter(parent__isnull=True)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return 0 if last is None else segment_number(last[-SEGMENT:]) + 1
    last = parent.children.order_by("-path").values_list("path", flat=True).first()
    return 0 if last is None else segment_number(last[-SEGMENT:]) + 1


def child_path(parent: Place | None, number: int) -> str:
    return (parent.path if parent is not None else "") + segment(number)


def place_create(
    *,
    actor: Person | None,
    kind: str,
    name: str,
    parent: Place | None = None,
    area: Decimal | None = None,
    register_no: str = "",
    owner_key: str = "",
    developer_unsold: bool = False,
) -> Place:
    """Add a place under `parent`; the kind must be the level right below the parent's."""
    expected_parent = PARENT_KIND[kind]
    if (parent.kind if parent else None) != expected_parent:
        raise DomainError(
            _("%(kind)s 只能建在%(parent)s之下。")
            % {
                "kind": PlaceKind(kind).label,
                "parent": PlaceKind(expected_parent).label if expected_parent else _("最上层"),
            },
            code="bad_parent",
        )
    name = name.strip()
    if not name:
        raise DomainError(_("请填写名称。"), code="name_required", field="name")
    if kind == PlaceKind.HOME:
        if area is None or area <= 0:
            raise DomainError(_("房屋面积必须大于 0。"), code="bad_area", field="area")
    elif area is not None:
        raise DomainError(_("只有房屋才有面积。"), code="bad_area", field="area")
    with transaction.atomic():
        if parent is not None:
            parent = Place.objects.select_for_update().get(pk=parent.pk)
            if parent.children.filter(name=name).exists():
                raise DomainError(
                    _("“%(parent)s”下已有“%(name)s”。") % {"parent": parent.name, "name": name},
                    code="duplicate_name",
                    field="name",
                )
        place = Place(
            kind=kind,
            parent=parent,
            name=name,
            path=child_path(parent, next_child_number(parent)),
            area=area,
            register_no=register_no,
            owner_key=owner_key,
            developer_unsold=developer_unsold,
        )
        place.save()
        audit_record(
            actor=actor,
            verb="places.place.created",
            obj=place,
            data={"kind": kind, "name": name, "area": area},
        )
    return place
