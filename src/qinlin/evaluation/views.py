"""Pages of evaluation on a topic: record an audit, open a satisfaction survey, answer it
online or door to door, and end it (the feedback and campaign pages have their own modules)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.files import private_file
from qinlin.core.permissions import can
from qinlin.evaluation.forms import AuditForm, ResponseForm, SurveyForm
from qinlin.evaluation.models import (
    AuditDocument,
    Level,
    ResponseChannel,
    Survey,
    SurveyResponse,
)
from qinlin.evaluation.selectors import figures_of, survey_get
from qinlin.evaluation.services import audit_add, survey_end, survey_open, survey_respond
from qinlin.people.current import current_person
from qinlin.people.models import Person, ResidencyStatus
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under, place_subtree
from qinlin.topics.permissions import can_read
from qinlin.topics.views import topic_or_404, topic_page
from qinlin.votes.selectors import scope_choices


def _back(uid: str) -> HttpResponse:
    return redirect(reverse("topics:topic-detail", args=[uid]) + "#evaluation")


@login_required
@require_POST
def audit_add_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    form = AuditForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            audit_add(
                actor=person,
                topic=topic,
                held_on=data["held_on"],
                panel=data["panel"],
                findings=data["findings"],
                verdict=data["verdict"],
                problems=data["problems"].splitlines(),
                documents=[(f.name or "", f) for f in data["documents"]],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("审计评估已记录。"))
            return _back(uid)
    return topic_page(request, topic, audit_form=form, status=400)


@login_required
def audit_document(request: HttpRequest, pk: int) -> FileResponse:
    document = AuditDocument.objects.select_related("audit__topic__place").filter(pk=pk).first()
    if document is None or not can_read(current_person(request), document.audit.topic):
        raise Http404
    return private_file(document.image.name)


def survey_scopes(topic_place: Place) -> dict[str, Place]:
    return {p.uid: p for p in scope_choices(topic_place)}


@login_required
@require_POST
def survey_open_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    scopes = survey_scopes(topic.place)
    form = SurveyForm(request.POST, scopes=[(u, p.address) for u, p in scopes.items()])
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey = survey_open(
                actor=person,
                topic=topic,
                scope=scopes[data["scope"]],
                closes_on=data["closes_on"],
                min_rate=data["min_rate"],
                satisfied_levels=data["satisfied_levels"],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("满意度测评已发起。"))
            return redirect("evaluation:survey", uid=survey.uid)
    return topic_page(request, topic, survey_form=form, status=400)


def _survey(person: Person, uid: str) -> Survey:
    survey = survey_get(uid)
    if survey is None or not can_read(person, survey.topic):
        raise Http404
    return survey


def _my_homes(person: Person, survey: Survey) -> list[tuple[Place, SurveyResponse | None]]:
    """The person's confirmed homes in the scope, each with its current answer."""
    homes = list(
        Place.objects.filter(
            survey.scope.subtree_q(),
            kind=PlaceKind.HOME,
            residencies__person=person,
            residencies__status=ResidencyStatus.CONFIRMED,
        )
        .select_related("parent__parent")
        .distinct()
        .order_by("path")
    )
    answers = {r.home_id: r for r in survey.responses.filter(home__in=homes)}
    return [(home, answers.get(home.pk)) for home in homes]


def _page(
    request: HttpRequest, survey: Survey, form: Any = None, status: int = 200
) -> HttpResponse:
    person = current_person(request)
    is_open = survey.ended_at is None
    figures = figures_of(survey)
    mine = _my_homes(person, survey)
    return render(
        request,
        "evaluation/survey.html",
        {
            "survey": survey,
            "figures": figures,
            "levels": [
                (label, figures.counts[value], value in figures.counted)
                for value, label in _levels()
            ],
            "mine": mine,
            "form": form or ResponseForm() if is_open and mine else None,
            "can_end": is_open and can(person, "evaluation.survey", survey.topic.place),
            "can_door": is_open and can(person, "evaluation.record", survey.scope),
            "unsatisfied": list(
                survey.responses.filter(level="unsatisfied").exclude(comment="").order_by("at")
            )
            if can(person, "evaluation.survey", survey.topic.place)
            else [],
        },
        status=status,
    )


def _levels() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Level.choices]


@login_required
def survey_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _page(request, _survey(current_person(request), uid))


def _answer(
    request: HttpRequest, person: Person, survey: Survey, home: Place, channel: str
) -> ResponseForm | None:
    """Record the form's answer for `home`; the bound form with its refusal when it fails."""
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            survey_respond(
                actor=person,
                survey=survey,
                home=home,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                channel=channel,
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return None
    return form


@login_required
@require_POST
def survey_respond_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    survey = _survey(person, uid)
    homes = {home.uid: home for home, _answer in _my_homes(person, survey)}
    home = homes.get(request.POST.get("home", ""))
    if home is None:
        raise PermissionDenied
    failed = _answer(request, person, survey, home, ResponseChannel.ONLINE)
    if failed is None:
        messages.success(request, _("谢谢！您的评价已记录，测评结束前可以修改。"))
        return redirect("evaluation:survey", uid=uid)
    return _page(request, survey, failed, status=400)


@login_required
def survey_door(request: HttpRequest, uid: str) -> HttpResponse:
    """Door to door: one unit's homes, one row per home with its answer."""
    person = current_person(request)
    survey = _survey(person, uid)
    if not can(person, "evaluation.record", survey.scope) or survey.ended_at is not None:
        raise PermissionDenied
    units = list(
        place_subtree(survey.scope, kind=PlaceKind.UNIT).select_related("parent").order_by("path")
    )
    wanted = request.GET.get("unit") or request.POST.get("unit", "")
    unit = next((u for u in units if u.uid == wanted), units[0] if units else survey.scope)
    homes = {h.uid: h for h in homes_under(unit).order_by("path")}
    failed: tuple[str, ResponseForm] | None = None
    if request.method == "POST":
        home = homes.get(request.POST.get("home", ""))
        if home is None:
            raise Http404
        form = _answer(request, person, survey, home, ResponseChannel.DOOR)
        if form is None:
            messages.success(request, _("%(home)s 已记录。") % {"home": home.name})
            return redirect(
                reverse("evaluation:survey-door", args=[uid]) + f"?unit={unit.uid}#home-{home.uid}"
            )
        failed = (home.uid, form)
    answers = {r.home_id: r for r in survey.responses.filter(home__in=homes.values())}
    rows = [(home, answers.get(home.pk)) for home in homes.values()]
    return render(
        request,
        "evaluation/survey_door.html",
        {
            "survey": survey,
            "units": units,
            "unit": unit,
            "rows": rows,
            "done": len(answers),
            "levels": _levels(),
            "failed": failed,
        },
        status=400 if failed else 200,
    )


@login_required
@require_POST
def survey_end_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    survey = _survey(person, uid)
    try:
        survey = survey_end(actor=person, survey=survey)
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if survey.result.get("enough"):
            messages.success(request, _("测评已结束，参与率达标，议题可以办结。"))
        else:
            messages.warning(
                request,
                _("测评已结束，但参与率未达到 %(n)s%%，需要重新测评。") % {"n": survey.min_rate},
            )
    return redirect("evaluation:survey", uid=uid)
