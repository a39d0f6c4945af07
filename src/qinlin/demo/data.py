"""The demo subdistrict: 北苑街道 at the scale of domain.md §1, built deterministically.

5 communities, 68 compounds with buildings, units and homes of register-like areas, an owner
for almost every home, 29 party branches (14 single, 15 joint) with 120 party members, every
role held by someone, and one login per kind of user. Everything is bulk-inserted level by
level (a few dozen queries, not one per home); the rows are the ones the services would
write, and one `demo.loaded` audit event records the load.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from qinlin.core.audit import audit_record
from qinlin.core.roles import Role
from qinlin.demo.deliberation import load_deliberation
from qinlin.demo.history import HISTORY_YEAR, load_history
from qinlin.demo.notifications import load_robots
from qinlin.organisations.models import BranchKind, MemberRole, PartyBranch, PartyMembership
from qinlin.people.models import (
    ConfirmedVia,
    Person,
    Relation,
    Residency,
    ResidencyStatus,
    RoleAssignment,
)
from qinlin.places.models import Place, PlaceKind
from qinlin.places.services import child_path
from qinlin.stats.cache import stats_forget_all

SUBDISTRICT = "北苑街道"
PASSWORD = "qinlin-demo"  # noqa: S105 — the demo's published password, printed on start
SEED = 2022

COMMUNITIES = ["北苑社区", "上河社区", "东关社区", "新华社区", "福寿社区"]
# (big compounds that get their own branch, joint branches as compound counts) per community;
# 14 single + 15 joint branches = 29, covering 14·3 + 13·2 = 68 compounds.
BRANCH_PLAN: list[tuple[int, list[int]]] = [
    (3, [4, 4, 3]),
    (3, [4, 4, 3]),
    (3, [4, 4, 3]),
    (3, [4, 3, 3]),
    (2, [4, 4, 3]),
]
MEMBERS_PER_BRANCH = 4
EXTRA_MEMBERS = 4  # 29 × 4 + 4 = 120

NAME_HEADS = [
    "锦绣",
    "福寿",
    "和平",
    "幸福",
    "阳光",
    "金色",
    "翠竹",
    "东方",
    "绿园",
    "新华",
    "怡景",
    "康乐",
    "书香",
    "御景",
    "丽景",
    "恒信",
    "泰华",
    "青年",
    "银河",
    "北辰",
    "华庭",
    "桃源",
    "长松",
    "清荷",
    "鸢都",
    "白浪",
    "富华",
    "春晖",
    "凤凰",
    "明珠",
    "玉兰",
    "文化",
    "健康",
    "松园",
    "海棠",
    "紫薇",
    "东苑",
    "西苑",
    "南苑",
    "汇景",
    "盛世",
    "颐和",
    "佳和",
    "安居",
    "永安",
    "祥和",
    "宝通",
    "胜利",
    "民生",
    "工人",
    "樱园",
    "嘉园",
    "润园",
    "悦府",
    "花溪",
    "宏远",
    "瑞景",
    "博雅",
    "金桥",
    "银座",
    "云锦",
    "星河",
    "荣华",
    "同心",
    "惠民",
    "丰华",
    "宜家",
    "绿城",
    "馨苑",
]
NAME_TAILS = ["园", "苑", "小区", "家园", "花园", "名居", "公寓", "新村"]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华建国志强淑珍"
    "文婷玉梅春梅海燕凤英德明国庆桂芝金凤宝成立新"
)
# Typical floor plans (m² as in the register); each home varies them a little.
PLANS = [
    Decimal("58.62"),
    Decimal("67.85"),
    Decimal("76.30"),
    Decimal("89.50"),
    Decimal("98.42"),
    Decimal("105.66"),
    Decimal("112.08"),
    Decimal("121.36"),
    Decimal("135.20"),
    Decimal("143.88"),
]
# The 上河园 home of each demo login that lives there: (building, unit, room).
LOGIN_HOMES: dict[Role, tuple[str, str, str]] = {
    Role.RESIDENT: ("3号楼", "2单元", "301"),
    Role.BUILDING_HEAD: ("3号楼", "1单元", "201"),
    Role.OWNERS_COMMITTEE: ("1号楼", "1单元", "502"),
    Role.BRANCH_SECRETARY: ("2号楼", "3单元", "402"),
    Role.BACKBONE: ("3号楼", "2单元", "502"),
    Role.RESIDENT_REP: ("4号楼", "1单元", "102"),
    Role.UNIT_HEAD: ("3号楼", "2单元", "202"),
    Role.PARTY_MEMBER: ("5号楼", "2单元", "601"),
}

DEMO_LOGINS: list[tuple[Role, str]] = [
    (Role.RESIDENT, "李秀英"),
    (Role.BUILDING_HEAD, "王建国"),
    (Role.GRID_WORKER, "赵敏"),
    (Role.PROPERTY_STAFF, "孙立新"),
    (Role.OWNERS_COMMITTEE, "周德明"),
    (Role.BRANCH_SECRETARY, "刘桂芝"),
    (Role.COMMUNITY_STAFF, "陈静"),
    (Role.SUBDISTRICT_ADMIN, "杨志强"),
    (Role.DEPUTY, "黄国庆"),
    (Role.THIRD_PARTY, "吴海燕"),
    (Role.EXPERT, "徐文婷"),
    (Role.PARTNER_CONTACT, "郭宝成"),
    (Role.LEGAL_ADVISER, "何玉梅"),
    (Role.BACKBONE, "马春梅"),
    (Role.RESIDENT_REP, "罗凤英"),
    (Role.UNIT_HEAD, "梁金凤"),
    (Role.PARTY_MEMBER, "宋淑珍"),
]


@dataclass
class DemoLogin:
    role: Role
    name: str
    phone: str
    password: str = PASSWORD


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def person_name(rng: random.Random) -> str:
    """A name as the household register would have it: a surname and one or two characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(role=role, name=name, phone=f"138000000{i:02d}")
        for i, (role, name) in enumerate(DEMO_LOGINS, start=1)
    ]


