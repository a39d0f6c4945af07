"""Acceptance of the work (验收): photos and who took part; passing moves the topic on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.people.models import Person
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.works.acceptance import work_accept
from qinlin.works.models import Acceptance, TaskStatus
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import tender_open
from tests.works.helpers import decided, executing, photo

pytestmark = pytest.mark.django_db

PEOPLE = "业委会主任 王建国、居民代表 李秀英、物业项目经理 陈强"


def _accept(actor: Person, topic: Topic, *, passed: bool = True, photos: int = 1) -> Acceptance:
    return work_accept(
        actor=actor,
        topic=topic,
        held_on=timezone.localdate(),
        participants=PEOPLE,
        opinion="新单元门安装牢固，门禁刷卡正常，闭门器缓闭。",
        passed=passed,
        photos=[(f"door{i}.jpg", photo()) for i in range(photos)],
    )


def test_a_passing_acceptance_moves_the_topic_to_evaluation(erin: Person, places) -> None:
    topic = executing(erin, places)
    acceptance = _accept(erin, topic)
    topic.refresh_from_db()
    assert topic.stage == Stage.EVALUATING
    assert acceptance.photos.count() == 1
    assert acceptance.recorded_by == erin
    verbs = list(topic.steps.order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == ["acceptance", "accepted_work"]


def test_a_failed_acceptance_is_kept_and_the_work_goes_on(erin: Person, places) -> None:
    topic = executing(erin, places)
    _accept(erin, topic, passed=False, photos=0)
    topic.refresh_from_db()
    assert topic.stage == Stage.EXECUTING
    _accept(erin, topic)
    topic.refresh_from_db()
    assert topic.stage == Stage.EVALUATING
    assert list(topic.acceptances.values_list("passed", flat=True)) == [False, True]


def test_passing_needs_photos_finished_tasks_and_an_awarded_tender(
    erin: Person, carol: Person, places
) -> None:
    topic = executing(erin, places)
    with pytest.raises(DomainError) as no_photo:
        _accept(erin, topic, photos=0)
    assert no_photo.value.code == "photos_required"
    task = task_create(
        actor=erin,
        topic=topic,
        title="安装新单元门",
        responsible=carol,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(DomainError) as unfinished:
        _accept(erin, topic)
    assert "安装新单元门" in str(unfinished.value)
    assert not Acceptance.objects.exists()
    task_report(actor=carol, task=task, text="已装好", status=TaskStatus.DONE)
    _accept(erin, topic)


def test_only_those_who_run_execution_accept_and_only_in_execution(
    erin: Person, alice: Person, carol: Person, places
) -> None:
    topic = executing(erin, places)
    for person in (alice, carol):
        with pytest.raises(ForbiddenError):
            _accept(person, topic)
    with pytest.raises(ConflictError):
        _accept(erin, decided(erin, places))
    with pytest.raises(DomainError):
        work_accept(
            actor=erin,
            topic=topic,
            held_on=timezone.localdate() + timedelta(days=1),
            participants=PEOPLE,
            opinion="好",
            passed=False,
        )
    assert not Acceptance.objects.exists()


def test_acceptance_on_the_topic_page(
    client: Client, erin: Person, alice: Person, bob: Person, places
) -> None:
    topic = executing(erin, places)
    client.force_login(erin)
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert 'id="acceptance"' in page
    assert 'href="#acceptance"' in page  # the next step points at the section
    url = f"/works/topics/{topic.uid}/acceptance/"
    form = {
        "acceptance-held_on": timezone.localdate().isoformat(),
        "acceptance-participants": PEOPLE,
        "acceptance-opinion": "验收合格。",
        "acceptance-passed": "yes",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "验收合格须附上现场照片" in refused.content.decode()
    assert PEOPLE in refused.content.decode()  # nothing typed is lost
    response = client.post(url, {**form, "acceptance-photos": [photo()]})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.stage == Stage.EVALUATING
    photo_url = f"/works/acceptance-photos/{Acceptance.objects.get().photos.get().pk}/"
    client.force_login(alice)
    page = client.get(f"/topics/{topic.uid}/").content.decode()
    assert PEOPLE in page
    assert photo_url in page
    assert b"".join(client.get(photo_url).streaming_content)  # type: ignore[attr-defined]
    client.force_login(bob)  # another compound's resident
    assert client.get(photo_url).status_code == 404


def test_the_topic_page_in_execution_reads_in_a_fixed_number_of_queries(
    client: Client, erin: Person, carol: Person, places
) -> None:
    """More tasks, reports, photos, tenders and acceptances cost no more queries."""
    topic = executing(erin, places)
    client.force_login(erin)

    def add(n: int) -> None:
        for i in range(n):
            task = task_create(
                actor=erin,
                topic=topic,
                title=f"任务{i}",
                responsible=carol,
                due_on=timezone.localdate() + timedelta(days=3),
            )
            task_report(
                actor=carol,
                task=task,
                text="进行中",
                status=TaskStatus.DOING,
                photos=[("a.jpg", photo())],
            )
            tender_open(
                actor=erin,
                topic=topic,
                title=f"招标{i}",
                requirements="要求",
                deadline=timezone.now() + timedelta(days=3),
            )
            _accept(erin, topic, passed=False, photos=1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/topics/{topic.uid}/").status_code == 200
        return len(queries)

    add(1)
    few = count()
    add(3)
    assert count() == few
