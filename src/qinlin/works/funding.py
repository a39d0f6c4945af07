"""The funding plan of a decided topic: sources that add up to the cost, and the residents'
own part shared among the homes in scope, in fen, to the last fen (works/apportion.py)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.services import step_record
from qinlin.works.apportion import ApportionError, apportion, equal_weights
from qinlin.works.models import (
    FundingLine,
    FundingPlan,
    FundingSource,
    HomeShare,
    PaymentStatus,
    ShareMode,
    yuan,
)
from qinlin.works.services import TASK_STAGES


def funding_plan_set(
    *,
    actor: Person,
    topic: Topic,
    total_fen: int,
    lines: Mapping[str, int],
    scope: Place,
    share_mode: str,
) -> FundingPlan:
    """Set (or, before any payment is recorded, replace) the topic's funding plan. The sources
    must add up exactly to the cost; the residents' part is shared among the homes under
    `scope` by floor area or equally, each share in whole fen, the shares adding up exactly."""
    if not can(actor, "works.manage_tasks", topic.place):
        raise ForbiddenError()
    if topic.stage not in TASK_STAGES:
        raise ConflictError(_("议题形成决定后才能制定资金方案。"), code="topic_not_decided")
    if share_mode not in ShareMode.values:
        raise DomainError(_("请选择分摊方式。"), code="bad_mode", field="share_mode")
    amounts = {source: fen for source, fen in lines.items() if fen}
    if set(amounts) - set(FundingSource.values) or any(fen < 0 for fen in amounts.values()):
        raise DomainError(_("资金来源或金额无效。"), code="bad_line", field="lines")
    if total_fen <= 0 or sum(amounts.values()) != total_fen:
        raise DomainError(
            _("各项资金合计 %(sum)s 元，与总费用 %(total)s 元不符。")
            % {"sum": yuan(sum(amounts.values())), "total": yuan(max(total_fen, 0))},
            code="lines_do_not_add_up",
            field="lines",
        )
    if not scope.path.startswith(topic.place.path[: 3 * SEGMENT]) or scope.kind == PlaceKind.HOME:
        raise DomainError(_("分摊范围须在本议题所在小区内。"), code="bad_scope", field="scope")
    homes = list(Place.objects.filter(scope.subtree_q(), kind=PlaceKind.HOME).order_by("path"))
    residents = amounts.get(FundingSource.RESIDENTS, 0)
    shares = []
    if residents:
        weights = (
            [(str(h.pk), Fraction(h.area or 0)) for h in homes]
            if share_mode == ShareMode.AREA
            else equal_weights([str(h.pk) for h in homes])
        )
        try:
            shares = apportion(residents, weights)
        except ApportionError as error:
            raise DomainError(
                _("无法分摊：分摊范围内的每户都需要登记面积。")
                if error.code == "bad_weight"
                else _("无法分摊：分摊范围内没有房屋。"),
                code=error.code,
                field="scope",
            ) from None
    with transaction.atomic():
        old = FundingPlan.objects.select_for_update().filter(topic=topic).first()
        if old is not None:
            if old.shares.exclude(status=PaymentStatus.UNPAID).exists():
                raise ConflictError(
                    _("已有缴费或减免记录，资金方案不能再改。"), code="payments_recorded"
                )
            old.delete()
        plan = FundingPlan.objects.create(
            topic=topic, total_fen=total_fen, scope=scope, share_mode=share_mode, created_by=actor
        )
        FundingLine.objects.bulk_create(
            [FundingLine(plan=plan, source=s, amount_fen=f) for s, f in amounts.items()]
        )
        by_pk = {str(h.pk): h for h in homes}
        HomeShare.objects.bulk_create(
            [HomeShare(plan=plan, home=by_pk[s.home], amount_fen=s.fen) for s in shares]
        )
        step_record(
            topic=topic,
            actor=actor,
            verb="funding_set",
            total=yuan(total_fen),
            sources="；".join(f"{FundingSource(s).label} {yuan(f)}" for s, f in amounts.items()),
        )
        audit_record(
            actor=actor,
            verb="works.funding.set",
            obj=topic,
            data={"total_fen": total_fen, "lines": amounts, "homes": len(shares)},
        )
    return plan


def payment_record(*, actor: Person, share: HomeShare, status: str, reason: str = "") -> HomeShare:
    """Mark a home's share paid, exempt (with the reason) or unpaid again."""
    plan = share.plan
    if not can(actor, "works.manage_tasks", plan.topic.place):
        raise ForbiddenError()
    if status not in PaymentStatus.values:
        raise DomainError(_("请选择缴费状态。"), code="bad_status", field="status")
    reason = reason.strip()
    if status == PaymentStatus.EXEMPT and not reason:
        raise DomainError(_("减免请写明理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        share = HomeShare.objects.select_for_update().get(pk=share.pk)
        share.status = status
        share.exempt_reason = reason[:200] if status == PaymentStatus.EXEMPT else ""
        share.recorded_by = actor
        share.recorded_at = timezone.now()
        share.save(update_fields=["status", "exempt_reason", "recorded_by", "recorded_at"])
        audit_record(
            actor=actor,
            verb="works.payment.recorded",
            obj=plan.topic,
            data={"home": share.home_id, "status": status},
        )
    return share