def demo_exists() -> bool:
    return Place.objects.filter(parent__isnull=True, name=SUBDISTRICT).exists()


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        # Roles and memberships date from before the year of work the history records.
        self.since = min(date(self.today.year - 1, 1, 1), date(HISTORY_YEAR, 1, 1))
        self.now = timezone.now()
        self.phone_seq = 0
        self.people: list[Person] = []
        self.residencies: list[Residency] = []
        self.roles: list[RoleAssignment] = []
        self.memberships: list[PartyMembership] = []
        self.unusable = make_password(None)

    # --- people ---------------------------------------------------------------------
    def name(self) -> str:
        return person_name(self.rng)

    def person(self, name: str | None = None) -> Person:
        """A person without a login (imported from the register)."""
        self.phone_seq += 1
        person = Person(
            name=name or self.name(),
            phone=f"139{self.phone_seq:08d}",
            password=self.unusable,
            date_joined=self.now,
        )
        self.people.append(person)
        return person

    def role(self, person: Person, role: Role, place: Place) -> None:
        self.roles.append(
            RoleAssignment(person=person, role=role, place=place, starts_on=self.since)
        )

    def live(self, person: Person, home: Place, relation: str = Relation.OWNER) -> None:
        self.residencies.append(
            Residency(
                person=person,
                home=home,
                relation=relation,
                status=ResidencyStatus.CONFIRMED,
                via=ConfirmedVia.IMPORT,
                requested_at=self.now,
                decided_at=self.now,
            )
        )

    # --- places ---------------------------------------------------------------------
    def compound_names(self) -> list[str]:
        heads = NAME_HEADS[:]
        self.rng.shuffle(heads)
        names: list[str] = []
        for head in heads:
            name = head + self.rng.choice(NAME_TAILS)
            if name not in names and head != "上河":
                names.append(name)
            if len(names) == 67:
                break
        return names

    def area(self, plan: Decimal) -> Decimal:
        jitter = Decimal(self.rng.randint(-150, 150)) / 100
        return (plan + jitter).quantize(Decimal("0.01"))


