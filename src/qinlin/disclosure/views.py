"""Staff pages of disclosure: the channels of a place, drafting a notice from a topic's record
or from scratch, editing and publishing it, withdrawing it, and handling objections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.disclosure.drafting import notice_subjects
from qinlin.disclosure.forms import (
    AnswerForm,
    ChannelForm,
    FreeNoticeForm,
    NoticeForm,
    ObjectionRecordForm,
    SubjectForm,
    WithdrawForm,
)
from qinlin.disclosure.models import Channel, Notice, NoticeStatus, Objection
from qinlin.disclosure.rendering import chat_text, public_url
from qinlin.disclosure.selectors import channels_for, notice_get
from qinlin.disclosure.services import (
    channel_create,
    notice_draft,
    notice_publish,
    notice_update,
    notice_withdraw,
    notice_write,
    objection_answer,
    objection_record,
)
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import places_where
from qinlin.topics.views import topic_or_404


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    places = places_where(person, "disclosure.channels")
    if not places:
        raise PermissionDenied
    choices = {p.uid: p for p in places}
    form = ChannelForm(request.POST or None, places=[(u, p.address) for u, p in choices.items()])
    if request.method == "POST" and form.is_valid():
        try:
            channel_create(
                actor=person,
                place=choices[form.cleaned_data["place"]],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("公开渠道已添加。"))
            return redirect("disclosure:channels")
    query = Q(pk__in=[])
    for place in places:
        query |= place.subtree_q("place__")
    listed = Channel.objects.filter(query).select_related("place__parent__parent")
    return render(
        request,
        "disclosure/channels.html",
        {"channels": list(listed.order_by("place__path", "kind", "name")[:500]), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def notice_new(request: HttpRequest, uid: str) -> HttpResponse:
    """Choose which of the topic's records to disclose; the draft is filled in from it."""
    person = current_person(request)
    topic = topic_or_404(person, uid)
    if not can(person, "disclosure.publish", topic.place):
        raise PermissionDenied
    subjects = notice_subjects(topic)
    form = SubjectForm(
        request.POST or None,
        subjects=[(s.key, f"{s.kind.label}：{s.label}") for s in subjects],
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = notice_draft(actor=person, topic=topic, subject=form.cleaned_data["subject"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("disclosure:notice", uid=notice.uid)
    return render(
        request,
        "disclosure/notice_new.html",
        {"topic": topic, "form": form, "has_subjects": bool(subjects)},
        status=400 if form.errors else 200,
    )


@login_required
def notice_new_free(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    places = {p.uid: p for p in places_where(person, "disclosure.publish")}
    if not places:
        raise PermissionDenied
    form = FreeNoticeForm(
        request.POST or None,
        places=[(u, p.address) for u, p in places.items()],
        initial={"place": request.GET.get("place")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_write(
                actor=person, place=places[data["place"]], title=data["title"], body=data["body"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("disclosure:notice", uid=notice.uid)
    return render(
        request,
        "disclosure/notice_new.html",
        {"form": form, "has_subjects": True},
        status=400 if form.errors else 200,
    )


def _staff_notice(person: Person, uid: str) -> Notice:
    notice = notice_get(uid)
    if notice is None or not can(person, "disclosure.publish", notice.place):
        raise Http404
    return notice


def _page(request: HttpRequest, notice: Notice, status: int = 200, **forms: Any) -> HttpResponse:
    choices = [(c.uid, f"{c.get_kind_display()} · {c.name}") for c in channels_for(notice.place)]
    draft = notice.state == NoticeStatus.DRAFT
    in_period = notice.in_period()
    context = {
        "notice": notice,
        "notice_form": forms.get("notice_form")
        or NoticeForm(
            channels=choices,
            initial={
                "title": notice.title,
                "body": notice.body,
                "period_days": notice.period_days,
                "channels": [uid for uid, _label in choices],
            },
        )
        if draft
        else None,
        "has_channels": bool(choices),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm()
        if notice.state == NoticeStatus.PUBLISHED
        else None,
        "record_form": forms.get("record_form") or ObjectionRecordForm() if in_period else None,
        "objections": [
            (o, AnswerForm(initial={"answer": o.answer})) for o in notice.objections.all()
        ],
        "public_url": public_url(request, notice) if not draft else "",
        "chat_text": chat_text(request, notice) if not draft else "",
        "requests": list(notice.requests.all()),
    }
    return render(request, "disclosure/notice_detail.html", context, status=status)


@login_required
def notice_detail(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    notice = notice_get(uid)
    if notice is not None and not can(person, "disclosure.publish", notice.place):
        # Everyone else reads the public page, which shows only what is published.
        return redirect("public:notice", uid=uid)
    return _page(request, _staff_notice(person, uid))


@login_required
@require_POST
def notice_act(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    notice = _staff_notice(person, uid)
    action = request.POST.get("action", "")
    forms: dict[str, Any] = {}
    form: Form
    try:
        if action in ("save", "publish"):
            chosen = {c.uid: c for c in channels_for(notice.place)}
            form = NoticeForm(request.POST, channels=[(u, c.name) for u, c in chosen.items()])
            forms["notice_form"] = form
            if form.is_valid():
                data = form.cleaned_data
                with transaction.atomic():
                    notice_update(
                        actor=person,
                        notice=notice,
                        title=data["title"],
                        body=data["body"],
                        period_days=data["period_days"],
                    )
                    if action == "publish":
                        notice_publish(
                            actor=person,
                            notice=notice,
                            channels=[chosen[u] for u in data["channels"]],
                        )
                done = _("公示已发布。") if action == "publish" else _("草稿已保存。")
                messages.success(request, done)
                return redirect("disclosure:notice", uid=uid)
        elif action == "withdraw":
            form = forms["withdraw_form"] = WithdrawForm(request.POST)
            if form.is_valid():
                notice_withdraw(actor=person, notice=notice, reason=form.cleaned_data["reason"])
                messages.success(request, _("公示已撤回。"))
                return redirect("disclosure:notice", uid=uid)
        elif action == "record_objection":
            form = forms["record_form"] = ObjectionRecordForm(request.POST)
            if form.is_valid():
                objection_record(actor=person, notice=notice, **form.cleaned_data)
                messages.success(request, _("异议已登记。"))
                return redirect(reverse("disclosure:notice", args=[uid]) + "#objections")
        else:
            raise Http404
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        error.add_to(form)
    return _page(request, notice_get(uid) or notice, status=400, **forms)


@login_required
@require_POST
def objection_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = current_person(request)
    objection = Objection.objects.select_related("notice__place").filter(pk=pk).first()
    if objection is None or not can(person, "disclosure.publish", objection.notice.place):
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            objection_answer(actor=person, objection=objection, answer=form.cleaned_data["answer"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("答复已公开。"))
    else:
        messages.error(request, _("请填写答复。"))
    url = reverse("disclosure:notice", args=[objection.notice.uid])
    return redirect(f"{url}#objection-{objection.pk}")
