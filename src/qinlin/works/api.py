"""/api/v1/works: read a decided topic's tasks, tenders and funding plan, and record progress
on a task through `task_report` (the same rules and refusals as the topic page)."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from qinlin.core.errors import NotFoundError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import person_confirmed_homes
from qinlin.places.schemas import ErrorOut
from qinlin.topics.models import Topic
from qinlin.topics.permissions import can_read
from qinlin.topics.selectors import topic_get_for
from qinlin.works.models import TenderStatus
from qinlin.works.schemas import FundingOut, ReportIn, TaskOut, TenderOut
from qinlin.works.selectors import funding_of, shares_of, task_get, tasks_of, tenders_of
from qinlin.works.services import task_report

router = Router(tags=["works"])

NOT_READABLE = (
    "A topic (or task) that does not exist and one the caller may not read both answer 404: "
    "a 403 would confirm that it exists."
)
MASKING = (
    "People's names are masked (张*明) unless the caller is staff at the topic's place "
    "(holds a role that sees the topic board there)."
)


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


def _full_names(person: Person, topic: Topic) -> bool:
    """Staff of the place read names in full, as on the topic's timeline."""
    return can(person, "topics.view_board", topic.place)


@router.get(
    "/topics/{uid}/tasks",
    response={200: list[TaskOut], 404: ErrorOut},
    summary="A topic's tasks with their progress reports",
    description="Every task set for the topic's execution: who is responsible, the due date, "
    "the status and whether it is overdue, and each progress report with the paths of its "
    f"photos. Anyone who may read the topic may read its tasks. {MASKING} {NOT_READABLE}",
)
def list_tasks(request: HttpRequest, uid: str) -> list[TaskOut]:
    caller = current_person(request)
    topic = topic_get_for(caller, uid)
    full_names = _full_names(caller, topic)
    return [TaskOut.of(task, full_names=full_names) for task in tasks_of(topic.pk)]


@router.get(
    "/topics/{uid}/tenders",
    response={200: list[TenderOut], 404: ErrorOut},
    summary="A topic's public tenders with their bids, comments and award",
    description="Newest tender first. Bids are sealed while a tender is open: only those who "
    "run tenders at the topic's place (`works.tender`) see them then; everyone who may read "
    "the topic sees them once they are published for comment, and after the award. "
    f"{MASKING} {NOT_READABLE}",
)
def list_tenders(request: HttpRequest, uid: str) -> list[TenderOut]:
    caller = current_person(request)
    topic = topic_get_for(caller, uid)
    full_names = _full_names(caller, topic)
    runs_tenders = can(caller, "works.tender", topic.place)
    return [
        TenderOut.of(
            tender,
            full_names=full_names,
            bids_shown=runs_tenders or tender.status != TenderStatus.OPEN,
        )
        for tender in tenders_of(topic.pk)
    ]


@router.get(
    "/topics/{uid}/funding",
    response={200: FundingOut, 404: ErrorOut},
    summary="A topic's funding plan and the homes' shares with their payment status",
    description="The cost, its sources and how the residents' part is shared, all amounts as "
    "exact yuan strings with two decimals and as whole fen. `shares` lists every home's "
    "share to those who manage the topic's works (`works.manage_tasks` at its place), and to "
    "anyone else only the shares of the homes where they are a confirmed resident. A topic "
    f"without a funding plan answers 404 with the code `no_funding_plan`. {NOT_READABLE}",
)
def get_funding(request: HttpRequest, uid: str) -> FundingOut:
    caller = current_person(request)
    topic = topic_get_for(caller, uid)
    plan = funding_of(topic.pk)
    if plan is None:
        raise NotFoundError(_("这个议题还没有资金方案。"), code="no_funding_plan")
    every_home = can(caller, "works.manage_tasks", topic.place)
    # Only confirmed residencies: an unchecked claim must not reveal a home's payments.
    homes = None if every_home else person_confirmed_homes(caller)
    return FundingOut.of(plan, shares=shares_of(plan, homes), all_shares=every_home)


@router.post(
    "/tasks/{uid}/reports",
    response={
        201: TaskOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Record progress on a task",
    description="Records what was done and the status it leaves the task in, and answers with "
    "the task as `GET /topics/{uid}/tasks` shows it. The person responsible may always "
    "report; staff who report on works at the topic's place (`works.report`) may too; anyone "
    "else who may read the topic is refused with 403 and nothing changes. This endpoint takes "
    "no photos: progress photos are uploaded through the web form on the topic page. "
    f"{NOT_READABLE}",
)
def report_task(request: HttpRequest, uid: str, payload: ReportIn) -> Status[TaskOut]:
    caller = current_person(request)
    task = task_get(uid)
    if task is None or not can_read(caller, task.topic):
        raise NotFoundError(_("找不到这个任务。"))
    task_report(actor=caller, task=task, text=payload.text, status=payload.status)
    # Read back with the joins the answer needs, as the list endpoint does.
    done = next(t for t in tasks_of(task.topic_id) if t.pk == task.pk)
    return Status(201, TaskOut.of(done, full_names=_full_names(caller, task.topic)))