def _bulk(model_rows: list[Place]) -> list[Place]:
    return Place.objects.bulk_create(model_rows, batch_size=500)


def load_demo(*, stdout: Callable[[str], object] | None = None) -> DemoResult:
    """Load the demo subdistrict once; a second call changes nothing."""
    say = stdout or (lambda _text: None)
    if demo_exists():
        return DemoResult(created=False, logins=demo_logins())
    with transaction.atomic():
        # Written past the services and their audit events: no cached figure holds.
        transaction.on_commit(stats_forget_all)
        return _load(_Builder(), say)


@dataclass
class _Tree:
    sub: Place
    communities: list[Place]
    compounds: list[Place]
    big: set[int]
    buildings: list[Place]
    units: list[Place]
    homes: list[Place]


def _home_rows(b: _Builder, units: list[Place]) -> list[Place]:
    """Two homes a floor, two floor plans a unit, areas varied around the plan."""
    rng = b.rng
    home_rows: list[Place] = []
    register = 0
    for unit in units:
        floors = 6 if unit.parent.parent.name == "上河园" else rng.choice([5, 6, 6, 7])  # type: ignore[union-attr]
        plans = rng.sample(PLANS, 2)
        position = 0
        for floor in range(1, floors + 1):
            for door in (1, 2):
                register += 1
                home_rows.append(
                    Place(
                        kind=PlaceKind.HOME,
                        name=f"{floor}{door:02d}",
                        parent=unit,
                        path=child_path(unit, position),
                        area=b.area(plans[door - 1]),
                        register_no=f"鲁(2016)潍坊市不动产权第{2_000_000 + register:07d}号",
                    )
                )
                position += 1
    return home_rows


def _places(b: _Builder, say: Callable[[str], object]) -> _Tree:
    """Every level of the tree, one bulk insert per level (parents first, for their ids)."""
    rng = b.rng
    root_number = Place.objects.filter(parent__isnull=True).count()
    [sub] = _bulk(
        [Place(kind=PlaceKind.SUBDISTRICT, name=SUBDISTRICT, path=child_path(None, root_number))]
    )
    communities = _bulk(
        [
            Place(kind=PlaceKind.COMMUNITY, name=name, parent=sub, path=child_path(sub, i))
            for i, name in enumerate(COMMUNITIES)
        ]
    )
    names = iter(b.compound_names())
    compound_rows: list[Place] = []
    big: set[int] = set()  # positions in compound_rows of compounds that have their own branch
    for community, (singles, joints) in zip(communities, BRANCH_PLAN, strict=True):
        count = singles + sum(joints)
        for i in range(count):
            name = "上河园" if not compound_rows else next(names)
            if i < singles:
                big.add(len(compound_rows))
            compound_rows.append(
                Place(
                    kind=PlaceKind.COMPOUND,
                    name=name,
                    parent=community,
                    path=child_path(community, i),
                )
            )
    compounds = _bulk(compound_rows)
    say(f"  {len(communities)} communities, {len(compounds)} compounds")

    building_rows: list[Place] = []
    for index, compound in enumerate(compounds):
        if compound.name == "上河园":
            n_buildings = 8
        elif index in big:
            n_buildings = rng.randint(8, 14)
        else:
            n_buildings = rng.randint(2, 4)
        for i in range(n_buildings):
            building_rows.append(
                Place(
                    kind=PlaceKind.BUILDING,
                    name=f"{i + 1}号楼",
                    parent=compound,
                    path=child_path(compound, i),
                )
            )
    buildings = _bulk(building_rows)
    unit_rows: list[Place] = []
    for building in buildings:
        n_units = 3 if building.parent.name == "上河园" else rng.randint(2, 3)  # type: ignore[union-attr]
        for i in range(n_units):
            unit_rows.append(
                Place(
                    kind=PlaceKind.UNIT,
                    name=f"{i + 1}单元",
                    parent=building,
                    path=child_path(building, i),
                )
            )
    units = _bulk(unit_rows)
    homes = _bulk(_home_rows(b, units))
    say(f"  {len(buildings)} buildings, {len(units)} units, {len(homes)} homes")

    return _Tree(sub, communities, compounds, big, buildings, units, homes)


