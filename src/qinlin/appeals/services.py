"""Writes about appeals: intake from every channel, and triage (accept, refer, reject, resolve).

Every change writes a timeline row the resident sees (AppealEvent) and an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    AppealStatus,
    Category,
    Channel,
)
from qinlin.appeals.permissions import can_file, can_triage
from qinlin.appeals.photos import Upload, clean_photos
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client, rate_limit_check
from qinlin.people.models import Person
from qinlin.people.services import normalise_phone
from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.services import topic_create
from qinlin.topics.states import OPEN_STAGES

MAX_TEXT = 2000


def _household_of(person: Person | None, place: Place) -> Place | None:
    """The reporter's home: the place itself when it is a home, else their home under it."""
    if place.kind == PlaceKind.HOME:
        return place
    if person is None:
        return None
    return (
        Place.objects.filter(
            place.subtree_q(),
            kind=PlaceKind.HOME,
            residencies__person=person,
            residencies__status="confirmed",
        )
        .order_by("path")
        .first()
    )


def appeal_submit(
    *,
    actor: Person,
    text: str,
    category: Category,
    place: Place,
    channel: str = Channel.ONLINE,
    reporter: Person | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[Upload] = (),
    created_at: datetime | None = None,
    idempotency_key: str | None = None,
    client: Client | None = None,
) -> tuple[Appeal, bool]:
    """Record an appeal; returns (appeal, created).

    A resident files online about their home or around it (reporter = themselves); staff
    enter appeals heard through the other channels, for a reporter with or without an
    account. A repeated `idempotency_key` from the same caller returns the first appeal
    (and is not counted again against the rate limits of `client`, core/ratelimit.py).
    """
    if idempotency_key:
        earlier = Appeal.objects.filter(entered_by=actor, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    text = _check_text(text)
    _check_choice(channel=channel, category=category)
    staff_entry = reporter is None or reporter.pk != actor.pk or channel != Channel.ONLINE
    if staff_entry:
        if not can(actor, "appeals.enter", place):
            raise ForbiddenError()
    elif not can_file(actor, place):
        raise ForbiddenError(
            _("只能反映您所住小区的事情。请先认证您的房屋。"), code="not_a_resident"
        )
    reporter_name = reporter_name.strip()[:50]
    reporter_phone = normalise_phone(reporter_phone)
    if reporter is None and not reporter_name:
        raise DomainError(
            _("请填写反映人的姓名（可只写姓氏，如“王女士”）。"),
            code="reporter_required",
            field="reporter_name",
        )
    cleaned = clean_photos(photos)
    rate_limit_check(
        "appeals.enter" if staff_entry else "appeals.submit", person=actor, client=client
    )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                text=text,
                category=category,
                place=place,
                household=_household_of(reporter, place),
                reporter=reporter,
                reporter_name="" if reporter else reporter_name,
                reporter_phone="" if reporter else reporter_phone,
                channel=channel,
                entered_by=actor,
                created_at=created_at or timezone.now(),
                idempotency_key=idempotency_key or None,
            )
            for photo in cleaned:
                AppealPhoto.objects.create(
                    appeal=appeal, image=photo.content, width=photo.width, height=photo.height
                )
            AppealEvent.objects.create(
                appeal=appeal, at=appeal.created_at, actor=actor, status=AppealStatus.NEW
            )
            audit_record(
                actor=actor,
                verb="appeals.appeal.submitted",
                obj=appeal,
                data={"channel": channel, "category": category.code, "photos": len(cleaned)},
            )
    except IntegrityError:
        # Two retries raced past the check above: the other one created it.
        earlier = Appeal.objects.filter(entered_by=actor, idempotency_key=idempotency_key).first()
        if idempotency_key and earlier is not None:
            return earlier, False
        raise
    return appeal, True


def _check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(_("请写下您要反映的事情。"), code="text_required", field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("内容请控制在 %(n)s 字以内。") % {"n": MAX_TEXT}, code="text_too_long", field="text"
        )
    return text


def _check_choice(*, channel: str, category: Category) -> None:
    if channel not in Channel.values:
        raise DomainError(_("请选择反映渠道。"), code="bad_channel", field="channel")
    if not category.is_active:
        raise DomainError(_("这个类别已停用，请另选。"), code="bad_category", field="category")


def _lock_new(appeals: Sequence[Appeal], actor: Person) -> list[Appeal]:
    locked = list(
        Appeal.objects.select_for_update()
        .select_related("place")
        .filter(pk__in=[a.pk for a in appeals])
        .order_by("created_at", "id")
    )
    if len(locked) != len({a.pk for a in appeals}) or not locked:
        raise DomainError(_("请选择要处理的诉求。"), code="no_appeals")
    for appeal in locked:
        if not can_triage(actor, appeal):
            raise ForbiddenError()
        if appeal.status != AppealStatus.NEW:
            raise ConflictError(
                _("诉求“%(text)s”已经处理过了（%(status)s）。")
                % {"text": appeal.text[:20], "status": appeal.get_status_display()},
                code="already_triaged",
            )
    return locked


