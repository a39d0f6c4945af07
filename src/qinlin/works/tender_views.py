"""Tender pages: open a tender from the topic page, enter bids, publish them for residents'
comments after the deadline, and award with the reason for the choice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.files import private_file
from qinlin.core.masking import mask_name
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.topics.permissions import can_read
from qinlin.topics.views import topic_or_404, topic_page
from qinlin.works.forms import AwardForm, BidForm, CommentForm, TenderForm
from qinlin.works.models import BidDocument, Tender, TenderStatus
from qinlin.works.selectors import tender_get
from qinlin.works.tendering import (
    MIN_BIDS,
    bid_add,
    tender_award,
    tender_comment,
    tender_open,
    tender_publish,
)


def _tender_or_404(person: Person, uid: str) -> Tender:
    tender = tender_get(uid)
    if tender is None or not can_read(person, tender.topic):
        raise Http404
    return tender


def bids_visible(person: Person, tender: Tender) -> bool:
    """Bids stay sealed until they are published; those who run the tender enter them."""
    return tender.status != TenderStatus.OPEN or can(person, "works.tender", tender.topic.place)


def _page(request: HttpRequest, tender: Tender, **forms: Any) -> HttpResponse:
    person = current_person(request)
    runner = can(person, "works.tender", tender.topic.place)
    status = forms.pop("status", 200)
    is_open = tender.status == TenderStatus.OPEN
    before_deadline = timezone.now() < tender.deadline
    bids = list(tender.bids.all())
    comments = list(tender.comments.all())
    staff = can(person, "topics.view_board", tender.topic.place)
    context = {
        "tender": tender,
        "topic": tender.topic,
        "bids": bids if bids_visible(person, tender) else None,
        "bid_count": len(bids),
        "min_bids": MIN_BIDS,
        "runner": runner,
        "before_deadline": before_deadline,
        "bid_form": forms.get("bid_form") or BidForm()
        if runner and is_open and before_deadline
        else None,
        "can_publish": runner and is_open and not before_deadline,
        "comments": [(c, c.author.name if staff else mask_name(c.author.name)) for c in comments],
        "comment_form": forms.get("comment_form") or CommentForm()
        if tender.status == TenderStatus.PUBLISHED
        else None,
        "award_form": forms.get("award_form")
        or AwardForm(bids=[(b.pk, f"{b.vendor} · {b.price}") for b in bids])
        if runner and tender.status == TenderStatus.PUBLISHED
        else None,
    }
    return render(request, "works/tender.html", context, status=status)


@login_required
def tender_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _page(request, _tender_or_404(current_person(request), uid))


@login_required
@require_POST
def tender_open_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    form = TenderForm(request.POST)
    if form.is_valid():
        try:
            tender = tender_open(actor=person, topic=topic, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("招标已发布，可以录入投标。"))
            return redirect("works:tender", uid=tender.uid)
    return topic_page(request, topic, tender_form=form, status=400)


def _act(
    request: HttpRequest, tender: Tender, form: Any, *, key: str, done: str, call: Any
) -> HttpResponse:
    """Run a tender service on a valid form: back to the page with a message, or the page
    again with the form and the refusal."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, done)
            return redirect("works:tender", uid=tender.uid)
    return _page(request, tender, status=400, **{key: form})


@login_required
@require_POST
def bid_add_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    tender = _tender_or_404(person, uid)
    return _act(
        request,
        tender,
        BidForm(request.POST, request.FILES),
        key="bid_form",
        done=_("投标已录入。"),
        call=lambda data: bid_add(
            actor=person,
            tender=tender,
            vendor=data["vendor"],
            price=data["price"],
            product=data["product"],
            qualifications=data["qualifications"],
            documents=[(f.name or "", f) for f in data["documents"]],
        ),
    )


@login_required
@require_POST
def tender_publish_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    tender = _tender_or_404(person, uid)
    try:
        tender_publish(actor=person, tender=tender)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("投标已公示，居民可以提意见。"))
    return redirect("works:tender", uid=tender.uid)


@login_required
@require_POST
def comment_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    tender = _tender_or_404(person, uid)
    return _act(
        request,
        tender,
        CommentForm(request.POST),
        key="comment_form",
        done=_("意见已提交，谢谢。"),
        call=lambda data: tender_comment(actor=person, tender=tender, text=data["text"]),
    )


@login_required
@require_POST
def award_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    tender = _tender_or_404(person, uid)
    bids = {b.pk: b for b in tender.bids.all()}
    return _act(
        request,
        tender,
        AwardForm(request.POST, bids=[(pk, b.vendor) for pk, b in bids.items()]),
        key="award_form",
        done=_("已定标。"),
        call=lambda data: tender_award(
            actor=person, tender=tender, bid=bids[data["bid"]], reason=data["reason"]
        ),
    )


@login_required
def bid_document(request: HttpRequest, pk: int) -> FileResponse:
    document = BidDocument.objects.select_related("bid__tender__topic__place").filter(pk=pk).first()
    person = current_person(request)
    if (
        document is None
        or not can_read(person, document.bid.tender.topic)
        or not bids_visible(person, document.bid.tender)
    ):
        raise Http404
    return private_file(document.image.name)
