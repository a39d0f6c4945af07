"""What the load bench requests: found in the database before the runs, never hard-coded.

`find_targets()` reads the demo logins' places, the open vote with the most ballots, its topic,
the newest public notice and the year of the dashboard; `ballot_homes()` hands the door-to-door
scenario homes that have not voted yet, opening a fresh vote through the services when the open
one has run out of them. Django must be set up (bench/load.py does it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from typing import Any

SCENARIO_ORDER = [
    "resident start page",
    "my appeals",
    "file an appeal",
    "staff inbox",
    "topic board",
    "topic page",
    "vote tally page",
    "public notice",
    "dashboard",
    "API appeals",
    "API topics",
    "API places",
    "API notices",
    "API people",
    # Last: preparing its homes may close the open vote and open a fresh one.
    "door-to-door ballot",
]
# The dashboard has its own target (issue 13 item 3): under 1 s instead of 100 ms.
SLOW_PAGES = {"dashboard"}
# Appeals in residents' words; a counter is appended so that no two are the same.
APPEAL_TEXTS = [
    "楼道里的声控灯坏了，晚上下楼看不清台阶，老人容易摔倒。",
    "单元门的闭门器坏了，门总是关不上，外人随便进出。",
    "小区东门的垃圾桶满了没人清，夏天味道很大。",
    "地下车库入口积水，下雨天车开不进去。",
    "楼上空调外机滴水，正好滴在我家阳台上。",
]


@dataclass
class Scenario:
    name: str
    kind: str  # "page", "appeal" or "ballot"
    path: str
    login: str | None
    marker: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "path": self.path,
            "login": self.login,
            "marker": self.marker,
            **self.extra,
        }


@dataclass
class Targets:
    password: str
    scenarios: dict[str, Scenario]
    facts: list[str]


def _api(name: str, path: str, login: str) -> Scenario:
    # django-ninja's LimitOffsetPagination answers {"items": [...], "count": n}.
    return Scenario(name, "page", path, login, '"count":')


def _dashboard_year() -> int:
    """The year with the most appeals: the dashboard over a full year of work."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear
    from django.utils import timezone

    from qinlin.appeals.models import Appeal

    busiest = (
        Appeal.objects.annotate(year=ExtractYear("created_at"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return int(busiest["year"]) if busiest else timezone.localdate().year


def _open_votes(recorder_phone: str) -> list[Any]:
    """The open votes whose ballots the login may record (and whose topic it may read)."""
    from django.utils import timezone

    from qinlin.core.permissions import can
    from qinlin.people.models import Person
    from qinlin.votes.models import Vote

    recorder = Person.objects.get(phone=recorder_phone)
    now = timezone.now()
    votes = Vote.objects.filter(
        closed_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    ).select_related("scope", "topic__place")
    return [v for v in votes if can(recorder, "votes.record", v.scope)]


def find_targets() -> Targets:

    from qinlin.appeals.selectors import categories_active
    from qinlin.core.roles import Role
    from qinlin.demo.data import demo_logins
    from qinlin.disclosure.selectors import notices_public_under
    from qinlin.people.models import Person
    from qinlin.people.selectors import person_confirmed_homes
    from qinlin.places.models import SEGMENT, Place, PlaceKind
    from qinlin.votes.models import Ballot

    logins = {login.role: login for login in demo_logins()}
    resident = Person.objects.get(phone=logins[Role.RESIDENT].phone)
    staff = logins[Role.COMMUNITY_STAFF].phone
    admin = logins[Role.SUBDISTRICT_ADMIN].phone
    home = person_confirmed_homes(resident).first()
    if home is None:
        raise SystemExit(f"the resident {resident.phone} has no confirmed home")
    compound = Place.objects.get(path=home.path[: 3 * SEGMENT], kind=PlaceKind.COMPOUND)
    subdistrict = Place.objects.get(path=home.path[:SEGMENT])
    vote = max(
        _open_votes(staff), key=lambda v: Ballot.objects.filter(vote=v).count(), default=None
    )
    if vote is None:
        raise SystemExit(f"no owners' vote that {staff} may record is open: the tally needs one")
    topic = vote.topic
    notice = notices_public_under(subdistrict).first()
    if notice is None:
        raise SystemExit(f"no public notice under {subdistrict.name}")
    category = categories_active().first()
    if category is None:
        raise SystemExit("no appeal category is active")
    year = _dashboard_year()
    scenarios = [
        Scenario(
            "resident start page",
            "page",
            "/me/",
            resident.phone,
            f"{escape(resident.name)}，您好</h1>",
        ),
        Scenario("my appeals", "page", "/appeals/mine/", resident.phone, "<h1>我的诉求</h1>"),
        Scenario(
            "file an appeal",
            "appeal",
            "/appeals/new/",
            resident.phone,
            "/appeals/",
            {
                "form": "/appeals/new/",
                "place": home.uid,
                "category": str(category.pk),
                "texts": APPEAL_TEXTS,
            },
        ),
        Scenario("staff inbox", "page", "/appeals/inbox/", staff, "<h1>诉求收件箱</h1>"),
        Scenario("topic board", "page", "/topics/", staff, "<h1>议题看板</h1>"),
        Scenario(
            "topic page", "page", f"/topics/{topic.uid}/", staff, f"<h1>{escape(topic.title)}</h1>"
        ),
        Scenario(
            "vote tally page",
            "page",
            f"/votes/{vote.uid}/",
            staff,
            f"<h1>业主表决：{escape(topic.title)}</h1>",
        ),
        Scenario("public notice", "page", f"/n/{notice.uid}/", None, f"<h1>{escape(notice.title)}"),
        Scenario(
            "dashboard",
            "page",
            f"/stats/{subdistrict.uid}/?from={year}-01-01&to={year}-12-31",
            admin,
            f"<h1>数据看板 · {escape(subdistrict.name)}</h1>",
        ),
        _api("API appeals", "/api/v1/appeals", staff),
        _api("API topics", "/api/v1/topics", staff),
        _api("API places", "/api/v1/places", staff),
        _api("API notices", f"/api/v1/disclosure/notices?place={subdistrict.uid}", staff),
        _api("API people", f"/api/v1/people?place={compound.uid}", staff),
        # The vote and its homes are filled in before each run (ballot_homes).
        Scenario("door-to-door ballot", "ballot", "", staff, "#home-"),
    ]
    facts = [
        f"resident {resident.phone} at {home.address}; staff {staff}; admin {admin}",
        f"vote {vote.uid} over {vote.scope.address} "
        f"({Ballot.objects.filter(vote=vote).count()} ballots); topic {topic.uid} {topic.title}",
        f"notice {notice.uid} {notice.title}; dashboard {subdistrict.name} {year}",
    ]
    return Targets(
        password=logins[Role.RESIDENT].password,
        scenarios={s.name: s for s in scenarios},
        facts=facts,
    )


def _unvoted(vote: Any, need: int) -> list[str]:
    from qinlin.votes.models import Ballot
    from qinlin.votes.selectors import scope_homes

    voted = Ballot.objects.filter(vote=vote).values("home_id")
    return list(scope_homes(vote.scope).exclude(pk__in=voted).values_list("uid", flat=True)[:need])


def ballot_homes(recorder_phone: str, need: int) -> tuple[str, list[str], list[str], str]:
    """(vote uid, homes not yet voted, option letters, what was done) for a door-to-door run.

    The open vote with the most homes left is used. When fewer than `need` are left and a
    vote over its topic's whole compound would give at least twice as many, the vote is
    closed (`vote_close`, storing its tally) and a fresh one opened over the compound
    (`vote_open`, same options, items, secrecy and deadline), so that the run records ballots
    of homes that have not voted.
    """
    from django.utils import timezone

    from qinlin.people.models import Person
    from qinlin.places.models import Place, PlaceKind
    from qinlin.votes.selectors import scope_homes, vote_letters
    from qinlin.votes.services import COMPOUND_DEPTH, vote_close, vote_open

    recorder = Person.objects.get(phone=recorder_phone)
    now = timezone.now()
    votes = _open_votes(recorder_phone)
    if not votes:
        raise SystemExit("no owners' vote is open for the door-to-door run")
    left = {v.pk: len(_unvoted(v, need)) for v in votes}
    vote = max(votes, key=lambda v: left[v.pk])
    done = f"{left[vote.pk]} homes left in vote {vote.uid} ({vote.scope.address})"
    compound = Place.objects.get(
        path=vote.topic.place.path[:COMPOUND_DEPTH], kind=PlaceKind.COMPOUND
    )
    # Fresh when a fresh vote would give at least twice the homes left (not on every run).
    fresh = min(need, scope_homes(compound).count())
    if left[vote.pk] < need and fresh >= 2 * left[vote.pk]:
        items = {c.option: c.item for c in vote.choices.select_related("option")}
        vote_close(actor=recorder, vote=vote)
        vote = vote_open(
            actor=recorder,
            topic=vote.topic,
            items=items,
            scope=compound,
            closes_at=max(vote.closes_at, now + timedelta(days=1)),
            secret=vote.secret,
            changeable=vote.changeable,
        )
        done += f"; closed it and opened vote {vote.uid} over {compound.address}"
    homes = _unvoted(vote, need)
    return vote.uid, homes, vote_letters(vote), done + f"; {len(homes)} homes for this run"
