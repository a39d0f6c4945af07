"""/api/v1/organisations: the party branches of a community, one branch with its members, a
compound's "1+2+N" team, and the partner units of a community with their resources. All
read-only; activities and registrations have their own endpoints."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from qinlin.api.auth import OptionalTokenAuth
from qinlin.core.errors import NotFoundError
from qinlin.core.permissions import can
from qinlin.organisations.models import Partner, Resource
from qinlin.organisations.schemas import (
    BranchListOut,
    BranchOut,
    CommunityFilters,
    PartnerListOut,
    PartnerOut,
    TeamOut,
)
from qinlin.organisations.team import (
    branch_full_names,
    branch_get,
    branch_summary,
    community_branches,
    compound_team,
    team_full_names,
)
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.places.schemas import ErrorOut

router = Router(tags=["organisations"])

PUBLIC = "Anyone may call this without logging in; a bearer token is recognised when given."
MASKING = (
    "People's names are masked (张*明) unless the caller manages the community's branches "
    "(`organisations.manage_branches`) or is staff of a compound concerned (holds a role that "
    "sees the topic board there). Phone numbers of people are never shown."
)


def _caller(request: HttpRequest) -> Person | None:
    user = request.user
    return user if isinstance(user, Person) else None


def _place(uid: str, kind: PlaceKind) -> Place:
    place = Place.objects.filter(uid=uid.strip(), kind=kind).first()
    if place is None:
        raise NotFoundError(_("找不到编号为“%(uid)s”的地点。") % {"uid": uid}, field="place")
    return place


@router.get(
    "/branches",
    response={200: list[BranchListOut], 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="The party branches of a community",
    description="Each branch with its kind (`single` 单建 / `joint` 联建), the compounds it "
    "covers, its secretary and its member count, by name. An unknown community (or a place "
    f"that is not one) answers 404. {PUBLIC} {MASKING}",
)
def list_branches(request: HttpRequest, filters: Query[CommunityFilters]) -> list[BranchListOut]:
    community = _place(filters.community, PlaceKind.COMMUNITY)
    caller = _caller(request)
    return [
        BranchListOut.of(
            item,
            community,
            full_names=branch_full_names(caller, item.branch, item.compounds),
        )
        for item in community_branches(community)
    ]


@router.get(
    "/branches/{uid}",
    response={200: BranchOut, 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="One party branch with its compounds and members",
    description="The branch, the compounds it covers and every member (secretary first) with "
    "their role and the compound they report to (党员到小区报到; the branch's compound when "
    f"it covers one alone, else null until recorded). {PUBLIC} {MASKING}",
)
def get_branch(request: HttpRequest, uid: str) -> BranchOut:
    branch = branch_get(uid)
    if branch is None:
        raise NotFoundError(_("找不到这个党支部。"))
    item = branch_summary(branch)
    return BranchOut.of_branch(
        item,
        getattr(branch, "members", []),
        full_names=branch_full_names(_caller(request), branch, item.compounds),
    )


@router.get(
    "/compounds/{uid}/team",
    response={200: TeamOut, 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary='A compound\'s "1+2+N" governance team',
    description="Computed from today's role assignments and the party memberships: 1, the "
    "branches covering the compound with their secretaries; 2, the owners' committee and the "
    "property company; N, building and unit heads, resident backbones and representatives at "
    "or under the compound, by role; and the party members who report to it. An ended role "
    f"does not count. An unknown compound answers 404. {PUBLIC} Names are masked unless the "
    "caller is staff of the compound (`full_names` says which).",
)
def get_team(request: HttpRequest, uid: str) -> TeamOut:
    compound = _place(uid, PlaceKind.COMPOUND)
    full_names = team_full_names(_caller(request), compound)
    return TeamOut.of(compound_team(compound), full_names=full_names)


PARTNER_MASKING = (
    "The contact's name and phone are masked unless the caller manages partners in the "
    "community (`organisations.partners`)."
)


@router.get(
    "/partners",
    response={200: list[PartnerListOut], 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="The partner units of a community",
    description="Partner units in the register (双报到单位, 商圈服务联盟, social "
    "organisations), by "
    f"name. An unknown community answers 404. {PUBLIC} {PARTNER_MASKING}",
)
def list_partners(request: HttpRequest, filters: Query[CommunityFilters]) -> list[PartnerListOut]:
    community = _place(filters.community, PlaceKind.COMMUNITY)
    full = can(_caller(request), "organisations.partners", community)
    partners = Partner.objects.filter(community=community, active=True).order_by("name", "id")
    return [PartnerListOut.of(p, community, full=full) for p in partners]


@router.get(
    "/partners/{uid}",
    response={200: PartnerOut, 404: ErrorOut},
    auth=OptionalTokenAuth(),
    summary="One partner unit with the resources it offers",
    description="The partner's profile and every resource it offers (clinics, lectures, "
    "volunteers, materials, money, venues) with when it is available; `active` is false for "
    f"one no longer offered. {PUBLIC} {PARTNER_MASKING}",
)
def get_partner(request: HttpRequest, uid: str) -> PartnerOut:
    partner = (
        Partner.objects.filter(uid=uid.strip())
        .select_related("community")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("-active", "title", "id"))
        )
        .first()
    )
    if partner is None:
        raise NotFoundError(_("找不到这个共建单位。"))
    full = can(_caller(request), "organisations.partners", partner.community)
    return PartnerOut.of(partner, partner.community, full=full)
