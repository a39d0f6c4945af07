"""Activities built through the services, for the organisation tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qinlin.organisations.activities import activity_create
from qinlin.organisations.models import Activity, ActivityKind
from qinlin.people.models import Person
from qinlin.places.models import Place


def clinic(actor: Person, place: Place, capacity: int = 2, **extra: object) -> Activity:
    starts = timezone.now() + timedelta(days=3)
    values: dict[str, object] = {
        "title": "口腔义诊",
        "kind": ActivityKind.CLINIC,
        "organiser": "北苑社区党委",
        "location": "上河园党群服务站",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "capacity": capacity,
        "description": "潍坊口腔医院医生免费检查牙齿。",
        **extra,
    }
    return activity_create(actor=actor, place=place, **values)  # type: ignore[arg-type]


def volunteering(actor: Person, place: Place) -> Activity:
    return clinic(
        actor,
        place,
        capacity=10,
        title="书法进小区志愿服务",
        kind=ActivityKind.VOLUNTEERING,
        volunteer_hours=Decimal("2.5"),
    )
