"""Forming party branches and enrolling members."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.roles import Role
from qinlin.organisations.models import BranchKind, MemberRole, PartyBranch, PartyMembership
from qinlin.people.services import role_assign
from qinlin.places.models import Place, PlaceKind

if TYPE_CHECKING:
    from qinlin.people.models import Person


def _require(actor: Person | None, place: Place) -> None:
    # None is the system itself (demo data, imports), as in people.services.role_assign.
    if actor is not None and not can(actor, "organisations.manage_branches", place):
        raise ForbiddenError()


def branch_create(
    *,
    actor: Person | None,
    community: Place,
    name: str,
    compounds: list[Place],
    founded_on: date | None = None,
) -> PartyBranch:
    """A branch for one compound (单建) or several (联建), all within one community."""
    if community.kind != PlaceKind.COMMUNITY:
        raise DomainError(_("党支部必须隶属于一个社区。"), code="bad_community")
    _require(actor, community)
    name = name.strip()
    if not name:
        raise DomainError(_("请填写党支部名称。"), code="name_required", field="name")
    if not compounds:
        raise DomainError(_("请至少选择一个小区。"), code="no_compounds", field="compounds")
    for compound in compounds:
        if compound.kind != PlaceKind.COMPOUND or not community.contains(compound):
            raise DomainError(
                _("“%(name)s”不是本社区的小区。") % {"name": compound.name},
                code="bad_compound",
                field="compounds",
            )
    kind = BranchKind.SINGLE if len(compounds) == 1 else BranchKind.JOINT
    try:
        with transaction.atomic():
            branch = PartyBranch.objects.create(
                name=name, community=community, kind=kind, founded_on=founded_on
            )
            branch.compounds.set(compounds)
            audit_record(
                actor=actor,
                verb="organisations.branch.created",
                obj=branch,
                data={"kind": kind, "compounds": [c.uid for c in compounds]},
            )
    except IntegrityError:
        raise ConflictError(
            _("本社区已有同名的党支部。"), code="branch_name_taken", field="name"
        ) from None
    return branch


def branch_enrol(
    *,
    actor: Person | None,
    branch: PartyBranch,
    person: Person,
    home_compound: Place,
    role: str = MemberRole.MEMBER,
    joined_on: date | None = None,
) -> PartyMembership:
    """Enrol a party member who "reports" to `home_compound`; a secretary also gets the
    branch secretary role at every compound the branch covers."""
    _require(actor, branch.community)
    if not branch.compounds.filter(pk=home_compound.pk).exists():
        raise DomainError(
            _("该党员报到的小区不在本支部覆盖范围内。"), code="bad_compound", field="home_compound"
        )
    if role not in MemberRole.values:
        raise DomainError(_("请选择党内职务。"), code="bad_member_role", field="role")
    if PartyMembership.objects.filter(branch=branch, person=person).exists():
        raise ConflictError(_("此人已经是本支部的党员。"), code="already_member", field="person")
    with transaction.atomic():
        membership = PartyMembership.objects.create(
            branch=branch, person=person, role=role, joined_on=joined_on
        )
        role_assign(actor=None, person=person, role=Role.PARTY_MEMBER, place=home_compound)
        if role == MemberRole.SECRETARY:
            for compound in branch.compounds.all():
                role_assign(actor=None, person=person, role=Role.BRANCH_SECRETARY, place=compound)
        audit_record(
            actor=actor,
            verb="organisations.member.enrolled",
            obj=membership,
            data={"person": person.uid, "role": role},
        )
    return membership
