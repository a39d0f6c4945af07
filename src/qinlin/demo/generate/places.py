"""The city's place tree: subdistricts of ~68 compounds, communities of ~14, and compounds of
100–2,000 homes in buildings of 2–6 units, 5–33 floors and 2–4 homes a floor.

Places are written level by level as each compound is drawn; a compound's homes wait until
its owners are known, because a buyer of two homes shares an owner key with both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from qinlin.demo.data import NAME_HEADS, NAME_TAILS, PLANS
from qinlin.demo.generate.city import City
from qinlin.places.models import Place, PlaceKind, segment

# The bench compound: eight buildings of three units, twelve floors, two homes a floor (576
# homes), so that its compound-wide owners' vote has more than 500 homes.
BENCH_COMPOUND = "上河园"
BENCH_SHAPE = (8, 3, 12, 2)
# The register's range, 45–180 m², around the demo's floor plans.
AREA_PLANS = [Decimal("46.80"), *PLANS, Decimal("156.40"), Decimal("178.20")]
PLACE_FIELDS = [
    "id",
    "uid",
    "kind",
    "parent",
    "path",
    "name",
    "register_no",
    "area",
    "owner_key",
    "developer_unsold",
    "created_at",
]


@dataclass(eq=False)
class Home:
    id: int
    unit: int
    building: int
    path: str
    name: str
    area: Decimal
    owner_key: str = ""
    unsold: bool = False
    owner: int | None = None


@dataclass(eq=False)
class Unit:
    id: int
    building: int
    label: str  # "5号楼2单元"
    homes: list[Home] = field(default_factory=list)


@dataclass(eq=False)
class Subdistrict:
    id: int
    name: str
    path: str
    admin: int = 0


@dataclass(eq=False)
class Community:
    id: int
    name: str
    path: str
    sub: Subdistrict
    staff: list[int] = field(default_factory=list)
    residents: list[int] = field(default_factory=list)


@dataclass(eq=False)
class Compound:
    id: int
    name: str
    path: str
    community: Community
    buildings: list[tuple[int, str]] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    homes: list[Home] = field(default_factory=list)
    residents: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    home_of: dict[int, Home] = field(default_factory=dict)  # person → their first home
    roles: dict[str, list[int]] = field(default_factory=dict)
    building_heads: dict[int, int] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)  # the compound, its buildings, units

    def path_of(self, place: int) -> str:
        """The path of the compound, one of its buildings or units, or one of its homes."""
        found = self.paths.get(place)
        if found is not None:
            return found
        return next(h.path for h in self.homes if h.id == place)

    def holder(self, role: str) -> int:
        return (self.roles.get(role) or self.community.staff)[0]

    def homes_in(self, place: int) -> list[Home]:
        """The homes of this compound, or of one of its buildings or units."""
        if place == self.id:
            return self.homes
        return [h for h in self.homes if place in (h.unit, h.building)]

    def label_of(self, place: int) -> str:
        for unit in self.units:
            if unit.id == place:
                return unit.label
        for pk, name in self.buildings:
            if pk == place:
                return name
        return ""


def compound_sizes(city: City) -> list[int]:
    """Sizes of 100–2,000 homes (about 500 on average) adding up to exactly N."""
    rng, left = city.rng, city.options.homes
    sizes = [min(left, math.prod(BENCH_SHAPE))]
    left -= sizes[0]
    while left > 0:
        size = max(100, min(2000, int(rng.lognormvariate(6.0, 0.6))))
        if left - size < 100:
            size = left
        sizes.append(size)
        left -= size
    return sizes


def groups(city: City, count: int, low: int, high: int) -> list[int]:
    """Split `count` things into runs of `low`–`high` (the last run takes what is left)."""
    runs: list[int] = []
    while count > 0:
        run = min(count, city.rng.randint(low, high))
        runs.append(run)
        count -= run
    return runs


class Names:
    """Distinct names among siblings, drawn from the demo's vocabulary."""

    def __init__(self, city: City) -> None:
        self.rng = city.rng

    def draw(self, taken: set[str], tail: str | None = None) -> str:
        for attempt in range(1000):
            head = self.rng.choice(NAME_HEADS)
            name = head + (tail or self.rng.choice(NAME_TAILS))
            if attempt > 200:
                name = f"{head}{attempt}{tail or '小区'}"
            if name not in taken and head != "上河":
                taken.add(name)
                return name
        raise RuntimeError("no free name")