def _load(b: _Builder, say: Callable[[str], object]) -> DemoResult:
    tree = _places(b, say)
    sub, communities, compounds = tree.sub, tree.communities, tree.compounds
    buildings, units, homes = tree.buildings, tree.units, tree.homes
    shanghe = compounds[0]
    shanghe_homes = {
        (h.parent.parent.name, h.parent.name, h.name): h  # type: ignore[union-attr]
        for h in homes
        if h.parent.parent.parent_id == shanghe.pk  # type: ignore[union-attr]
    }
    logins = demo_logins()
    login_people = _login_people(b, logins)
    reserved = _place_logins(
        b, people=login_people, homes=shanghe_homes, community=communities[0], sub=sub
    )
    owners_by_compound = _owners(b, homes, reserved)
    _branches(b, tree=tree, owners=owners_by_compound, login_people=login_people, shanghe=shanghe)
    _teams(b, tree=tree, owners=owners_by_compound)
    _pending_claims(b, shanghe_homes)

    Person.objects.bulk_create(b.people, batch_size=1000)
    Residency.objects.bulk_create(b.residencies, batch_size=1000)
    RoleAssignment.objects.bulk_create(b.roles, batch_size=1000)
    PartyMembership.objects.bulk_create(b.memberships, batch_size=1000)
    for person in login_people.values():
        person.set_password(PASSWORD)
    Person.objects.bulk_update(list(login_people.values()), ["password"])
    load_robots(login_people, shanghe)
    deliberation = load_deliberation(login_people, shanghe)
    history = load_history(login_people, sub, say=say)
    counts = {
        "communities": len(communities),
        "compounds": len(compounds),
        "buildings": len(buildings),
        "units": len(units),
        "homes": len(homes),
        "people": Person.objects.count(),
        "party_branches": PartyBranch.objects.count(),
        "party_members": PartyMembership.objects.count(),
        "role_assignments": len(b.roles),
        **deliberation,
        **history,
    }
    audit_record(actor=None, verb="demo.loaded", obj=sub, data=counts)
    return DemoResult(created=True, counts=counts, logins=logins)


def _login_people(b: _Builder, logins: list[DemoLogin]) -> dict[Role, Person]:
    people = {}
    for login in logins:
        person = Person(name=login.name, phone=login.phone, password=b.unusable, date_joined=b.now)
        if login.role == Role.SUBDISTRICT_ADMIN:
            person.is_staff = True
            person.is_superuser = True
        b.people.append(person)
        people[login.role] = person
    return people


