"""The demo's execution: the benches topic, decided locally, is being carried out, so that the
execution pages (tasks, a published tender awaiting its award, a funding plan) have something
to show. The unit door's own execution is the reference story (`demo --story`)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.people.models import Person
from qinlin.topics.models import Topic
from qinlin.topics.services import topic_advance
from qinlin.topics.states import Stage
from qinlin.works.funding import funding_plan_set
from qinlin.works.models import FundingSource, ShareMode, Task, TaskStatus, Tender
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import bid_add, tender_comment, tender_open, tender_publish

BIDS = [
    ("潍坊园林设施有限公司", Decimal("3480.00"), "防腐木长椅 1.8 米，铸铝椅腿"),
    ("鑫达市政设施", Decimal("3150.00"), "钢木长椅 1.5 米"),
    ("绿源户外家具", Decimal("3600.00"), "塑木长椅 1.8 米，带靠背扶手"),
]


def load_execution(people: dict[Role, Person], benches: Topic, resident: Person) -> None:
    branch, property_staff = people[Role.BRANCH_SECRETARY], people[Role.PROPERTY_STAFF]
    committee = people[Role.OWNERS_COMMITTEE]
    benches = topic_advance(
        topic=benches, to=Stage.EXECUTING, actor=branch, responsible=[property_staff]
    )
    task = task_create(
        actor=branch,
        topic=benches,
        title="采购并安装 6 条长椅",
        responsible=property_staff,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    task_report(
        actor=property_staff,
        task=task,
        text="已现场确定位置：广场东侧花坛边，每两条一组。",
        status=TaskStatus.DOING,
    )
    late = task_create(
        actor=branch,
        topic=benches,
        title="公示安装位置示意图",
        responsible=branch,
        due_on=timezone.localdate(),
    )
    # Two days have passed without it: the workspace shows an overdue task.
    Task.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    tender = tender_open(
        actor=committee,
        topic=benches,
        title="广场长椅采购",
        requirements="户外长椅 6 条，长 1.5–1.8 米，带靠背，防腐防晒，质保两年，含安装。",
        deadline=timezone.now() + timedelta(days=1),
    )
    for vendor, price, product in BIDS:
        bid_add(actor=committee, tender=tender, vendor=vendor, price=price, product=product)
    # The bidding period has run its course in the demo's story.
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(hours=1))
    tender.refresh_from_db()
    tender_publish(actor=committee, tender=tender)
    tender_comment(actor=resident, tender=tender, text="希望选带扶手的，老人起身方便。")
    funding_plan_set(
        actor=branch,
        topic=benches,
        total_fen=360000,
        lines={FundingSource.PROPERTY_SUBSIDY: 360000},
        scope=benches.place,
        share_mode=ShareMode.EQUAL,
    )