def add_place(
    city: City, kind: str, name: str, parent: int | None, path: str, **home: object
) -> int:
    pk = city.new_id(Place)
    city.add(
        Place,
        pk,
        city.uid(),
        kind,
        parent,
        path,
        name,
        home.get("register_no", ""),
        home.get("area"),
        home.get("owner_key", ""),
        home.get("unsold", False),
        city.first_day_moment,
    )
    return pk


def subdistrict(city: City, position: int, name: str) -> Subdistrict:
    path = segment(position)
    return Subdistrict(add_place(city, PlaceKind.SUBDISTRICT, name, None, path), name, path)


def community(city: City, sub: Subdistrict, position: int, name: str) -> Community:
    path = sub.path + segment(position)
    pk = add_place(city, PlaceKind.COMMUNITY, name, sub.id, path)
    return Community(pk, name, path, sub)


def compound(
    city: City, home: Community, position: int, name: str, size: int, *, bench: bool = False
) -> Compound:
    """A compound's buildings and units (written now) and its homes (written by
    `write_homes` once their owners are drawn)."""
    rng = city.rng
    path = home.path + segment(position)
    made = Compound(add_place(city, PlaceKind.COMPOUND, name, home.id, path), name, path, home)
    made.paths[made.id] = path
    style = rng.random()
    if bench:
        n_buildings, units_per, floors, per_floor = BENCH_SHAPE
    elif style < 0.4:  # the old six-storey walk-ups
        n_buildings, units_per, floors, per_floor = 0, rng.randint(2, 4), rng.randint(5, 7), 2
    elif style < 0.7:
        n_buildings, units_per, floors, per_floor = 0, rng.randint(2, 3), rng.randint(11, 18), 2
    else:
        n_buildings, units_per, floors, per_floor = 0, rng.randint(2, 6), rng.randint(18, 33), 4
        units_per = min(units_per, 3) if floors > 26 else units_per
    plans = rng.sample(AREA_PLANS, 4)
    count = 0
    number = 0
    while count < size and (not bench or number < n_buildings):
        number += 1
        b_name = f"{number}号楼"
        b_path = path + segment(number - 1)
        building = add_place(city, PlaceKind.BUILDING, b_name, made.id, b_path)
        made.buildings.append((building, b_name))
        made.paths[building] = b_path
        for u in range(units_per if bench else min(6, max(2, units_per + rng.randint(-1, 1)))):
            if count >= size:
                break
            u_path = b_path + segment(u)
            unit = Unit(
                add_place(city, PlaceKind.UNIT, f"{u + 1}单元", building, u_path),
                building,
                f"{b_name}{u + 1}单元",
            )
            made.units.append(unit)
            made.paths[unit.id] = u_path
            position_in_unit = 0
            for floor in range(1, floors + 1):
                for door in range(1, per_floor + 1):
                    if count >= size:
                        break
                    jitter = Decimal(rng.randint(-150, 150)) / 100
                    home_id = city.new_id(Place)
                    unit.homes.append(
                        Home(
                            home_id,
                            unit.id,
                            building,
                            u_path + segment(position_in_unit),
                            f"{floor}{door:02d}",
                            (plans[door - 1] + jitter).quantize(Decimal("0.01")),
                        )
                    )
                    position_in_unit += 1
                    count += 1
            made.homes.extend(unit.homes)
    return made


def write_homes(city: City, place: Compound) -> None:
    for home in place.homes:
        city.register_no += 1
        city.add(
            Place,
            home.id,
            city.uid(),
            PlaceKind.HOME,
            home.unit,
            home.path,
            home.name,
            f"鲁({2008 + city.register_no % 15})潍坊市不动产权第{city.register_no:07d}号",
            home.area,
            home.owner_key,
            home.unsold,
            city.first_day_moment,
        )
