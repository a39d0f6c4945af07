"""Writes about topics. The full lifecycle comes with the topics issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import DomainError
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic

if TYPE_CHECKING:
    from qinlin.appeals.models import Category
    from qinlin.people.models import Person

GRID_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)


def topic_create(
    *, actor: Person, title: str, description: str, category: Category, place: Place
) -> Topic:
    """A new topic in the first stage (待受理), at a grid: a compound, building or unit.

    The caller checks the permission (appeals.triage today; topics add their own later).
    """
    title = title.strip()
    if not title:
        raise DomainError(_("请填写议题标题。"), code="title_required", field="title")
    if place.kind not in GRID_KINDS:
        raise DomainError(
            _("议题必须属于一个网格：小区、楼栋或单元。"), code="bad_place", field="place"
        )
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title[:120],
            description=description.strip(),
            category=category,
            place=place,
            created_by=actor,
        )
        audit_record(
            actor=actor, verb="topics.topic.created", obj=topic, data={"title": topic.title}
        )
    return topic
