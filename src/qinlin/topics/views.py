"""Topic pages: the board of topics by stage, and the topic page with its next actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.permissions import can
from qinlin.disclosure.selectors import notices_of_topic
from qinlin.evaluation.forms import AuditForm, SurveyForm
from qinlin.evaluation.selectors import audits_of, figures_of, surveys_of
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.topics.forms import (
    AdvanceForm,
    BoardFilterForm,
    NewTopicForm,
    OptionForm,
    ResponsibleForm,
    TopicForm,
)
from qinlin.topics.models import Topic
from qinlin.topics.requirements import RECORD_NEEDS, record_status
from qinlin.topics.selectors import (
    TopicFilters,
    board_places,
    topic_get_for,
    topic_grids,
    topic_people,
    topics_board,
    topics_listed,
)
from qinlin.topics.services import (
    OPTION_STAGES,
    option_save,
    topic_advance,
    topic_create,
    topic_set_responsible,
    topic_update,
)
from qinlin.topics.states import OPEN_STAGES, Need, Stage, transitions_from
from qinlin.topics.timeline import topic_timeline
from qinlin.votes.selectors import latest_closed_result, scope_choices, topic_votes
from qinlin.works.forms import AcceptanceForm, FundingForm, ReportForm, TaskForm, TenderForm
from qinlin.works.selectors import acceptances_of, funding_of, tasks_of, tenders_of

COLUMN_CARDS = 20  # a column's newest cards; "all N" opens the stage a page at a time
ENDED_CARDS = 5  # of a final stage: the board is for the work under way
STAGE_PAGE = 60
ENDED_STAGES = (Stage.REJECTED, Stage.REFERRED)
BOARD_COLUMNS = [s for s in Stage if s not in ENDED_STAGES]


def topic_or_404(person: Person, uid: str) -> Topic:
    """The topic for a page, or 404 when it is missing or not the person's to read."""
    try:
        return topic_get_for(person, uid)
    except NotFoundError:
        raise Http404 from None


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Staff: topics under a place by stage. Residents: the topics of their compounds. Each
    column holds its stage's newest cards and links to the whole stage, a page at a time."""
    person = current_person(request)
    places = board_places(person)
    form = BoardFilterForm(request.GET or None, places=[(p.uid, p.address) for p in places])
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    category = filters.get("category")
    chosen = TopicFilters(
        place=next((p for p in places if p.uid == filters.get("place")), None),
        stage=filters.get("stage") or "",
        category_code=category.code if category else "",
        title_contains=filters.get("q") or "",
    )
    context: dict[str, Any] = {
        "form": form,
        "is_staff": bool(places) and can(person, "topics.view_board"),
        "can_create": can(person, "topics.edit"),
    }
    if chosen.stage:
        listed = topics_listed(person, chosen)
        page = Paginator(listed, STAGE_PAGE).get_page(request.GET.get("page"))
        stage = Stage(chosen.stage)
        context |= {
            "page": page,
            "query": _stage_query(request, chosen.stage),
            "columns": [(stage, page.object_list, page.paginator.count, "")],
            "ended": [],
            "count": page.paginator.count,
        }
        return render(request, "topics/board.html", context)
    shown = topics_board(person, chosen, per_stage=COLUMN_CARDS, per_final_stage=ENDED_CARDS)

    def column(stage: Stage) -> tuple[Stage, list[Topic], int, str]:
        cards = [t for t in shown.topics if t.stage == stage]
        total = shown.counts.get(stage, 0)
        return stage, cards, total, _stage_query(request, stage) if total > len(cards) else ""

    context |= {
        "columns": [column(stage) for stage in BOARD_COLUMNS],
        "ended": [column(stage) for stage in ENDED_STAGES if shown.counts.get(stage)],
        "count": sum(shown.counts.values()),
    }
    return render(request, "topics/board.html", context)


def _stage_query(request: HttpRequest, stage: str) -> str:
    """The board's filters as they are, narrowed to `stage`, without a page number."""
    query = request.GET.copy()
    query.pop("page", None)
    query["stage"] = stage
    return query.urlencode()


def _actions(person: Person, topic: Topic, data: Any = None, failed: str = "") -> list[Any]:
    """The transitions this person may take now, each with its form and its checklist."""
    status = record_status(topic)
    actions = []
    for step in transitions_from(topic.stage):
        if not can(person, step.act.value, topic.place):
            continue
        form = AdvanceForm(
            data if failed == step.target else None,
            step=step,
            options=topic.options.all(),
            people=topic_people(topic),
            initial=_from_the_vote(topic) if Need.TALLY in step.needs else None,
        )
        checklist = [(need.label, status[need]) for need in step.needs if need in RECORD_NEEDS]
        actions.append({"step": step, "form": form, "checklist": checklist})
    return actions


