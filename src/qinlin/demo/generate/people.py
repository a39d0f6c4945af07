"""The city's people: owners and their households, the role holders of every level, party
branches and their members, and the demo's logins at the first compound.

About 85 % of homes have a registered owner (some buyers own two neighbouring homes and
share an owner key), about 2 % are still the developer's, and every residency is confirmed
by the register import. People without a login get one unusable password hash.
"""

from __future__ import annotations

import string
from datetime import timedelta

from django.contrib.auth.hashers import make_password

from qinlin.core.roles import Role
from qinlin.demo.data import LOGIN_HOMES, PASSWORD, DemoLogin, demo_logins, person_name
from qinlin.demo.generate.city import City
from qinlin.demo.generate.places import Community, Compound, Home, Subdistrict
from qinlin.organisations.models import BranchKind, MemberRole, PartyBranch, PartyMembership
from qinlin.people.models import ConfirmedVia, Person, Relation, Residency, RoleAssignment

PERSON_FIELDS = [
    "id",
    "uid",
    "password",
    "is_superuser",
    "name",
    "phone",
    "language",
    "is_active",
    "is_staff",
    "date_joined",
]
RESIDENCY_FIELDS = [
    "id",
    "uid",
    "person",
    "home",
    "relation",
    "status",
    "via",
    "note",
    "requested_at",
    "decided_at",
]
ROLE_FIELDS = ["id", "person", "role", "place", "starts_on", "created_at"]
COMMUNITY_LOGINS = (
    Role.DEPUTY,
    Role.THIRD_PARTY,
    Role.EXPERT,
    Role.PARTNER_CONTACT,
    Role.LEGAL_ADVISER,
)


