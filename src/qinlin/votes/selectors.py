"""Reads about votes: the homes of a scope as the engine counts them, progress, the tally."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import F, IntegerField, QuerySet, TextField
from django.db.models.functions import Cast, Round

from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.votes.models import Ballot, SupersededBallot, Vote
from qinlin.votes.rules import Ballot as RuleBallot
from qinlin.votes.rules import Home, OptionResult, OwnersRule, owners_tally, rule_for_item

BUILDING_DEPTH = 4 * SEGMENT


def scope_homes(scope: Place) -> QuerySet[Place]:
    return Place.objects.filter(scope.subtree_q(), kind=PlaceKind.HOME).order_by("path")


def vote_letters(vote: Vote) -> list[str]:
    return sorted(vote.choices.values_list("option__letter", flat=True))


def vote_rules(vote: Vote) -> dict[str, OwnersRule]:
    """Each option's rule, by the Art. 278 item it concerns."""
    return {
        letter: rule_for_item(item)
        for letter, item in vote.choices.values_list("option__letter", "item")
    }


def _raw(rows: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query straight from the cursor: these columns are plain
    integers and text, and Django's per-row converters would cost more than the read."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched: list[tuple[Any, ...]] = cursor.fetchall()
    return fetched


def tally_inputs(vote: Vote) -> tuple[list[Home], list[RuleBallot]]:
    """The scope's homes and the vote's ballots as the engine takes them.

    Read for speed (a vote may cover 100,000 homes): areas come as whole hundredths of a m²
    from the database (the register keeps two decimals), and the ballots' JSON is decoded in
    one call instead of one per row.
    """
    cents = Cast(Round(F("area") * 100), IntegerField())
    unsold = Cast("developer_unsold", IntegerField())
    rows = scope_homes(vote.scope).annotate(cents=cents, unsold=unsold)
    # Floor plans repeat: one Fraction per distinct area rather than one per home.
    areas: dict[int, Fraction] = {}
    homes = [
        Home(
            str(home_id),
            areas.get(hundredths) or areas.setdefault(hundredths, Fraction(hundredths or 0, 100)),
            owner_key or "",
            bool(flag),
        )
        for home_id, hundredths, owner_key, flag in _raw(
            rows.values_list("id", "cents", "owner_key", "unsold")
        )
    ]
    pairs = _raw(
        Ballot.objects.filter(vote=vote).values_list(
            "home_id", Cast("choices", output_field=TextField())
        )
    )
    choices = json.loads("[" + ",".join(text for _home_id, text in pairs) + "]")
    ballots = [
        RuleBallot(str(home_id), picked)
        for (home_id, _text), picked in zip(pairs, choices, strict=True)
    ]
    return homes, ballots


def vote_tally(vote: Vote) -> dict[str, OptionResult]:
    """The tally of the ballots now in the vote, by the rule of its Art. 278 item."""
    homes, ballots = tally_inputs(vote)
    return owners_tally(vote_rules(vote), homes, ballots, vote_letters(vote))


@dataclass(frozen=True)
class BuildingProgress:
    name: str
    homes: int
    voted: int
    area: Decimal
    voted_area: Decimal

    @property
    def share(self) -> int:
        return round(100 * self.voted / self.homes) if self.homes else 0


def vote_progress(vote: Vote) -> list[BuildingProgress]:
    """Homes and area that have voted, per building of the scope (two queries)."""
    voted = set(Ballot.objects.filter(vote=vote).values_list("home_id", flat=True))
    names = dict(
        Place.objects.filter(vote.scope.subtree_q(), kind=PlaceKind.BUILDING).values_list(
            "path", "name"
        )
    )
    if vote.scope.kind == PlaceKind.BUILDING or not names:
        names.setdefault(vote.scope.path[:BUILDING_DEPTH], vote.scope.address)
    sums: dict[str, list[int | Decimal]] = {}
    for home_id, path, area in scope_homes(vote.scope).values_list("id", "path", "area"):
        row = sums.setdefault(path[:BUILDING_DEPTH], [0, 0, Decimal(0), Decimal(0)])
        row[0] += 1
        row[2] += area or 0
        if home_id in voted:
            row[1] += 1
            row[3] += area or 0
    return [
        BuildingProgress(
            names.get(path, vote.scope.address), int(r[0]), int(r[1]), Decimal(r[2]), Decimal(r[3])
        )
        for path, r in sorted(sums.items())
    ]


def vote_get(uid: str) -> Vote | None:
    return (
        Vote.objects.filter(uid=uid)
        .select_related("topic__place", "topic__category", "scope__parent__parent__parent")
        .first()
    )


def topic_votes(topic_id: int) -> list[Vote]:
    return list(
        Vote.objects.filter(topic_id=topic_id).select_related("scope").order_by("-opens_at")
    )


def latest_closed_result(topic_id: int) -> dict[str, dict[str, object]] | None:
    """The stored tally of the topic's last closed vote, by option letter; None if none."""
    vote = (
        Vote.objects.filter(topic_id=topic_id, closed_at__isnull=False)
        .order_by("-closed_at")
        .first()
    )
    return vote.result if vote is not None else None


def scope_choices(place: Place) -> list[Place]:
    """The grids a vote on a topic at `place` may cover: its compound down to the place."""
    depth = 3 * SEGMENT
    paths = [place.path[:end] for end in range(depth, len(place.path) + 1, SEGMENT)]
    return list(
        Place.objects.filter(
            path__in=paths, kind__in=(PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)
        )
        .select_related("parent__parent")
        .order_by("path")
    )


@dataclass(frozen=True)
class DoorRow:
    home: Place
    ballot: Ballot | None


def door_rows(vote: Vote, unit: Place) -> list[DoorRow]:
    """The homes of one unit with their ballot, for the door-to-door page (two queries)."""
    homes = list(scope_homes(unit))
    ballots = {
        b.home_id: b
        for b in Ballot.objects.filter(vote=vote, home__in=homes).select_related("entered_by")
    }
    return [DoorRow(h, ballots.get(h.pk)) for h in homes]


def scope_units(vote: Vote) -> list[Place]:
    units = Place.objects.filter(vote.scope.subtree_q(), kind=PlaceKind.UNIT)
    return list(units.select_related("parent").order_by("path"))


def ballot_by_receipt(code: str) -> tuple[str, Ballot | SupersededBallot] | None:
    """("counted", ballot) or ("replaced", the kept ballot) for a receipt code."""
    code = code.strip().lower()
    ballot = Ballot.objects.filter(receipt=code).select_related("vote__topic").first()
    if ballot is not None:
        return "counted", ballot
    old = SupersededBallot.objects.filter(receipt=code).select_related("vote__topic").first()
    return ("replaced", old) if old is not None else None


def published_ballots(vote: Vote) -> QuerySet[Ballot, tuple[str, Decimal | None, dict[str, str]]]:
    """(receipt, area, choices) of every counted ballot, for anyone to recount; no homes."""
    return (
        Ballot.objects.filter(vote=vote)
        .order_by("receipt")
        .values_list("receipt", "home__area", "choices")
    )


def _alias(vote: Vote, kind: str, value: object) -> str:
    """A stable pseudonym within one vote: recountable, but never a real home or owner."""
    digest = hashlib.sha256(f"{vote.uid}:{kind}:{value}".encode()).hexdigest()
    return digest[:12]


def vote_as_tally_file(vote: Vote) -> dict[str, object]:
    """The vote in the file format of `qinlin tally`, so anyone can recount what the page
    shows. Owners are always pseudonyms; homes too when the vote was secret."""
    rows = scope_homes(vote.scope).values_list(
        "id", "path", "area", "owner_key", "developer_unsold"
    )
    names = {} if vote.secret else dict(scope_homes(vote.scope).values_list("id", "name"))
    ids: dict[int, str] = {}
    homes: list[dict[str, object]] = []
    for home_id, path, area, owner_key, unsold in rows:
        ids[home_id] = _alias(vote, "home", home_id) if vote.secret else f"{path}:{names[home_id]}"
        homes.append(
            {
                "id": ids[home_id],
                "area": str(area),
                "owner": _alias(vote, "owner", owner_key) if owner_key else "",
                "developer_unsold": unsold,
            }
        )
    ballots = [
        {"home": ids[home_id], "choices": choices}
        for home_id, choices in Ballot.objects.filter(vote=vote)
        .order_by("home__path")
        .values_list("home_id", "choices")
    ]
    return {
        "rule": {letter: str(rule) for letter, rule in vote_rules(vote).items()},
        "options": vote_letters(vote),
        "homes": homes,
        "ballots": ballots,
    }