def _works(person: Person, topic: Topic, extra: dict[str, Any]) -> dict[str, Any]:
    """The execution section: tasks with their reports, a form to add one, and a report form
    for each task the person may report on (the bound one kept on an error)."""
    tasks = tasks_of(topic.pk)
    manager = can(person, "works.manage_tasks", topic.place)
    staff = can(person, "works.report", topic.place)
    failed = extra.pop("report_form", None)
    rows = [
        (
            task,
            (
                failed
                if failed is not None and failed.prefix == task.uid
                else ReportForm(prefix=task.uid)
            )
            if staff or task.responsible_id == person.pk
            else None,
        )
        for task in tasks
    ]
    adding = manager and topic.stage in (Stage.DECIDED, Stage.EXECUTING)
    plan = funding_of(topic.pk)
    funding_form = extra.pop("funding_form", None)
    frozen = plan is not None and bool(getattr(plan, "paid", 0) or getattr(plan, "exempt", 0))
    if funding_form is None and adding and not frozen:
        scopes = scope_choices(topic.place)
        funding_form = FundingForm(
            scopes=[(p.uid, p.address) for p in scopes],
            initial={"scope": topic.place.uid, "share_mode": "area"},
        )
    executing = topic.stage == Stage.EXECUTING
    return {
        "tenders": tenders_of(topic.pk),
        "tender_form": extra.pop("tender_form", None)
        or (TenderForm() if adding and can(person, "works.tender", topic.place) else None),
        "acceptances": acceptances_of(topic.pk),
        "acceptance_form": extra.pop("acceptance_form", None)
        or (
            AcceptanceForm(initial={"held_on": timezone.localdate()})
            if executing and can(person, "topics.execute", topic.place)
            else None
        ),
        "funding": plan,
        "funding_form": funding_form,
        "can_collect": manager,
        "tasks": rows,
        "task_form": extra.pop("task_form", None)
        or (TaskForm(people=topic_people(topic)) if adding else None),
        "today": timezone.localdate(),
    }


def _evaluation(person: Person, topic: Topic, extra: dict[str, Any]) -> dict[str, Any]:
    """The evaluation section: audits, surveys with their figures, the feedback they raised,
    and the forms to add an audit or open a survey while the topic is being evaluated."""
    evaluating = topic.stage == Stage.EVALUATING
    surveys = surveys_of(topic.pk)
    scopes = scope_choices(topic.place) if evaluating else []
    return {
        "audits": audits_of(topic.pk),
        "audit_form": extra.pop("audit_form", None)
        or (
            AuditForm(initial={"held_on": timezone.localdate()})
            if evaluating and can(person, "evaluation.audit", topic.place)
            else None
        ),
        "surveys": [(survey, figures_of(survey)) for survey in surveys],
        "survey_form": extra.pop("survey_form", None)
        or (
            SurveyForm(
                scopes=[(p.uid, p.address) for p in scopes],
                initial={
                    "scope": topic.place.uid,
                    "closes_on": timezone.localdate() + timedelta(days=14),
                },
            )
            if evaluating
            and all(s.ended_at for s in surveys)
            and can(person, "evaluation.survey", topic.place)
            else None
        ),
        "feedback": list(topic.feedback.order_by("closed_at", "-created_at")[:50]),
        "can_feedback": can(person, "evaluation.feedback", topic.place),
    }


def _from_the_vote(topic: Topic) -> dict[str, Any]:
    """The closed owners' vote fills in the tally and the option it carried."""
    result = latest_closed_result(topic.pk)
    if not result:
        return {}
    english = (get_language() or "").startswith("en")
    carried = [letter for letter, r in result.items() if r.get("passed")]
    option = next((o for o in topic.options.all() if o.letter in carried), None)
    return {
        "tally": "\n".join(str(r["en" if english else "zh"]) for r in result.values()),
        "option": option,
    }