def _place_logins(
    b: _Builder,
    *,
    people: dict[Role, Person],
    homes: dict[tuple[str, str, str], Place],
    community: Place,
    sub: Place,
) -> set[int]:
    """Give each demo login its home and role; returns the homes they took."""
    shanghe = homes[("3号楼", "2单元", "101")].parent.parent.parent  # type: ignore[union-attr]
    assert shanghe is not None
    building3 = homes[("3号楼", "2单元", "101")].parent.parent  # type: ignore[union-attr]
    unit32 = homes[("3号楼", "2单元", "101")].parent
    assert building3 is not None
    assert unit32 is not None
    taken: set[int] = set()
    for role, key in LOGIN_HOMES.items():
        b.live(people[role], homes[key])
        taken.add(homes[key].pk)
    b.role(people[Role.BUILDING_HEAD], Role.BUILDING_HEAD, building3)
    b.role(people[Role.UNIT_HEAD], Role.UNIT_HEAD, unit32)
    b.role(people[Role.OWNERS_COMMITTEE], Role.OWNERS_COMMITTEE, shanghe)
    b.role(people[Role.BACKBONE], Role.BACKBONE, shanghe)
    b.role(people[Role.RESIDENT_REP], Role.RESIDENT_REP, shanghe)
    b.role(people[Role.GRID_WORKER], Role.GRID_WORKER, shanghe)
    b.role(people[Role.PROPERTY_STAFF], Role.PROPERTY_STAFF, shanghe)
    b.role(people[Role.COMMUNITY_STAFF], Role.COMMUNITY_STAFF, community)
    b.role(people[Role.SUBDISTRICT_ADMIN], Role.SUBDISTRICT_ADMIN, sub)
    for role in (
        Role.DEPUTY,
        Role.THIRD_PARTY,
        Role.EXPERT,
        Role.PARTNER_CONTACT,
        Role.LEGAL_ADVISER,
    ):
        b.role(people[role], role, community)
    # Branch secretary and party member roles come with their memberships (_branches).
    return taken


def _owners(
    b: _Builder, homes: list[Place], reserved: set[int]
) -> dict[int, list[tuple[Person, Place]]]:
    """An owner for almost every home: some buy two, some homes are still the developer's."""
    owners: dict[int, list[tuple[Person, Place]]] = {}
    previous: tuple[Person, Place] | None = None
    changed: list[Place] = []
    for home in homes:
        compound_id = home.parent.parent.parent_id  # type: ignore[union-attr]
        if home.pk in reserved:
            continue
        roll = b.rng.random()
        if roll < 0.03:
            home.developer_unsold = True
            home.owner_key = "developer"
            changed.append(home)
            previous = None
            continue
        if roll < 0.05 and previous is not None and previous[1].parent_id == home.parent_id:
            # The neighbour next door bought this one too: one owner, one vote (owner key).
            owner, first = previous
            key = f"owner-{owner.phone}"
            first.owner_key = key
            home.owner_key = key
            changed.extend([first, home])
            b.live(owner, home)
            previous = None
            continue
        owner = b.person()
        b.live(owner, home)
        if b.rng.random() < 0.35:
            b.live(b.person(), home, Relation.FAMILY)
        owners.setdefault(compound_id or 0, []).append((owner, home))
        previous = (owner, home)
    Place.objects.bulk_update(changed, ["developer_unsold", "owner_key"], batch_size=500)
    return owners


def _branches(
    b: _Builder,
    *,
    tree: _Tree,
    owners: dict[int, list[tuple[Person, Place]]],
    login_people: dict[Role, Person],
    shanghe: Place,
) -> None:
    """29 branches (14 single, 15 joint) with 120 members who report to their compound."""
    communities, compounds = tree.communities, tree.compounds
    groups: list[list[Place]] = []
    position = 0
    for _community, (singles, joints) in zip(communities, BRANCH_PLAN, strict=True):
        for _single in range(singles):
            groups.append([compounds[position]])
            position += 1
        for size in joints:
            groups.append(compounds[position : position + size])
            position += size
    assert position == len(compounds)
    branches = PartyBranch.objects.bulk_create(
        [
            PartyBranch(
                name=f"{group[0].name}{'' if len(group) == 1 else '等小区联合'}党支部",
                community_id=group[0].parent_id or 0,
                kind=BranchKind.SINGLE if len(group) == 1 else BranchKind.JOINT,
                founded_on=date(2021, 7, 1) - timedelta(days=b.rng.randint(0, 2000)),
            )
            for group in groups
        ]
    )
    through = PartyBranch.compounds.through
    through.objects.bulk_create(
        [
            through(partybranch_id=branch.pk, place_id=compound.pk)
            for branch, group in zip(branches, groups, strict=True)
            for compound in group
        ]
    )
    memberships: list[PartyMembership] = []
    for index, (branch, group) in enumerate(zip(branches, groups, strict=True)):
        wanted = MEMBERS_PER_BRANCH + (1 if index < EXTRA_MEMBERS else 0)
        members: list[tuple[Person, Place]] = []
        if shanghe in group:
            members.append((login_people[Role.BRANCH_SECRETARY], shanghe))
            members.append((login_people[Role.PARTY_MEMBER], shanghe))
        pool = [(p, c) for c in group for p, _home in owners.get(c.pk, [])]
        for person, compound in b.rng.sample(pool, wanted - len(members)):
            members.append((person, compound))
        for rank, (person, compound) in enumerate(members):
            role = MemberRole.SECRETARY if rank == 0 else MemberRole.MEMBER
            memberships.append(
                PartyMembership(branch=branch, person=person, role=role, joined_on=b.since)
            )
            b.role(person, Role.PARTY_MEMBER, compound)
            if role == MemberRole.SECRETARY:
                for covered in group:
                    b.role(person, Role.BRANCH_SECRETARY, covered)
    b.memberships.extend(memberships)


