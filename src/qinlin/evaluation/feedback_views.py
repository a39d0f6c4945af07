"""Pages for feedback items (反馈问题): the problems audits, surveys and campaigns raise. Staff
see the items under their places, open ones first, with the resolution rate of a period;
on an item's page they assign it, answer it (and mark it resolved), or turn it into an
appeal. Every item is tracked until it is resolved or handed on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.appeals.selectors import categories_active
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.evaluation.feedback_forms import (
    FeedbackAnswerForm,
    FeedbackAppealForm,
    FeedbackAssignForm,
    FeedbackFilterForm,
    FeedbackPeriodForm,
)
from qinlin.evaluation.models import CLOSED_FEEDBACK, FeedbackItem
from qinlin.evaluation.selectors import FeedbackFigures, feedback_figures, feedback_under
from qinlin.evaluation.services import feedback_answer, feedback_assign, feedback_to_appeal
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import assignee_choices, person_role_assignments
from qinlin.places.models import Place

LIST_LIMIT = 200
ACTION = "evaluation.feedback"


# --- the list --------------------------------------------------------------------------------


def _feedback_places(person: Person) -> list[Place]:
    """The topmost places where the person handles feedback: a compound held under a
    community the person also serves is counted once, in the community's figures."""
    held: dict[str, Place] = {}
    for assignment in person_role_assignments(person):
        if can(person, ACTION, assignment.place):
            held.setdefault(assignment.place.path, assignment.place)
    return [
        place
        for path, place in sorted(held.items())
        if not any(path != other and path.startswith(other) for other in held)
    ]


@dataclass(frozen=True)
class PlaceFigures:
    place: Place
    figures: FeedbackFigures

    @property
    def still_open(self) -> int:
        return self.figures.total - self.figures.closed


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None


def _this_year() -> Period:
    today = timezone.localdate()
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def _period(form: FeedbackPeriodForm) -> Period:
    """The period asked for; this calendar year when none is given or the dates are bad
    (the form then says what was wrong). One date alone leaves the other end open."""
    if not form.is_valid():
        return _this_year()
    start, end = form.cleaned_data.get("from"), form.cleaned_data.get("to")
    if start is None and end is None:
        return _this_year()
    return Period(start, end)


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """反馈问题: items under the person's places, open ones first, newest first; the figures
    of a period (by the day an item was raised) above them."""
    person = current_person(request)
    places = _feedback_places(person)
    if not places:
        raise PermissionDenied
    filters = FeedbackFilterForm(request.GET)
    filters.is_valid()
    # Valid fields stay in cleaned_data when another is bad: filter by what can be read.
    status = filters.cleaned_data.get("status", "")
    source = filters.cleaned_data.get("source", "")
    period_form = FeedbackPeriodForm(request.GET)
    period = _period(period_form)

    items = feedback_under(places)
    if status:
        items = items.filter(status=status)
    if source:
        items = items.filter(source=source)
    rows = list(items[: LIST_LIMIT + 1])
    figures = [
        PlaceFigures(place, feedback_figures(place, period.start, period.end)) for place in places
    ]
    kept = period_form.cleaned_data if period_form.is_valid() else {}
    return render(
        request,
        "evaluation/feedback_list.html",
        {
            "items": rows[:LIST_LIMIT],
            "truncated": len(rows) > LIST_LIMIT,
            "limit": LIST_LIMIT,
            "filters": filters,
            "filtered": bool(status or source),
            "period_form": period_form,
            "period": period,
            "figures": figures,
            # Each form keeps the other's readable values, so filtering the list does not
            # reset the period and the other way round.
            "keep_filters": [(k, v) for k, v in (("status", status), ("source", source)) if v],
            "keep_period": [(k, v.isoformat()) for k, v in kept.items() if v is not None],
        },
    )


# --- one item --------------------------------------------------------------------------------


def _item_for(person: Person, uid: str) -> FeedbackItem:
    """The item if the person handles feedback at its place; a 404 that reveals nothing to
    anyone else."""
    found = (
        FeedbackItem.objects.filter(uid=uid)
        .select_related(
            "place__parent__parent__parent",
            "topic",
            "audit",
            "survey_response",
            "campaign",
            "assignee",
            "appeal",
        )
        .first()
    )
    if found is None or not can(person, ACTION, found.place):
        raise Http404
    return found


def _item_page(
    request: HttpRequest,
    item: FeedbackItem,
    *,
    assign_form: FeedbackAssignForm | None = None,
    answer_form: FeedbackAnswerForm | None = None,
    appeal_form: FeedbackAppealForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_open = item.status not in CLOSED_FEEDBACK
    context: dict[str, object] = {"item": item, "is_open": is_open}
    if is_open:
        people = assignee_choices(ACTION, item.place)
        context["can_assign"] = bool(people)
        context["assign_form"] = assign_form or FeedbackAssignForm(
            people=people, initial={"assignee": item.assignee.uid if item.assignee else ""}
        )
        context["answer_form"] = answer_form or FeedbackAnswerForm(initial={"answer": item.answer})
        context["appeal_form"] = appeal_form or FeedbackAppealForm(categories=categories_active())
    return render(request, "evaluation/feedback_item.html", context, status=status)


@login_required
def feedback_item(request: HttpRequest, uid: str) -> HttpResponse:
    return _item_page(request, _item_for(current_person(request), uid))


def _closed(request: HttpRequest, item: FeedbackItem, error: ConflictError) -> HttpResponse:
    """Someone else closed the item meanwhile: say so and show how."""
    messages.error(request, str(error))
    return redirect("evaluation:feedback-item", uid=item.uid)


@login_required
@require_POST
def feedback_assign_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    item = _item_for(person, uid)
    form = FeedbackAssignForm(request.POST, people=assignee_choices(ACTION, item.place))
    if form.is_valid():
        assignee = Person.objects.get(uid=form.cleaned_data["assignee"])
        try:
            feedback_assign(actor=person, item=item, assignee=assignee)
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, item, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已交由 %(name)s 处理。") % {"name": assignee.name})
            return redirect("evaluation:feedback-item", uid=item.uid)
    return _item_page(request, item, assign_form=form, status=400)


@login_required
@require_POST
def feedback_answer_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    item = _item_for(person, uid)
    form = FeedbackAnswerForm(request.POST)
    if form.is_valid():
        resolved = bool(form.cleaned_data["resolved"])
        try:
            feedback_answer(
                actor=person, item=item, answer=form.cleaned_data["answer"], resolved=resolved
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, item, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request, _("问题已办结。") if resolved else _("处理情况已记录，问题尚未办结。")
            )
            return redirect("evaluation:feedback-item", uid=item.uid)
    return _item_page(request, item, answer_form=form, status=400)


@login_required
@require_POST
def feedback_appeal_view(request: HttpRequest, uid: str) -> HttpResponse:
    """The problem needs its own handling: it becomes an appeal at the same place, which
    the appeal inbox then takes up; the item is closed and links to it."""
    person = current_person(request)
    item = _item_for(person, uid)
    form = FeedbackAppealForm(request.POST, categories=categories_active())
    if form.is_valid():
        try:
            feedback_to_appeal(actor=person, item=item, category=form.cleaned_data["category"])
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, item, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已转为诉求，由诉求收件箱跟进。"))
            return redirect("evaluation:feedback-item", uid=item.uid)
    return _item_page(request, item, appeal_form=form, status=400)
