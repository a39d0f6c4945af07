"""Execution pages: tasks and progress, the overdue list, funding and collection, acceptance."""

from __future__ import annotations

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
from qinlin.people.current import current_person
from qinlin.people.selectors import person_role_assignments
from qinlin.topics.models import Topic
from qinlin.topics.permissions import can_read
from qinlin.topics.selectors import topic_people
from qinlin.topics.views import topic_or_404, topic_page
from qinlin.votes.selectors import scope_choices
from qinlin.works.acceptance import work_accept
from qinlin.works.forms import AcceptanceForm, FundingForm, ReportForm, TaskForm
from qinlin.works.funding import funding_plan_set, payment_record
from qinlin.works.models import AcceptancePhoto, HomeShare, TaskPhoto
from qinlin.works.selectors import collection_sheet, funding_of, overdue_tasks, task_get
from qinlin.works.services import task_create, task_report


def _back(topic: Topic, anchor: str = "tasks") -> HttpResponse:
    response = redirect("topics:topic-detail", uid=topic.uid)
    response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def task_add(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    form = TaskForm(request.POST, people=topic_people(topic))
    if form.is_valid():
        try:
            task_create(actor=person, topic=topic, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已安排任务。"))
            return _back(topic)
    return topic_page(request, topic, task_form=form, status=400)


@login_required
@require_POST
def task_report_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    task = task_get(uid)
    if task is None or not can_read(person, task.topic):
        raise Http404
    form = ReportForm(request.POST, request.FILES, prefix=task.uid)
    if form.is_valid():
        try:
            task_report(
                actor=person,
                task=task,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"],
                photos=[(f.name or "", f) for f in form.cleaned_data["photos"]],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("进展已记录。"))
            return _back(task.topic, f"task-{task.uid}")
    return topic_page(request, topic_or_404(person, task.topic.uid), report_form=form, status=400)


@login_required
def task_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Progress photos are public to those who may read the topic, through that check."""
    photo = TaskPhoto.objects.select_related("report__task__topic__place").filter(pk=pk).first()
    if photo is None or not can_read(current_person(request), photo.report.task.topic):
        raise Http404
    return private_file(photo.image.name)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """The overdue tasks under the places where the person oversees execution."""
    person = current_person(request)
    if not can(person, "works.manage_tasks"):
        raise PermissionDenied
    places = [
        a.place
        for a in person_role_assignments(person)
        if can(person, "works.manage_tasks", a.place)
    ]
    return render(request, "works/overdue.html", {"tasks": list(overdue_tasks(places)[:200])})


@login_required
@require_POST
def funding_set(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    scopes = {p.uid: p for p in scope_choices(topic.place)}
    form = FundingForm(request.POST, scopes=[(u, p.address) for u, p in scopes.items()])
    if form.is_valid():
        data = form.cleaned_data
        try:
            funding_plan_set(
                actor=person,
                topic=topic,
                total_fen=int(data["total"] * 100),
                lines=form.lines_fen(),
                scope=scopes[data["scope"]],
                share_mode=data["share_mode"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("资金方案已保存。"))
            return _back(topic, "funding")
    return topic_page(request, topic, funding_form=form, status=400)


@login_required
def collection(request: HttpRequest, uid: str) -> HttpResponse:
    """The printable collection sheet: per building, each home's share and whether it is paid."""
    person = current_person(request)
    topic = topic_or_404(person, uid)
    plan = funding_of(topic.pk)
    if plan is None:
        raise Http404
    if not can(person, "works.manage_tasks", topic.place):
        raise PermissionDenied
    return render(
        request,
        "works/collection.html",
        {"topic": topic, "plan": plan, "buildings": collection_sheet(plan)},
    )


@login_required
@require_POST
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    person = current_person(request)
    share = HomeShare.objects.select_related("plan__topic__place").filter(pk=pk).first()
    if share is None or not can_read(person, share.plan.topic):
        raise Http404
    try:
        payment_record(
            actor=person,
            share=share,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
    url = reverse("works:collection", kwargs={"uid": share.plan.topic.uid})
    return redirect(f"{url}#share-{share.pk}")


@login_required
@require_POST
def acceptance_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    form = AcceptanceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            acceptance = work_accept(
                actor=person,
                topic=topic,
                held_on=data["held_on"],
                participants=data["participants"],
                opinion=data["opinion"],
                passed=data["passed"],
                photos=[(f.name or "", f) for f in data["photos"]],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("验收合格，议题进入测评。")
                if acceptance.passed
                else _("已记录验收意见，整改后可再次验收。"),
            )
            return _back(topic, "acceptance")
    return topic_page(request, topic, acceptance_form=form, status=400)


@login_required
def acceptance_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = AcceptancePhoto.objects.select_related("acceptance__topic__place").filter(pk=pk).first()
    if photo is None or not can_read(current_person(request), photo.acceptance.topic):
        raise Http404
    return private_file(photo.image.name)