def _teams(b: _Builder, *, tree: _Tree, owners: dict[int, list[tuple[Person, Place]]]) -> None:
    """The "1+2+N" team of every compound, and the community offices."""
    communities, compounds = tree.communities, tree.compounds
    buildings, units = tree.buildings, tree.units
    for community in communities:
        for _ in range(2):
            b.role(b.person(), Role.COMMUNITY_STAFF, community)
        b.role(b.person(), Role.DEPUTY, community)
        b.role(b.person(), Role.PARTNER_CONTACT, community)
    for compound in compounds[1:]:
        b.role(b.person(), Role.GRID_WORKER, compound)
        b.role(b.person(), Role.PROPERTY_STAFF, compound)
        residents = owners.get(compound.pk, [])
        for person, _home in b.rng.sample(residents, min(3, len(residents))):
            b.role(person, Role.OWNERS_COMMITTEE, compound)
        for person, _home in b.rng.sample(residents, min(2, len(residents))):
            b.role(person, Role.RESIDENT_REP, compound)
    by_building: dict[int, list[tuple[Person, Place]]] = {}
    for pairs in owners.values():
        for person, home in pairs:
            by_building.setdefault(home.parent.parent_id or 0, []).append((person, home))  # type: ignore[union-attr]
    for building in buildings:
        residents = by_building.get(building.pk, [])
        has_demo_head = building.parent_id == compounds[0].pk and building.name == "3号楼"
        if residents and not has_demo_head:
            b.role(b.rng.choice(residents)[0], Role.BUILDING_HEAD, building)
    shanghe_units = [u for u in units if u.parent.parent_id == compounds[0].pk]  # type: ignore[union-attr]
    for unit in shanghe_units:
        candidates = [p for p, h in owners.get(compounds[0].pk, []) if h.parent_id == unit.pk]
        if candidates:
            b.role(b.rng.choice(candidates), Role.UNIT_HEAD, unit)
            b.role(b.rng.choice(candidates), Role.BACKBONE, unit)


def _pending_claims(b: _Builder, homes: dict[tuple[str, str, str], Place]) -> None:
    """A few claims waiting for the grid worker: new tenants and family members."""
    for key, relation in [
        (("3号楼", "2单元", "401"), Relation.TENANT),
        (("3号楼", "2单元", "602"), Relation.FAMILY),
        (("6号楼", "1单元", "302"), Relation.TENANT),
        (("1号楼", "2单元", "101"), Relation.FAMILY),
    ]:
        b.residencies.append(
            Residency(
                person=b.person(),
                home=homes[key],
                relation=relation,
                status=ResidencyStatus.PENDING,
                requested_at=b.now - timedelta(hours=b.rng.randint(2, 72)),
            )
        )