class People:
    def __init__(self, city: City) -> None:
        self.city = city
        rng = city.rng
        self.unusable = "!" + "".join(rng.choices(string.ascii_letters + string.digits, k=40))
        salt = "".join(rng.choices(string.ascii_letters + string.digits, k=22))
        # Hashed once with the configured hasher: one hash for seventeen logins.
        self.login_hash = make_password(PASSWORD, salt=salt)
        self.since = city.first_day - timedelta(days=365)
        self.logins: dict[Role, int] = {}
        self.login_list: list[DemoLogin] = demo_logins()

    def person(self, name: str | None = None, *, phone: str = "", admin: bool = False) -> int:
        city = self.city
        if not phone:
            city.phone_seq += 1
            phone = f"139{city.phone_seq:08d}"
        pk = city.new_id(Person)
        city.add(
            Person,
            pk,
            city.uid(),
            self.login_hash if phone.startswith("138") else self.unusable,
            admin,
            name or person_name(city.rng),
            phone,
            "zh-hans",
            True,
            admin,
            city.first_day_moment,
        )
        return pk

    def make_logins(self) -> None:
        for login in self.login_list:
            admin = login.role == Role.SUBDISTRICT_ADMIN
            self.logins[login.role] = self.person(login.name, phone=login.phone, admin=admin)

    def live(self, person: int, home: Home, relation: str = Relation.OWNER) -> None:
        city = self.city
        at = city.first_day_moment
        city.add(
            Residency,
            city.new_id(Residency),
            city.uid(),
            person,
            home.id,
            relation,
            "confirmed",
            ConfirmedVia.IMPORT,
            "",
            at,
            at,
        )

    def role(self, person: int, role: str, place: int) -> None:
        city = self.city
        city.add(
            RoleAssignment,
            city.new_id(RoleAssignment),
            person,
            role,
            place,
            self.since,
            city.first_day_moment,
        )

    # --- households ----------------------------------------------------------------------
    def settle(self, place: Compound, *, bench: bool) -> None:
        """Owners, family members and tenants of every home; the logins' homes first."""
        rng = self.city.rng
        reserved: dict[int, Role] = {}
        if bench:
            by_key = {}
            for home in place.homes:
                unit = next(u for u in place.units if u.id == home.unit)
                by_key[(unit.label[: unit.label.index("楼") + 1], unit.label[-3:], home.name)] = (
                    home
                )
            spare = iter(place.homes)
            for role, key in LOGIN_HOMES.items():
                home = by_key.get(key) or next(spare)
                reserved[home.id] = role
        previous: tuple[int, Home] | None = None
        for home in place.homes:
            if home.id in reserved:
                role = reserved[home.id]
                place.names[self.logins[role]] = self._login_name(role)
                self._resident(place, self.logins[role], home, Relation.OWNER)
                previous = None
                continue
            roll = rng.random()
            if roll < 0.02:
                home.unsold, home.owner_key = True, "developer"
                previous = None
                continue
            if roll < 0.05 and previous is not None and previous[1].unit == home.unit:
                owner, first = previous
                first.owner_key = home.owner_key = f"owner-{owner}"
                home.owner = owner
                self.live(owner, home)
                previous = None
                continue
            if roll < 0.15:
                previous = None
                continue
            name = person_name(rng)
            owner = self.person(name)
            place.names[owner] = name
            self._resident(place, owner, home, Relation.OWNER)
            if rng.random() < 0.35:
                self._household_member(place, home, Relation.FAMILY)
            elif rng.random() < 0.06:
                self._household_member(place, home, Relation.TENANT)
            previous = (owner, home)

    def _household_member(self, place: Compound, home: Home, relation: str) -> None:
        name = person_name(self.city.rng)
        member = self.person(name)
        place.names[member] = name
        self._resident(place, member, home, relation)

    def _resident(self, place: Compound, person: int, home: Home, relation: str) -> None:
        if relation == Relation.OWNER and home.owner is None:
            home.owner = person
        self.live(person, home, relation)
        place.residents.append(person)
        place.home_of.setdefault(person, home)
        place.community.residents.append(person)

    # --- the team of a compound ---------------------------------------------------------
    def team(self, place: Compound, *, bench: bool) -> None:
        """The "1+2+N" team: grid worker, property staff, owners' committee, resident
        representatives, a building head per building (and unit heads at the bench)."""
        rng = self.city.rng
        owners = [h.owner for h in place.homes if h.owner is not None]
        held: dict[str, list[int]] = place.roles
        if bench:
            for role in (
                Role.GRID_WORKER,
                Role.PROPERTY_STAFF,
                Role.OWNERS_COMMITTEE,
                Role.RESIDENT_REP,
                Role.BACKBONE,
            ):
                held.setdefault(role, []).append(self.logins[role])
                place.names[self.logins[role]] = self._login_name(role)
        else:
            for role in (Role.GRID_WORKER, Role.PROPERTY_STAFF):
                name = person_name(rng)
                worker = self.person(name)
                place.names[worker] = name
                held[role] = [worker]
        for role, count in ((Role.OWNERS_COMMITTEE, 3), (Role.RESIDENT_REP, 2)):
            picked = [
                p
                for p in rng.sample(owners, min(count, len(owners)))
                if p not in held.get(role, [])
            ]
            held.setdefault(role, []).extend(picked)
        for held_role, people in held.items():
            for person in people:
                self.role(person, held_role, place.id)
        self._heads(place, bench=bench)

    def _heads(self, place: Compound, *, bench: bool) -> None:
        rng = self.city.rng
        by_building: dict[int, list[int]] = {}
        for home in place.homes:
            if home.owner is not None:
                by_building.setdefault(home.building, []).append(home.owner)
        for building, name in place.buildings:
            if bench and name == "3号楼":
                head = self.logins[Role.BUILDING_HEAD]
                place.names[head] = self._login_name(Role.BUILDING_HEAD)
            elif by_building.get(building):
                head = rng.choice(by_building[building])
            else:
                continue
            place.building_heads[building] = head
            self.role(head, Role.BUILDING_HEAD, building)
        if bench:
            resident = self.logins[Role.RESIDENT]
            unit = place.home_of[resident].unit
            self.role(self.logins[Role.UNIT_HEAD], Role.UNIT_HEAD, unit)

    def _login_name(self, role: Role) -> str:
        return next(login.name for login in self.login_list if login.role == role)

    def offices(self, home: Community, *, bench: bool) -> None:
        """Two community staff, a deputy and a partner contact (the logins at the first)."""
        if bench:
            home.staff.append(self.logins[Role.COMMUNITY_STAFF])
            self.role(self.logins[Role.COMMUNITY_STAFF], Role.COMMUNITY_STAFF, home.id)
            for role in COMMUNITY_LOGINS:
                self.role(self.logins[role], role, home.id)
        for _n in range(2 if not bench else 1):
            staff = self.person()
            home.staff.append(staff)
            self.role(staff, Role.COMMUNITY_STAFF, home.id)
        self.role(self.person(), Role.DEPUTY, home.id)
        self.role(self.person(), Role.PARTNER_CONTACT, home.id)

    def admin(self, sub: Subdistrict, *, bench: bool) -> None:
        sub.admin = self.logins[Role.SUBDISTRICT_ADMIN] if bench else self.person()
        self.role(sub.admin, Role.SUBDISTRICT_ADMIN, sub.id)

    # --- party branches -----------------------------------------------------------------
    def branches(self, home: Community, compounds: list[Compound], *, bench: bool) -> None:
        """A branch of its own for a big compound, a joint branch for three or four small
        ones; four members each, the first its secretary, who serves all its compounds."""
        city, rng = self.city, self.city.rng
        runs: list[list[Compound]] = []
        small: list[Compound] = []
        for place in compounds:
            if len(place.homes) >= 800 or (bench and not runs and not small):
                runs.append([place])
            else:
                small.append(place)
                if len(small) == rng.randint(3, 4):
                    runs.append(small)
                    small = []
        if small:
            runs.append(small)
        taken: set[str] = set()
        for group in runs:
            name = f"{group[0].name}{'' if len(group) == 1 else '等小区联合'}党支部"
            if name in taken:
                continue
            taken.add(name)
            branch = city.new_id(PartyBranch)
            kind = BranchKind.SINGLE if len(group) == 1 else BranchKind.JOINT
            founded = city.first_day - timedelta(days=rng.randint(400, 3000))
            city.add(PartyBranch, branch, city.uid(), name, home.id, kind, founded)
            for place in group:
                city.add(PartyBranch.compounds.through, branch, place.id)
            members: list[tuple[int, Compound]] = []
            if bench and group[0] is compounds[0]:
                members = [
                    (self.logins[Role.BRANCH_SECRETARY], group[0]),
                    (self.logins[Role.PARTY_MEMBER], group[0]),
                ]
                group[0].names[members[0][0]] = self._login_name(Role.BRANCH_SECRETARY)
            pool = [(h.owner, c) for c in group for h in c.homes if h.owner is not None]
            pool = [(p, c) for p, c in dict.fromkeys(pool) if p not in {m for m, _c in members}]
            members += rng.sample(pool, max(0, min(len(pool), 4 - len(members))))
            for rank, (person, place) in enumerate(members):
                role = MemberRole.SECRETARY if rank == 0 else MemberRole.MEMBER
                city.add(
                    PartyMembership, city.new_id(PartyMembership), branch, person, role, self.since
                )
                self.role(person, Role.PARTY_MEMBER, place.id)
                if rank == 0:
                    for covered in group:
                        covered.roles.setdefault(Role.BRANCH_SECRETARY, []).insert(0, person)
                        self.role(person, Role.BRANCH_SECRETARY, covered.id)
