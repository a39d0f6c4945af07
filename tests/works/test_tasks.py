"""Tasks of a decided topic: set them, report progress with photos, see what is overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from qinlin.core.errors import ConflictError, ForbiddenError
from qinlin.people.models import Person
from qinlin.works.models import Task, TaskStatus
from qinlin.works.services import task_create, task_report
from tests.topics.helpers import new_topic
from tests.works.helpers import decided as _decided
from tests.works.helpers import photo

pytestmark = pytest.mark.django_db


def test_a_task_needs_a_decided_topic(erin: Person, carol: Person, places) -> None:
    topic = new_topic(erin, places["unit_a"])
    with pytest.raises(ConflictError):
        task_create(
            actor=erin, topic=topic, title="招标", responsible=carol, due_on=timezone.localdate()
        )
    assert not Task.objects.exists()


def test_the_person_responsible_reports_and_finishing_is_on_the_timeline(
    erin: Person, carol: Person, places
) -> None:
    topic = _decided(erin, places)
    task = task_create(
        actor=erin,
        topic=topic,
        title="更换单元门",
        responsible=carol,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    task_report(actor=carol, task=task, text="门已订购", status=TaskStatus.DOING)
    task_report(
        actor=carol,
        task=task,
        text="新门已装好",
        status=TaskStatus.DONE,
        photos=[("door.jpg", photo())],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.done_at is not None
    assert set(topic.steps.values_list("verb", flat=True)) >= {"task_created", "task_done"}


def test_a_resident_who_is_not_responsible_cannot_report(
    erin: Person, carol: Person, alice: Person, places
) -> None:
    task = task_create(
        actor=erin,
        topic=_decided(erin, places),
        title="更换单元门",
        responsible=carol,
        due_on=timezone.localdate(),
    )
    with pytest.raises(ForbiddenError):
        task_report(actor=alice, task=task, text="好了", status=TaskStatus.DONE)


def test_overdue_tasks_are_listed_and_counted_on_the_workspace(
    client: Client, erin: Person, carol: Person, places
) -> None:
    task = task_create(
        actor=erin,
        topic=_decided(erin, places),
        title="公示招标结果",
        responsible=carol,
        due_on=timezone.localdate(),
    )
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    client.force_login(erin)
    assert "公示招标结果" in client.get("/works/overdue/").content.decode()
    assert "逾期任务" in client.get("/workspace/").content.decode()


def test_tasks_are_set_and_reported_from_the_topic_page(
    client: Client, erin: Person, carol: Person, places
) -> None:
    topic = _decided(erin, places)
    client.force_login(erin)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/works/topics/{topic.uid}/tasks/",
        {"task-title": "组织公开招标", "task-responsible": carol.pk, "task-due_on": due},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    client.force_login(carol)
    response = client.post(
        f"/works/tasks/{task.uid}/report/",
        {
            f"{task.uid}-text": "已收到三家报价",
            f"{task.uid}-status": "doing",
            f"{task.uid}-photos": photo(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert "已收到三家报价" in page
    assert "/works/photos/" in page


def test_a_report_without_text_keeps_what_was_chosen(
    client: Client, erin: Person, carol: Person, places
) -> None:
    task = task_create(
        actor=erin,
        topic=_decided(erin, places),
        title="更换单元门",
        responsible=carol,
        due_on=timezone.localdate(),
    )
    client.force_login(carol)
    response = client.post(
        f"/works/tasks/{task.uid}/report/", {f"{task.uid}-text": "", f"{task.uid}-status": "done"}
    )
    assert response.status_code == 400
    assert (
        'value="done" selected' in response.content.decode()
        or "selected" in response.content.decode()
    )
    assert not task.reports.exists()
