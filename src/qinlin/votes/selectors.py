"""Reads about votes: the homes of a scope as the engine counts them, progress, the tally."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import QuerySet

from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.votes.models import Ballot, Vote
from qinlin.votes.rules import Ballot as RuleBallot
from qinlin.votes.rules import Choice, Home, OptionResult, owners_tally

BUILDING_DEPTH = 4 * SEGMENT


def scope_homes(scope: Place) -> QuerySet[Place]:
    return Place.objects.filter(scope.subtree_q(), kind=PlaceKind.HOME).order_by("path")


def _home(home_id: int, area: Decimal | None, owner_key: str, unsold: bool) -> Home:
    return Home(str(home_id), Fraction(area or 0), owner_key or "", unsold)


def vote_letters(vote: Vote) -> list[str]:
    return sorted(vote.options.values_list("letter", flat=True))


def vote_tally(vote: Vote) -> dict[str, OptionResult]:
    """The tally of the ballots now in the vote, by the rule of its Art. 278 item."""
    rows = scope_homes(vote.scope).values_list("id", "area", "owner_key", "developer_unsold")
    homes = [_home(*row) for row in rows]
    ballots = [
        RuleBallot(str(home_id), {k: Choice(v) for k, v in choices.items()})
        for home_id, choices in Ballot.objects.filter(vote=vote).values_list("home_id", "choices")
    ]
    return owners_tally(vote.rule, homes, ballots, vote_letters(vote))


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
        names.setdefault(vote.scope.path[:BUILDING_DEPTH], vote.scope.name)
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
            names.get(path, vote.scope.name), int(r[0]), int(r[1]), Decimal(r[2]), Decimal(r[3])
        )
        for path, r in sorted(sums.items())
    ]
