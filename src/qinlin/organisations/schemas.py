"""API shapes of the party organisation and partner units: branches, a compound's "1+2+N"
team, partners and their resources. Names are masked (张*明) unless the caller is staff of the
place, contact phones unless the caller manages partners there; members' phones never appear."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import date
from typing import Self

from ninja import Field, Schema

from qinlin.core.masking import mask_name, mask_phone
from qinlin.organisations.models import (
    BranchKind,
    MemberRole,
    Partner,
    PartnerKind,
    PartyMembership,
    Resource,
    ResourceKind,
)
from qinlin.organisations.team import (
    ReportingMember,
    Team,
    TeamBranch,
    TeamGroup,
    TeamPerson,
    member_reports_to,
)
from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.places.schemas import PlaceRef


def _name(person: Person | None, *, full: bool) -> str | None:
    if person is None:
        return None
    return person.name if full else mask_name(person.name)


def _ref(place: Place) -> PlaceRef:
    return PlaceRef(uid=place.uid, kind=place.kind, name=place.name)


class CommunityFilters(Schema):
    community: str = Field(..., description="Uid of a community.")


class BranchListOut(Schema):
    uid: str
    name: str
    kind: BranchKind = Field(..., description="`single` (单建) or `joint` (联建).")
    kind_label: str
    community: str = Field(..., description="Uid of the community the branch belongs to.")
    compounds: list[PlaceRef] = Field(..., description="The compounds the branch covers.")
    secretary: str | None = Field(..., description="The secretary's name, masked or in full.")
    member_count: int

    @classmethod
    def fields_of(
        cls, item: TeamBranch, community: Place, *, full_names: bool
    ) -> dict[str, object]:
        branch = item.branch
        return {
            "uid": branch.uid,
            "name": branch.name,
            "kind": BranchKind(branch.kind),
            "kind_label": str(branch.get_kind_display()),
            "community": community.uid,
            "compounds": [_ref(c) for c in item.compounds],
            "secretary": _name(item.secretary, full=full_names),
            "member_count": item.member_count,
        }

    @classmethod
    def of(cls, item: TeamBranch, community: Place, *, full_names: bool) -> Self:
        return cls.model_validate(cls.fields_of(item, community, full_names=full_names))


class MemberOut(Schema):
    name: str = Field(..., description="Masked (张*明) unless the caller is staff there.")
    role: MemberRole
    role_label: str
    reports_to: PlaceRef | None = Field(
        ..., description="The compound where the member reports and serves (党员到小区报到)."
    )
    joined_on: date | None

    @classmethod
    def of(cls, m: PartyMembership, compounds: list[Place], *, full_names: bool) -> Self:
        where = member_reports_to(m, compounds)
        return cls(
            name=_name(m.person, full=full_names) or "",
            role=MemberRole(m.role),
            role_label=str(m.get_role_display()),
            reports_to=None if where is None else _ref(where),
            joined_on=m.joined_on,
        )


class BranchOut(BranchListOut):
    founded_on: date | None
    members: list[MemberOut] = Field(..., description="Secretary first, then deputies, members.")

    @classmethod
    def of_branch(
        cls, item: TeamBranch, members: list[PartyMembership], *, full_names: bool
    ) -> Self:
        branch = item.branch
        return cls.model_validate(
            {
                **cls.fields_of(item, branch.community, full_names=full_names),
                "founded_on": branch.founded_on,
                "members": [
                    MemberOut.of(m, item.compounds, full_names=full_names) for m in members
                ],
            }
        )


class TeamPersonOut(Schema):
    name: str
    role: str
    role_label: str
    place: PlaceRef = Field(..., description="Where the role is held (the compound or below).")

    @classmethod
    def of(cls, p: TeamPerson, *, full_names: bool) -> Self:
        return cls(
            name=_name(p.person, full=full_names) or "",
            role=p.role,
            role_label=p.role_label,
            place=_ref(p.place),
        )


class TeamGroupOut(Schema):
    role: str
    role_label: str
    people: list[TeamPersonOut]

    @classmethod
    def of(cls, g: TeamGroup, *, full_names: bool) -> Self:
        return cls(
            role=g.role,
            role_label=g.role_label,
            people=[TeamPersonOut.of(p, full_names=full_names) for p in g.people],
        )


class TeamBranchOut(Schema):
    uid: str
    name: str
    kind: BranchKind
    kind_label: str
    compounds: list[PlaceRef]
    secretary: str | None
    deputies: list[str]
    member_count: int

    @classmethod
    def of(cls, item: TeamBranch, *, full_names: bool) -> Self:
        return cls(
            uid=item.branch.uid,
            name=item.branch.name,
            kind=BranchKind(item.branch.kind),
            kind_label=str(item.branch.get_kind_display()),
            compounds=[_ref(c) for c in item.compounds],
            secretary=_name(item.secretary, full=full_names),
            deputies=[_name(p, full=full_names) or "" for p in item.deputies],
            member_count=item.member_count,
        )


class ReportingMemberOut(Schema):
    name: str
    branch: str | None = Field(..., description="Uid of the member's branch, when recorded.")
    branch_name: str | None

    @classmethod
    def of(cls, m: ReportingMember, *, full_names: bool) -> Self:
        return cls(
            name=_name(m.person, full=full_names) or "",
            branch=None if m.branch is None else m.branch.uid,
            branch_name=None if m.branch is None else m.branch.name,
        )


class TeamOut(Schema):
    compound: PlaceRef
    full_names: bool = Field(..., description="Whether names are shown in full to this caller.")
    branches: list[TeamBranchOut] = Field(..., description="1: the branches covering it.")
    other_secretaries: list[TeamPersonOut] = Field(
        ..., description="Holders of the branch-secretary role here not recorded in a branch."
    )
    owners_committee: list[TeamPersonOut] = Field(..., description="2: the owners' committee.")
    property_company: list[TeamPersonOut] = Field(..., description="2: the property company.")
    others: list[TeamGroupOut] = Field(
        ..., description="N: building and unit heads, backbones, representatives, by role."
    )
    party_members: list[ReportingMemberOut] = Field(
        ..., description="Party members who report to the compound (党员到小区报到)."
    )

    @classmethod
    def of(cls, team: Team, *, full_names: bool) -> Self:
        return cls(
            compound=_ref(team.compound),
            full_names=full_names,
            branches=[TeamBranchOut.of(b, full_names=full_names) for b in team.branches],
            other_secretaries=[
                TeamPersonOut.of(p, full_names=full_names) for p in team.other_secretaries
            ],
            owners_committee=[
                TeamPersonOut.of(p, full_names=full_names) for p in team.owners_committee
            ],
            property_company=[
                TeamPersonOut.of(p, full_names=full_names) for p in team.property_company
            ],
            others=[TeamGroupOut.of(g, full_names=full_names) for g in team.others],
            party_members=[
                ReportingMemberOut.of(m, full_names=full_names) for m in team.party_members
            ],
        )


class ResourceOut(Schema):
    uid: str
    kind: ResourceKind
    kind_label: str
    title: str
    description: str
    availability: str
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Resource) -> str:
        return str(obj.get_kind_display())


class PartnerListOut(Schema):
    uid: str
    name: str
    kind: PartnerKind
    kind_label: str
    community: str = Field(..., description="Uid of the community the partner works with.")
    address: str
    contact_name: str = Field(..., description="Masked unless the caller manages partners.")
    contact_phone: str = Field(..., description="Masked unless the caller manages partners.")
    active: bool

    @classmethod
    def fields_of(cls, p: Partner, community: Place, *, full: bool) -> dict[str, object]:
        return {
            "uid": p.uid,
            "name": p.name,
            "kind": PartnerKind(p.kind),
            "kind_label": str(p.get_kind_display()),
            "community": community.uid,
            "address": p.address,
            "contact_name": p.contact_name if full else mask_name(p.contact_name),
            "contact_phone": p.contact_phone if full else mask_phone(p.contact_phone),
            "active": p.active,
        }

    @classmethod
    def of(cls, p: Partner, community: Place, *, full: bool) -> Self:
        return cls.model_validate(cls.fields_of(p, community, full=full))


class PartnerOut(PartnerListOut):
    profile: str
    resources: list[ResourceOut]

    @classmethod
    def of(cls, p: Partner, community: Place, *, full: bool) -> Self:
        return cls.model_validate(
            {
                **cls.fields_of(p, community, full=full),
                "profile": p.profile,
                "resources": list(p.resources.all()),
            }
        )
