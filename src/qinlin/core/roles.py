"""The roles of domain.md §3. Each role is held at a place (and so over everything under it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    OWNER = "owner", _("业主")
    BUILDING_HEAD = "building_head", _("楼长")
    UNIT_HEAD = "unit_head", _("单元长")
    GRID_WORKER = "grid_worker", _("网格员")
    BACKBONE = "backbone", _("居民骨干")
    RESIDENT_REP = "resident_rep", _("居民代表")
    OWNERS_COMMITTEE = "owners_committee", _("业委会成员")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    PARTY_MEMBER = "party_member", _("党员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("街道管理员")
    DEPUTY = "deputy", _("两代表一委员")
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")
    THIRD_PARTY = "third_party", _("第三方机构")
    EXPERT = "expert", _("专家")
    PARTNER_CONTACT = "partner_contact", _("共建单位联络人")


# Held through a confirmed residency of a home, never assigned by hand.
HOUSEHOLD_ROLES = frozenset({Role.RESIDENT, Role.OWNER})
ASSIGNABLE_ROLES = [role for role in Role if role not in HOUSEHOLD_ROLES]

# Roles whose start page is the staff workspace rather than the resident's home page.
WORKSPACE_ROLES = frozenset(
    {
        Role.BUILDING_HEAD,
        Role.UNIT_HEAD,
        Role.GRID_WORKER,
        Role.OWNERS_COMMITTEE,
        Role.PROPERTY_STAFF,
        Role.BRANCH_SECRETARY,
        Role.COMMUNITY_STAFF,
        Role.SUBDISTRICT_ADMIN,
        Role.THIRD_PARTY,
        Role.EXPERT,
        Role.LEGAL_ADVISER,
        Role.DEPUTY,
        Role.PARTNER_CONTACT,
    }
)
