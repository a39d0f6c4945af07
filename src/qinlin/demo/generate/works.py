"""A decided topic carried out: a responsible person, the task and its report, the
acceptance with its photo; then the evaluation (evaluation.py) and the close."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from qinlin.demo import history_texts as texts
from qinlin.demo.generate.city import City
from qinlin.demo.generate.evaluation import evaluate
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.works.models import Acceptance, AcceptancePhoto, Task, TaskReport, TaskStatus

if TYPE_CHECKING:
    from qinlin.demo.generate.topics import Drawn, Topics

TASK_FIELDS = [
    "id",
    "uid",
    "topic",
    "title",
    "responsible",
    "due_on",
    "status",
    "created_by",
    "created_at",
    "done_at",
]
REPORT_FIELDS = ["task", "at", "actor", "text", "status"]
ACCEPTANCE_FIELDS = [
    "id",
    "uid",
    "topic",
    "held_on",
    "participants",
    "opinion",
    "passed",
    "recorded_by",
    "recorded_at",
]
PHOTO_FIELDS = ["acceptance", "image", "width", "height"]


class Works:
    def __init__(self, city: City, topics: Topics) -> None:
        self.city = city
        self.topics = topics

    def carry_out(self, topic: Drawn, template: texts.TopicText, day: date) -> None:
        city, rng, topics = self.city, self.city.rng, self.topics
        compound = topic.compound
        secretary, worker = compound.holder("branch_secretary"), compound.holder("property_staff")
        day += timedelta(days=rng.randint(1, 4))
        started = city.when(day)
        topics.advance(topic, started, secretary, "execution_started", Stage.EXECUTING)
        city.add(Topic.responsible.through, topic.id, worker)
        created = started + timedelta(minutes=30)
        work_days = rng.randint(10, 35)
        done = city.when(day + timedelta(days=work_days))
        finished = done <= city.now
        task = city.new_id(Task)
        city.add(
            Task,
            task,
            city.uid(),
            topic.id,
            template.task,
            worker,
            day + timedelta(days=work_days + 5),
            TaskStatus.DONE if finished else TaskStatus.DOING,
            secretary,
            created,
            done if finished else None,
        )
        topics.step(
            topic,
            created,
            secretary,
            "task_created",
            task=template.task,
            due=str(day + timedelta(days=work_days + 5)),
        )
        if not finished:
            city.add(
                TaskReport,
                task,
                created + timedelta(days=2),
                worker,
                "材料已进场，正在施工。",
                TaskStatus.DOING,
            )
            topics.check(topic, done)
        city.add(TaskReport, task, done, worker, f"{template.task}已完成。", TaskStatus.DONE)
        topics.step(topic, done, worker, "task_done", task=template.task)
        day += timedelta(days=work_days + rng.randint(1, 4))
        accepted = city.when(day)
        topics.check(topic, accepted, Stage.EVALUATING)
        names = compound.names
        panel = "、".join(
            [f"业委会 {names.get(p, '')}" for p in compound.roles.get("owners_committee", [])[:1]]
            + [f"居民代表 {names.get(p, '')}" for p in compound.roles.get("resident_rep", [])[:1]]
            + [f"物业 {names.get(worker, '')}"]
        )[:300]
        acceptance = city.new_id(Acceptance)
        city.add(
            Acceptance,
            acceptance,
            city.uid(),
            topic.id,
            day,
            panel,
            template.opinion,
            True,
            secretary,
            accepted,
        )
        city.add(AcceptancePhoto, acceptance, city.photo, 800, 600)
        topics.step(
            topic,
            accepted,
            secretary,
            "acceptance",
            text=template.opinion,
            participants=panel,
            held_on=day.isoformat(),
            passed=True,
        )
        topics.advance(topic, accepted, secretary, "accepted_work", Stage.EVALUATING)
        evaluate(topics, topic, day)