def _close(appeal: Appeal, *, actor: Person, status: str, note: str, verb: str) -> None:
    appeal.status = status
    appeal.decision_note = note
    appeal.save(update_fields=["status", "decision_note", "topic", "referred_to"])
    AppealEvent.objects.create(appeal=appeal, actor=actor, status=status, note=note)
    audit_record(
        actor=actor,
        verb=verb,
        obj=appeal,
        data={"note": note, "topic": appeal.topic.uid if appeal.topic else None},
    )


def _grid_of(places: Sequence[Place]) -> Place:
    """The smallest grid (compound, building or unit) holding every one of `places`."""
    paths = [p.path for p in places]
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:-SEGMENT]
    compound_depth = 3 * SEGMENT
    unit_depth = 5 * SEGMENT
    if len(common) < compound_depth:
        raise DomainError(
            _("这些诉求不在同一个小区，不能并入同一个议题。"), code="different_compounds"
        )
    return Place.objects.get(path=common[: min(len(common), unit_depth)])


def appeal_accept(
    *,
    actor: Person,
    appeals: Sequence[Appeal],
    topic: Topic | None = None,
    title: str = "",
    description: str = "",
    note: str = "",
) -> Topic:
    """Accept public matters into a topic: an existing open one at their compound, or a new
    one (待受理) at the smallest grid that holds them all. Appeals from different compounds
    never share a topic."""
    with transaction.atomic():
        locked = _lock_new(appeals, actor)
        grid = _grid_of([a.place for a in locked])
        if topic is None:
            topic = topic_create(
                actor=actor,
                title=title or locked[0].text[:40],
                description=description or "\n".join(a.text for a in locked),
                category=locked[0].category,
                place=grid,
            )
        else:
            topic = Topic.objects.select_related("place").get(pk=topic.pk)
            compound_path = grid.path[: 3 * SEGMENT]
            if not topic.place.path.startswith(compound_path) or topic.stage not in OPEN_STAGES:
                raise DomainError(
                    _("只能并入本小区尚未办结的议题。"), code="bad_topic", field="topic"
                )
        note = note.strip() or _("已纳入议题“%(title)s”。") % {"title": topic.title}
        for appeal in locked:
            appeal.topic = topic
            _close(
                appeal,
                actor=actor,
                status=AppealStatus.ACCEPTED,
                note=note,
                verb="appeals.appeal.accepted",
            )
    return topic


def appeal_refer(*, actor: Person, appeals: Sequence[Appeal], to: str, note: str = "") -> None:
    """A private matter goes to the body that handles it (property company, police station,
    the 12345 hotline …), with a note the resident reads."""
    to = to.strip()
    if not to:
        raise DomainError(_("请填写转办给哪个单位。"), code="referral_target", field="to")
    with transaction.atomic():
        for appeal in _lock_new(appeals, actor):
            appeal.referred_to = to[:100]
            _close(
                appeal,
                actor=actor,
                status=AppealStatus.REFERRED,
                note=note.strip() or _("已转交%(to)s办理。") % {"to": to},
                verb="appeals.appeal.referred",
            )


def appeal_reject(*, actor: Person, appeals: Sequence[Appeal], reason: str) -> None:
    """Not a matter for deliberation; the reason is shown to the resident."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明不予受理的理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        for appeal in _lock_new(appeals, actor):
            _close(
                appeal,
                actor=actor,
                status=AppealStatus.REJECTED,
                note=reason,
                verb="appeals.appeal.rejected",
            )


def appeal_resolve(*, actor: Person, appeals: Sequence[Appeal], note: str) -> None:
    """Settled on the spot (a bulb changed, a neighbour spoken to); say what was done."""
    note = note.strip()
    if not note:
        raise DomainError(_("请简要说明是怎么解决的。"), code="note_required", field="note")
    with transaction.atomic():
        for appeal in _lock_new(appeals, actor):
            _close(
                appeal,
                actor=actor,
                status=AppealStatus.RESOLVED,
                note=note,
                verb="appeals.appeal.resolved",
            )


def category_save(
    *,
    actor: Person,
    place: Place,
    name: str,
    name_en: str,
    code: str = "",
    category: Category | None = None,
    is_active: bool = True,
) -> Category:
    """Add or edit a category (community office at `place`)."""
    if not can(actor, "appeals.manage_categories", place):
        raise ForbiddenError()
    name, name_en = name.strip(), name_en.strip()
    if not name or not name_en:
        raise DomainError(_("请填写中文和英文名称。"), code="name_required", field="name")
    with transaction.atomic():
        if category is None:
            code = code.strip() or f"c{Category.objects.count() + 1}"
            if Category.objects.filter(code=code).exists():
                raise ConflictError(_("代码已存在。"), code="code_taken", field="code")
            category = Category.objects.create(
                code=code, name=name, name_en=name_en, order=Category.objects.count() + 1
            )
        else:
            category.name, category.name_en, category.is_active = name, name_en, is_active
            category.save(update_fields=["name", "name_en", "is_active"])
        audit_record(
            actor=actor,
            verb="appeals.category.saved",
            obj=None,
            data={"code": category.code, "name": name, "active": category.is_active},
        )
    return category