def topic_page(request: HttpRequest, topic: Topic, **extra: Any) -> HttpResponse:
    """The topic page, of a topic as `topic_or_404` gives it (its options, steps and meetings
    prefetched, its households counted); other apps' forms re-render it with their bound form
    on an error."""
    person = current_person(request)
    status = extra.pop("status", 200)
    staff = can(person, "topics.view_board", topic.place)
    editable = can(person, "topics.edit", topic.place)
    disclose = can(person, "disclosure.publish", topic.place)
    context = {
        "topic": topic,
        "is_staff": staff,
        "timeline": topic_timeline(topic, full_names=staff),
        "options": list(topic.options.all()),
        "meetings": list(topic.meetings.all()),
        "households": topic.households,  # type: ignore[attr-defined]  # counted by topic_get
        "appeals": topic.appeals.count(),
        "actions": _actions(person, topic) if staff else [],
        "option_form": OptionForm() if editable and topic.stage in OPTION_STAGES else None,
        "topic_form": TopicForm(
            prefix="topic",
            initial={
                "title": topic.title,
                "description": topic.description,
                "category": topic.category,
            },
        )
        if editable and topic.stage in OPEN_STAGES
        else None,
        "can_set_responsible": editable,
        "votes": topic_votes(topic.pk),
        "can_open_vote": topic.stage == Stage.VOTING and can(person, "votes.open", topic.place),
        **_works(person, topic, extra),
        **_evaluation(person, topic, extra),
        "notices": [n for n in notices_of_topic(topic.pk) if n.state != "draft" or disclose],
        "can_disclose": disclose,
        "can_convene": topic.stage in OPEN_STAGES
        and can(person, "topics.run_meetings", topic.place),
        **extra,
    }
    return render(request, "topics/topic_detail.html", context, status=status)


@login_required
def topic_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return topic_page(request, topic_or_404(current_person(request), uid))


@login_required
def topic_advance_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    if request.method != "POST":
        return redirect("topics:topic-detail", uid=uid)
    target = request.POST.get("to", "")
    step = next((s for s in transitions_from(topic.stage) if s.target == target), None)
    if step is None:
        messages.error(request, _("议题的阶段已经变化，请刷新后再试。"))
        return redirect("topics:topic-detail", uid=uid)
    form = AdvanceForm(
        request.POST, step=step, options=topic.options.all(), people=topic_people(topic)
    )
    if form.is_valid():
        try:
            topic_advance(topic=topic, to=target, actor=person, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(
                request,
                _("议题已进入“%(stage)s”阶段。") % {"stage": Stage(target).label},
            )
            return redirect("topics:topic-detail", uid=uid)
    actions = [
        {**a, "form": form} if a["step"].target == target else a for a in _actions(person, topic)
    ]
    return topic_page(request, topic, actions=actions, open_action=target, status=400)


@login_required
def option_add(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    if request.method != "POST":
        return redirect("topics:topic-detail", uid=uid)
    form = OptionForm(request.POST)
    if form.is_valid():
        try:
            option = option_save(actor=person, topic=topic, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, _("已添加方案 %(letter)s。") % {"letter": option.letter})
            return redirect("topics:topic-detail", uid=uid)
    return topic_page(request, topic, option_form=form, status=400)


@login_required
def responsible_set(request: HttpRequest, uid: str) -> HttpResponse:
    """Its own page, not a part of the topic page: a checkbox for everyone holding a role
    around the grid (74 at the demo's compound) made the topic page a third slower to draw
    for every look, when few looks change them."""
    person = current_person(request)
    topic = topic_or_404(person, uid)
    if request.method != "POST":
        if not can(person, "topics.edit", topic.place):
            return redirect("topics:topic-detail", uid=uid)
        form = ResponsibleForm(
            initial={"people": list(topic.responsible.all())}, people=topic_people(topic)
        )
        return render(request, "topics/responsible.html", {"topic": topic, "form": form})
    form = ResponsibleForm(request.POST, people=topic_people(topic))
    if form.is_valid():
        try:
            topic_set_responsible(actor=person, topic=topic, people=form.cleaned_data["people"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已更新负责人。"))
            return redirect("topics:topic-detail", uid=uid)
    return render(request, "topics/responsible.html", {"topic": topic, "form": form}, status=400)


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    """Raise a topic that did not come from appeals (a branch's own proposal, a sunshine day)."""
    person = current_person(request)
    grids = {p.uid: p for p in topic_grids(person)}
    if not grids:
        raise Http404
    form = NewTopicForm(request.POST or None, places=[(u, p.address) for u, p in grids.items()])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = topic_create(
                actor=person,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                place=grids[data["place"]],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("议题已形成，待受理。"))
            return redirect("topics:topic-detail", uid=topic.uid)
    return render(
        request, "topics/topic_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def topic_edit(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, uid)
    if request.method != "POST":
        return redirect("topics:topic-detail", uid=uid)
    form = TopicForm(request.POST, prefix="topic")
    if form.is_valid():
        try:
            topic_update(actor=person, topic=topic, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("议题已修改。"))
            return redirect("topics:topic-detail", uid=uid)
    return topic_page(request, topic, topic_form=form, status=400)
