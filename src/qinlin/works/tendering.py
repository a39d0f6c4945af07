"""Public tendering (公开招标): open a tender, enter bids, publish them for residents' comments,
then award with the reason for the choice. The disclosure issue renders and posts the notices;
these services keep the data and its order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.photos import Upload, clean_photos
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.topics.models import Topic
from qinlin.topics.permissions import can_read
from qinlin.topics.services import step_record
from qinlin.works.models import Bid, BidComment, BidDocument, Tender, TenderStatus
from qinlin.works.services import TASK_STAGES

# Public tendering asks for at least three bidders before the bids are published.
MIN_BIDS = 3


def _check(actor: Person, tender: Tender) -> Tender:
    if not can(actor, "works.tender", tender.topic.place):
        raise ForbiddenError()
    return Tender.objects.select_for_update().select_related("topic__place").get(pk=tender.pk)


def tender_open(
    *, actor: Person, topic: Topic, title: str, requirements: str, deadline: datetime
) -> Tender:
    if not can(actor, "works.tender", topic.place):
        raise ForbiddenError()
    if topic.stage not in TASK_STAGES:
        raise ConflictError(_("议题形成决定后才能招标。"), code="topic_not_decided")
    title, requirements = title.strip(), requirements.strip()
    if not title or not requirements:
        raise DomainError(_("请填写招标项目和招标要求。"), code="required", field="title")
    if deadline <= timezone.now():
        raise DomainError(_("投标截止时间必须晚于现在。"), code="bad_deadline", field="deadline")
    with transaction.atomic():
        tender = Tender.objects.create(
            topic=topic,
            title=title[:120],
            requirements=requirements,
            deadline=deadline,
            created_by=actor,
        )
        step_record(topic=topic, actor=actor, verb="tender_opened", tender=tender.title)
        audit_record(actor=actor, verb="works.tender.opened", obj=tender, data={"title": title})
    return tender


def bid_add(
    *,
    actor: Person,
    tender: Tender,
    vendor: str,
    price: Decimal,
    product: str = "",
    qualifications: str = "",
    documents: Sequence[Upload] = (),
) -> Bid:
    """A bid received before the deadline, entered by the owners' committee or staff, with
    photos of its papers (quotation, licence, qualification certificates)."""
    vendor = vendor.strip()
    if not vendor:
        raise DomainError(_("请填写投标单位。"), code="vendor_required", field="vendor")
    if price <= 0:
        raise DomainError(_("报价必须大于 0。"), code="bad_price", field="price")
    cleaned = clean_photos(documents, field="documents")
    with transaction.atomic():
        tender = _check(actor, tender)
        if tender.status != TenderStatus.OPEN or timezone.now() >= tender.deadline:
            raise ConflictError(_("投标已截止。"), code="bids_closed")
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    tender=tender,
                    vendor=vendor[:100],
                    price=price,
                    product=product.strip()[:120],
                    qualifications=qualifications.strip(),
                    entered_by=actor,
                )
        except IntegrityError:
            raise ConflictError(
                _("%(vendor)s 已经投过标。") % {"vendor": vendor}, code="vendor_bid_twice"
            ) from None
        for photo in cleaned:
            BidDocument.objects.create(
                bid=bid, image=photo.content, width=photo.width, height=photo.height
            )
        audit_record(
            actor=actor,
            verb="works.bid.added",
            obj=tender,
            data={"vendor": bid.vendor, "price": str(bid.price)},
        )
    return bid


def tender_publish(*, actor: Person, tender: Tender) -> Tender:
    """After the deadline, the bidders' names, prices and models go out for comment."""
    with transaction.atomic():
        tender = _check(actor, tender)
        if tender.status != TenderStatus.OPEN:
            raise ConflictError(_("投标已经公示过了。"), code="already_published")
        if timezone.now() < tender.deadline:
            raise ConflictError(_("投标截止后才能公示。"), code="bids_open")
        count = tender.bids.count()
        if count < MIN_BIDS:
            raise DomainError(
                _("公开招标应有至少 %(n)s 家投标，目前只有 %(count)s 家。")
                % {"n": MIN_BIDS, "count": count},
                code="too_few_bids",
            )
        tender.status = TenderStatus.PUBLISHED
        tender.published_at = timezone.now()
        tender.save(update_fields=["status", "published_at"])
        step_record(
            topic=tender.topic,
            actor=actor,
            verb="bids_published",
            tender=tender.title,
            bids=count,
        )
        audit_record(actor=actor, verb="works.tender.published", obj=tender, data={"bids": count})
    return tender


def tender_comment(*, actor: Person, tender: Tender, text: str) -> BidComment:
    """Anyone who may read the topic comments on the published bids until the award."""
    if not can_read(actor, tender.topic):
        raise ForbiddenError()
    text = text.strip()
    if not text:
        raise DomainError(_("请写下您的意见。"), code="text_required", field="text")
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.status != TenderStatus.PUBLISHED:
            raise ConflictError(_("投标公示期间才能提意见。"), code="not_published")
        comment = BidComment.objects.create(tender=tender, author=actor, text=text[:2000])
        audit_record(actor=actor, verb="works.tender.commented", obj=tender, data={})
    return comment


def tender_award(*, actor: Person, tender: Tender, bid: Bid, reason: str) -> Tender:
    """Award to one of the published bids, with the reason for the choice (price alone need
    not decide it: quality, warranty and residents' comments may)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请写明定标理由。"), code="reason_required", field="reason")
    with transaction.atomic():
        tender = _check(actor, tender)
        if tender.status != TenderStatus.PUBLISHED:
            raise ConflictError(_("投标公示后才能定标。"), code="not_published")
        if bid.tender_id != tender.pk:
            raise DomainError(_("所选投标不属于这次招标。"), code="bad_bid", field="bid")
        tender.status = TenderStatus.AWARDED
        tender.awarded_bid = bid
        tender.award_reason = reason
        tender.save(update_fields=["status", "awarded_bid", "award_reason"])
        step_record(
            topic=tender.topic,
            actor=actor,
            verb="tender_awarded",
            tender=tender.title,
            vendor=bid.vendor,
            price=str(bid.price),
            text=reason,
        )
        audit_record(
            actor=actor,
            verb="works.tender.awarded",
            obj=tender,
            data={"vendor": bid.vendor, "price": str(bid.price), "reason": reason},
        )
    return tender
