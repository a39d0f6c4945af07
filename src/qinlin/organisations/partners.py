"""Partner units (共建单位: 双报到单位, 商圈服务联盟成员, social organisations), the resources
they offer, and where those resources were put to use (domain.md §1, mechanism 1).

Partners belong to a community; the community office, branch secretaries and partner
contacts holding `organisations.partners` there keep them. A resource may be linked to an
appeal, a topic or an activity at or under the partner's community, by whoever keeps the
partner or holds the same permission at the target's place (a compound's branch secretary
drawing on the community's partners).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.organisations.models import (
    Activity,
    Partner,
    PartnerKind,
    Resource,
    ResourceKind,
    ResourceUse,
)
from qinlin.places.models import Place, PlaceKind

if TYPE_CHECKING:
    from qinlin.appeals.models import Appeal
    from qinlin.people.models import Person
    from qinlin.topics.models import Topic

ACTION = "organisations.partners"
RECENT = 50

# A mainland mobile number, or a landline of digits and dashes (0536-8123456, 8123456-801).
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?")


def phone_clean(phone: str) -> str:
    """The phone as stored: spaces dropped; empty is allowed (the contact may give none)."""
    phone = re.sub(r"\s+", "", phone)
    if phone and not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise DomainError(
            _("联系电话格式不对：请填写11位手机号（如 13800138000）或座机号（如 0536-8123456）。"),
            code="bad_phone",
            field="contact_phone",
        )
    return phone


def may_keep(person: Person | None, partner: Partner) -> bool:
    return can(person, ACTION, partner.community)


def _require(actor: Person | None, community: Place) -> None:
    # None is the system itself (demo data, imports), as in organisations.services.
    if actor is not None and not can(actor, ACTION, community):
        raise ForbiddenError()


def _text(value: str, *, field: str, message: str, code: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(message, code=code, field=field)
    return value


def _partner_fields(*, name: str, kind: str, contact_phone: str) -> tuple[str, str, str]:
    name = _text(name, field="name", message=_("请填写单位名称。"), code="name_required")
    if kind not in PartnerKind.values:
        raise DomainError(_("请选择单位类型。"), code="bad_kind", field="kind")
    return name, kind, phone_clean(contact_phone)


def _name_taken(name: str) -> ConflictError:
    return ConflictError(
        _("本社区已有名为“%(name)s”的共建单位。") % {"name": name},
        code="partner_name_taken",
        field="name",
    )


def partner_create(
    *,
    actor: Person | None,
    community: Place,
    name: str,
    kind: str,
    profile: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Partner:
    """Register a partner unit with a community; its name is unique within the community."""
    if community.kind != PlaceKind.COMMUNITY:
        raise DomainError(_("共建单位必须隶属于一个社区。"), code="bad_community")
    _require(actor, community)
    name, kind, contact_phone = _partner_fields(name=name, kind=kind, contact_phone=contact_phone)
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                community=community,
                name=name,
                kind=kind,
                profile=profile.strip(),
                address=address.strip(),
                contact_name=contact_name.strip(),
                contact_phone=contact_phone,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                verb="organisations.partner.created",
                obj=partner,
                data={"name": name, "kind": kind},
            )
    except IntegrityError:
        raise _name_taken(name) from None
    return partner


def partner_update(
    *,
    actor: Person | None,
    partner: Partner,
    name: str,
    kind: str,
    profile: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    active: bool = True,
) -> Partner:
    _require(actor, partner.community)
    name, kind, contact_phone = _partner_fields(name=name, kind=kind, contact_phone=contact_phone)
    fields = {
        "name": name,
        "kind": kind,
        "profile": profile.strip(),
        "address": address.strip(),
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone,
        "active": active,
    }
    try:
        with transaction.atomic():
            partner = Partner.objects.select_for_update().get(pk=partner.pk)
            changed = [f for f, v in fields.items() if getattr(partner, f) != v]
            for field in changed:
                setattr(partner, field, fields[field])
            partner.save(update_fields=changed)
            audit_record(
                actor=actor,
                verb="organisations.partner.updated",
                obj=partner,
                # The phone itself stays out of the log; that it changed is enough.
                data={"changed": changed},
            )
    except IntegrityError:
        raise _name_taken(name) from None
    return partner


def _resource_fields(*, kind: str, title: str) -> tuple[str, str]:
    if kind not in ResourceKind.values:
        raise DomainError(_("请选择资源类型。"), code="bad_kind", field="kind")
    title = _text(title, field="title", message=_("请填写资源名称。"), code="title_required")
    return kind, title


def resource_add(
    *,
    actor: Person | None,
    partner: Partner,
    kind: str,
    title: str,
    description: str = "",
    availability: str = "",
) -> Resource:
    """A resource the partner offers, with when it is available (每月第二个周六上午)."""
    _require(actor, partner.community)
    kind, title = _resource_fields(kind=kind, title=title)
    with transaction.atomic():
        resource = Resource.objects.create(
            partner=partner,
            kind=kind,
            title=title,
            description=description.strip(),
            availability=availability.strip(),
        )
        audit_record(
            actor=actor,
            verb="organisations.resource.added",
            obj=resource,
            data={"partner": partner.uid, "kind": kind, "title": title},
        )
    return resource


def resource_update(
    *,
    actor: Person | None,
    resource: Resource,
    kind: str,
    title: str,
    description: str = "",
    availability: str = "",
    active: bool = True,
) -> Resource:
    """Change a resource, or stop (active=False) or resume offering it; its uses stay."""
    _require(actor, resource.partner.community)
    kind, title = _resource_fields(kind=kind, title=title)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        locked.kind, locked.title, locked.active = kind, title, active
        locked.description, locked.availability = description.strip(), availability.strip()
        locked.save(update_fields=["kind", "title", "description", "availability", "active"])
        audit_record(
            actor=actor,
            verb="organisations.resource.updated",
            obj=locked,
            data={"kind": kind, "title": title, "active": active},
        )
    locked.partner = resource.partner
    return locked


def _may_link(actor: Person, partner: Partner, target_place: Place) -> bool:
    return can(actor, ACTION, partner.community) or can(actor, ACTION, target_place)


def resource_link(
    *,
    actor: Person,
    resource: Resource,
    appeal: Appeal | None = None,
    topic: Topic | None = None,
    activity: Activity | None = None,
    note: str = "",
) -> ResourceUse:
    """Record that a resource was put to use for exactly one appeal, topic or activity, which
    must be at or under the partner's community."""
    targets = [t for t in (appeal, topic, activity) if t is not None]
    if len(targets) != 1:
        raise DomainError(
            _("请选择一项：诉求、议题或活动（只能选一项）。"), code="one_target", field="target"
        )
    target = targets[0]
    partner = resource.partner
    community = partner.community
    place: Place = target.place
    if not place.path.startswith(community.path):
        raise DomainError(
            _("只能关联%(community)s内的诉求、议题或活动。") % {"community": community.name},
            code="outside_community",
            field="target",
        )
    if not _may_link(actor, partner, place):
        raise ForbiddenError()
    if not resource.active or not partner.active:
        raise ConflictError(
            _("该资源已停止提供，请先恢复后再关联。"), code="resource_inactive", field="target"
        )
    with transaction.atomic():
        use = ResourceUse.objects.create(
            resource=resource,
            appeal=appeal,
            topic=topic,
            activity=activity,
            note=note.strip()[:200],
            linked_by=actor,
            at=timezone.now(),
        )
        audit_record(
            actor=actor,
            verb="organisations.resource.linked",
            obj=resource,
            data={"use": use.pk, "target": f"{type(target).__name__.lower()}:{target.uid}"},
        )
    return use


def resource_unlink(*, actor: Person, use: ResourceUse) -> None:
    """Remove a link made in error; the audit log keeps that it existed."""
    partner = use.resource.partner
    target = use.appeal or use.topic or use.activity
    assert target is not None  # the database allows no use without a target
    if not _may_link(actor, partner, target.place):
        raise ForbiddenError()
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="organisations.resource.unlinked",
            obj=use.resource,
            data={"use": use.pk, "target": f"{type(target).__name__.lower()}:{target.uid}"},
        )
        use.delete()
