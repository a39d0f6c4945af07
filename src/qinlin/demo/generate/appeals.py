"""Appeals over the years from every channel, with the timeline rows the services write:
"new" when it is entered, then the decision (resolved on the spot, referred, rejected, or
accepted into a topic). Those of the last fortnight are mostly still waiting in the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Channel
from qinlin.demo import history_texts as texts
from qinlin.demo.generate.city import City
from qinlin.demo.generate.places import Compound, Home

APPEAL_FIELDS = [
    "id",
    "uid",
    "text",
    "category",
    "place",
    "place_path",
    "household",
    "reporter",
    "reporter_name",
    "reporter_phone",
    "channel",
    "status",
    "topic",
    "referred_to",
    "decision_note",
    "entered_by",
    "created_at",
]
EVENT_FIELDS = ["appeal", "at", "actor", "status", "note"]
OFFLINE = [c for c in Channel.values if c not in (Channel.ONLINE, Channel.SURVEY)]
WAITING_DAYS = 14


@dataclass
class Filed:
    """Who raised an appeal, where and how."""

    place: int
    place_path: str
    household: int | None
    reporter: int | None
    reporter_name: str
    channel: str
    entered_by: int


def filed(city: City, compound: Compound, place: int | None = None) -> Filed:
    """A resident of the compound raises it: online from their home, or through the grid
    worker from a meeting, a chat group, a visit, a call or the hotline."""
    rng = city.rng
    reporter = rng.choice(compound.residents)
    home = compound.home_of[reporter]
    if rng.random() < 0.35:
        at = place or home.id
        return Filed(at, _path(compound, home, at), home.id, reporter, "", Channel.ONLINE, reporter)
    at = place or rng.choice([home.id, home.unit, home.building, compound.id])
    return Filed(
        at,
        _path(compound, home, at),
        home.id,
        None,
        compound.names[reporter],
        rng.choice(OFFLINE),
        compound.holder("grid_worker"),
    )


def _path(compound: Compound, home: Home, place: int) -> str:
    return home.path if place == home.id else compound.path_of(place)


def write_appeal(
    city: City,
    who: Filed,
    *,
    text: str,
    category: int,
    created: datetime,
    status: str = AppealStatus.NEW,
    decided: datetime | None = None,
    decided_by: int | None = None,
    topic: int | None = None,
    referred_to: str = "",
    note: str = "",
) -> int:
    pk = city.new_id(Appeal)
    city.add(
        Appeal,
        pk,
        city.uid(),
        text,
        category,
        who.place,
        who.place_path,
        who.household,
        who.reporter,
        who.reporter_name,
        "",
        who.channel,
        status,
        topic,
        referred_to,
        note,
        who.entered_by,
        created,
    )
    city.add(AppealEvent, pk, created, who.entered_by, AppealStatus.NEW, "")
    if status != AppealStatus.NEW:
        city.add(AppealEvent, pk, decided, decided_by, status, note)
    return pk


def loose_appeals(city: City, compound: Compound, count: int, categories: dict[str, int]) -> None:
    """Appeals settled without a topic, spread over the years."""
    rng = city.rng
    worker = compound.holder("grid_worker")
    for _n in range(count):
        status, code, line, note = rng.choice(texts.LOOSE_APPEALS)
        who = filed(city, compound)
        day = city.day()
        created = city.when(day)
        if created > city.now:
            created = city.now - timedelta(hours=rng.randint(1, 8))
        waiting = (city.until - day).days < WAITING_DAYS and rng.random() < 0.7
        if waiting:
            status = AppealStatus.NEW
        label = compound.label_of(who.place)
        text = f"{label}：{line}" if label else line
        decided = min(created + timedelta(hours=rng.randint(1, 72)), city.now)
        referred = status == AppealStatus.REFERRED
        write_appeal(
            city,
            who,
            text=text,
            category=categories[code],
            created=created,
            status=status,
            decided=decided,
            decided_by=worker,
            referred_to=note if referred else "",
            note="" if waiting else (f"已转交{note}办理。" if referred else note),
        )
