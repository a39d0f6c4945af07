"""Activities of compounds and communities through the years, with registrations and
attendance; the latest are still open for registration."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from qinlin.demo import history_texts as texts
from qinlin.demo.generate.city import City
from qinlin.demo.generate.places import Community, Compound
from qinlin.organisations.models import Activity, Registration, RegistrationStatus

ACTIVITY_FIELDS = [
    "id",
    "uid",
    "title",
    "kind",
    "organiser",
    "place",
    "location",
    "starts_at",
    "ends_at",
    "capacity",
    "description",
    "volunteer_hours",
    "created_by",
    "created_at",
]
REGISTRATION_FIELDS = ["activity", "person", "status", "registered_at", "attended_at", "hours"]


def activity(
    city: City,
    *,
    compound: Compound,
    community: Community,
    crowd: list[int],
    level: str,
    upcoming: bool = False,
) -> None:
    rng = city.rng
    choices = [a for a in texts.ACTIVITIES if a[6] == level]
    kind, title, organiser, location, capacity, hours, _level = rng.choice(choices)
    day = city.until + timedelta(days=rng.randint(3, 10)) if upcoming else city.day()
    starts = city.moment(day, rng.choice([9, 9, 10, 14, 15, 19]), rng.choice([0, 30]))
    created = starts - timedelta(days=rng.randint(12, 20) if upcoming else rng.randint(5, 12))
    if created > city.now:
        return
    pk = city.new_id(Activity)
    place = compound.id if level == "compound" else community.id
    city.add(
        Activity,
        pk,
        city.uid(),
        title,
        kind,
        organiser.format(c=community.name, p=compound.name)[:100],
        place,
        (location or "{p}").format(c=community.name, p=compound.name)[:120],
        starts,
        starts + timedelta(hours=rng.choice([1, 2, 2, 3])),
        capacity,
        f"{title}，欢迎居民报名参加。",
        Decimal(hours) if hours else None,
        community.staff[0],
        created,
    )
    over = starts < city.now
    came = (
        rng.randint(capacity // 3, capacity) if over else rng.randint(capacity // 4, capacity // 2)
    )
    for person in rng.sample(crowd, min(came, len(crowd))):
        registered = starts - timedelta(hours=rng.randint(3, 96))
        if registered > city.now:
            registered = min(created + timedelta(hours=rng.randint(1, 48)), city.now)
        attended = over and rng.random() < 0.88
        city.add(
            Registration,
            pk,
            person,
            RegistrationStatus.REGISTERED,
            registered,
            starts + timedelta(minutes=rng.randint(-10, 20)) if attended else None,
            Decimal(hours) if hours and attended else Decimal("0"),
        )
