"""Writes about execution: a decided topic's tasks and their progress reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.photos import Upload, clean_photos
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.topics.models import Topic
from qinlin.topics.services import step_record
from qinlin.topics.states import Stage
from qinlin.works.models import Task, TaskPhoto, TaskReport, TaskStatus

TASK_STAGES = (Stage.DECIDED, Stage.EXECUTING)


def task_create(
    *, actor: Person, topic: Topic, title: str, responsible: Person, due_on: date
) -> Task:
    """A task of a decided topic, with the person responsible (typically a party-member
    backbone, an owners'-committee member or the property company's contact) and a due date."""
    if not can(actor, "works.manage_tasks", topic.place):
        raise ForbiddenError()
    title = title.strip()
    if not title:
        raise DomainError(_("请填写任务内容。"), code="title_required", field="title")
    if topic.stage not in TASK_STAGES:
        raise ConflictError(_("议题形成决定后才能安排办理任务。"), code="topic_not_decided")
    if due_on < timezone.localdate():
        raise DomainError(_("完成期限不能早于今天。"), code="bad_due", field="due_on")
    with transaction.atomic():
        task = Task.objects.create(
            topic=topic,
            title=title[:120],
            responsible=responsible,
            due_on=due_on,
            created_by=actor,
        )
        step_record(
            topic=topic,
            actor=actor,
            verb="task_created",
            task=task.title,
            due=due_on.isoformat(),
        )
        audit_record(
            actor=actor,
            verb="works.task.created",
            obj=task,
            data={"topic": topic.uid, "due_on": due_on.isoformat()},
        )
    return task


def task_report(
    *, actor: Person, task: Task, text: str, status: str, photos: Sequence[Upload] = ()
) -> TaskReport:
    """Progress on a task: what was done, the status it leaves, photos (checked, stripped of
    location data). The person responsible may always report; staff where they work."""
    if actor.pk != task.responsible_id and not can(actor, "works.report", task.topic.place):
        raise ForbiddenError()
    text = text.strip()
    if not text:
        raise DomainError(_("请写下进展情况。"), code="text_required", field="text")
    if status not in TaskStatus.values:
        raise DomainError(_("请选择任务状态。"), code="bad_status", field="status")
    cleaned = clean_photos(photos)
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("topic").get(pk=task.pk)
        report = TaskReport.objects.create(task=task, actor=actor, text=text[:4000], status=status)
        for photo in cleaned:
            TaskPhoto.objects.create(
                report=report, image=photo.content, width=photo.width, height=photo.height
            )
        finished = status == TaskStatus.DONE and task.status != TaskStatus.DONE
        task.status = status
        task.done_at = timezone.now() if status == TaskStatus.DONE else None
        task.save(update_fields=["status", "done_at"])
        if finished:
            step_record(topic=task.topic, actor=actor, verb="task_done", task=task.title)
        audit_record(
            actor=actor,
            verb="works.task.reported",
            obj=task,
            data={"status": status, "photos": len(cleaned)},
        )
    return report
