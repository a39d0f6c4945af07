"""Meeting pages: convene with an agenda and invitations, sign in, minutes, show of hands."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.topics.forms import (
    CancelForm,
    MeetingForm,
    MinutesForm,
    ParticipantForm,
    ResolutionForm,
)
from qinlin.topics.meeting_services import (
    Invitee,
    meeting_cancel,
    meeting_convene,
    meeting_record_minutes,
    participant_invite,
    participant_sign_in,
    resolution_record,
)
from qinlin.topics.models import Meeting, MeetingStatus, Option, Topic
from qinlin.topics.selectors import meeting_candidates, meeting_get, topics_to_convene
from qinlin.topics.views import topic_or_404


def _meeting(person: Person, uid: str) -> Meeting:
    try:
        return meeting_get(person, uid)
    except NotFoundError:
        raise Http404 from None


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Convene a meeting for a topic (and other open topics of the same grid)."""
    person = current_person(request)
    topic = topic_or_404(person, request.GET.get("topic", ""))
    if not can(person, "topics.run_meetings", topic.place):
        raise PermissionDenied
    agenda = topics_to_convene(person, topic)
    candidates = meeting_candidates(topic.place)
    form = MeetingForm(
        request.POST or None,
        topics=[(t.uid, t.title) for t in agenda],
        people=[(p.uid, f"{p.name}（{label}）") for p, label, _cap in candidates],
        initial={
            "topics": [topic.uid],
            "kind": "local" if topic.stage in ("proposed", "local") else "consultation",
            "title": _("%(title)s 议事会") % {"title": topic.title},
            "starts_at": timezone.localtime().replace(minute=0, second=0, microsecond=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_uid = {p.uid: (p, cap) for p, _label, cap in candidates}
        invitees = [
            Invitee(capacity=by_uid[uid][1], person=by_uid[uid][0]) for uid in data["people"]
        ] + [Invitee(capacity=cap, name=name) for name, cap in data["others"]]
        try:
            meeting = meeting_convene(
                actor=person,
                kind=data["kind"],
                title=data["title"],
                place=topic.place,
                starts_at=data["starts_at"],
                location=data["location"],
                topics=[t for t in agenda if t.uid in data["topics"]],
                invitees=invitees,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("会议已召集，参会人员 %(n)s 人。") % {"n": len(invitees)})
            return redirect("topics:meeting-detail", uid=meeting.uid)
    return render(
        request,
        "topics/meeting_new.html",
        {"form": form, "topic": topic},
        status=400 if form.errors else 200,
    )


def _meeting_page(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    person = current_person(request)
    status = 400 if any(f.errors for f in forms.values()) else 200
    runner = can(person, "topics.run_meetings", meeting.place) and (
        meeting.status != MeetingStatus.CANCELLED
    )
    options = list(Option.objects.filter(topic__meetings=meeting).select_related("topic"))
    resolved = {r.option_id for r in meeting.resolutions.all()}
    open_options = [(str(o.pk), f"{o.topic.title} · {o}") for o in options if o.pk not in resolved]
    english = (get_language() or "").startswith("en")
    context = {
        "meeting": meeting,
        "runner": runner,
        "participants": list(meeting.participants.select_related("person")),
        "agenda": list(Topic.objects.filter(meetings=meeting).order_by("created_at")),
        "resolutions": [
            (r, r.explanation_en if english else r.explanation_zh)
            for r in meeting.resolutions.all()
        ],
        "participant_form": forms.get("participant_form") or ParticipantForm(),
        "minutes_form": forms.get("minutes_form")
        or MinutesForm(initial={"minutes": meeting.minutes}),
        "resolution_form": forms.get("resolution_form")
        or (ResolutionForm(options=open_options) if open_options else None),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "show_names": can(person, "topics.view_board", meeting.place),
    }
    return render(request, "topics/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _meeting_page(request, _meeting(current_person(request), uid))


@login_required
def meeting_act(request: HttpRequest, uid: str) -> HttpResponse:
    """One POST endpoint per meeting; `action` says which form was sent."""
    person = current_person(request)
    meeting = _meeting(person, uid)
    if request.method != "POST":
        return redirect("topics:meeting-detail", uid=uid)
    action = request.POST.get("action", "")
    handlers = {
        "invite": _invite,
        "sign_in": _sign_in,
        "undo_sign_in": _sign_in,
        "minutes": _minutes,
        "hands": _hands,
        "cancel": _cancel,
    }
    if action not in handlers:
        raise Http404
    return handlers[action](request, person, meeting, action)


def _done(request: HttpRequest, meeting: Meeting, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("topics:meeting-detail", uid=meeting.uid)


def _invite(request: HttpRequest, person: Person, meeting: Meeting, _a: str) -> HttpResponse:
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            participant_invite(
                actor=person,
                meeting=meeting,
                invitee=Invitee(
                    capacity=form.cleaned_data["capacity"], name=form.cleaned_data["name"]
                ),
            )
        except DomainError as error:
            error.add_to(form)
        else:
            return _done(request, meeting, _("已添加参会人员。"))
    return _meeting_page(request, meeting, participant_form=form)


def _sign_in(request: HttpRequest, person: Person, meeting: Meeting, action: str) -> HttpResponse:
    participant = meeting.participants.filter(pk=request.POST.get("participant") or 0).first()
    if participant is None:
        raise Http404
    try:
        participant_sign_in(actor=person, participant=participant, attended=action == "sign_in")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(reverse("topics:meeting-detail", kwargs={"uid": meeting.uid}) + "#attendance")


def _minutes(request: HttpRequest, person: Person, meeting: Meeting, _a: str) -> HttpResponse:
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            meeting_record_minutes(
                actor=person, meeting=meeting, minutes=form.cleaned_data["minutes"]
            )
        except DomainError as error:
            form.add_error("minutes", str(error))
        else:
            return _done(request, meeting, _("会议纪要已保存，会议记为已召开。"))
    return _meeting_page(request, meeting, minutes_form=form)


def _hands(request: HttpRequest, person: Person, meeting: Meeting, _a: str) -> HttpResponse:
    options = Option.objects.filter(topic__meetings=meeting).select_related("topic")
    form = ResolutionForm(request.POST, options=[(str(o.pk), str(o)) for o in options])
    if form.is_valid():
        data = form.cleaned_data
        try:
            resolution = resolution_record(
                actor=person,
                meeting=meeting,
                option=options.get(pk=data["option"]),
                rule=data["rule"],
                agree=data["agree"],
                disagree=data["disagree"],
                abstain=data["abstain"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            text = _("方案已通过。") if resolution.passed else _("方案未通过。")
            return _done(request, meeting, text)
    return _meeting_page(request, meeting, resolution_form=form)


def _cancel(request: HttpRequest, person: Person, meeting: Meeting, _a: str) -> HttpResponse:
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            meeting_cancel(actor=person, meeting=meeting, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason", str(error))
        else:
            return _done(request, meeting, _("会议已取消。"))
    return _meeting_page(request, meeting, cancel_form=form)
