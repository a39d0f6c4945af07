"""One world for the security walk: the personas, and one record of every kind in compound A
and, mirrored, in compound B, all made through the services (and the other tests' helpers).

Each helper of tests/*/helpers.py builds in "compound A" by reading places["compound_a"],
places["unit_a"] and so on; handing it a mirror of the tree whose A keys name compound B's
places builds the same records in B.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from qinlin.appeals.models import Appeal, Category
from qinlin.appeals.services import appeal_submit
from qinlin.core.roles import Role
from qinlin.disclosure.models import Notice
from qinlin.disclosure.services import notice_write, objection_file, request_file
from qinlin.evaluation.campaigns import campaign_create, campaign_publish, question_add
from qinlin.evaluation.models import FeedbackItem, QuestionKind
from qinlin.evaluation.services import audit_add, survey_open
from qinlin.notify.models import Notification, Platform
from qinlin.organisations.models import PartnerKind
from qinlin.organisations.partners import partner_create
from qinlin.organisations.services import branch_create
from qinlin.people.models import Person
from qinlin.people.services import residency_claim
from qinlin.places.models import Place
from qinlin.topics.models import Meeting, Topic
from qinlin.votes.models import BallotChannel, Vote
from qinlin.votes.services import ballot_cast, vote_close
from qinlin.works.acceptance import work_accept
from qinlin.works.funding import funding_plan_set
from qinlin.works.models import BidDocument, TaskStatus, Tender
from qinlin.works.services import task_create, task_report
from qinlin.works.tendering import bid_add, tender_open, tender_publish
from tests.disclosure.helpers import published
from tests.factories import PersonFactory, holding, resident_of, tree
from tests.notify.helpers import robot
from tests.organisations.helpers import clinic
from tests.topics.helpers import held_meeting, new_topic, two_options
from tests.votes.helpers import door_vote
from tests.works.helpers import decided, executing, photo
from tests.works.test_tendering import BIDS, _past_deadline

# One letter per persona, for the expectation tables of test_access.py.
PERSONAS = {
    "-": "anonymous",
    "a": "alice",  # resident and owner of compound A (home 3-2-101)
    "b": "bob",  # resident and owner of compound B
    "c": "carol",  # building head of A's building 3
    "d": "dave",  # grid worker of A
    "p": "pat",  # property staff of A
    "e": "erin",  # branch secretary of A
    "f": "frank",  # community staff (A and B's community)
    "g": "grace",  # subdistrict admin
}
# Everyone whose reach ends at compound A: none of them may see B's non-public records.
A_ONLY = frozenset("acdpe")


def upload(name: str = "door.jpg") -> tuple[str, Any]:
    image = photo(name)
    return (name, image)


@dataclass
class Side:
    """The records of one compound."""

    places: dict[str, Place]
    resident: Person
    appeal: Appeal
    proposed: Topic
    meeting: Meeting
    secret_vote: Vote
    closed_vote: Vote
    evaluated: Topic
    tender_topic: Topic
    published: Notice
    draft: Notice
    objection_pk: int
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.extra[key]


@dataclass
class World:
    places: dict[str, Place]
    people: dict[str, Person]
    a: Side
    b: Side
    shared: dict[str, Any]


def mirror(places: dict[str, Place]) -> dict[str, Place]:
    """The tree with compound B's places under compound A's keys."""
    return {
        **places,
        "compound_a": places["compound_b"],
        "building_a": places["building_b"],
        "unit_a": places["unit_b"],
        "home_a": places["home_b"],
        "home_a2": places["home_b"],
    }


def _side(actor: Person, places: dict[str, Place], resident: Person, homes: list[Place]) -> Side:
    compound = places["compound_a"]
    property_ = Category.objects.get(code="property")
    appeal, _created = appeal_submit(
        actor=resident,
        text="单元门坏了，关不上。",
        category=property_,
        place=places["home_a"],
        reporter=resident,
        reporter_phone=resident.phone or "",
        photos=[upload()],
    )
    proposed = new_topic(actor, compound, title="小区停车位划线")
    two_options(actor, proposed)
    meeting = held_meeting(actor, proposed)

    secret_vote = door_vote(actor, places, secret=True)
    closed_vote = door_vote(actor, places, secret=True)
    for vote in (secret_vote, closed_vote):
        for n, home in enumerate(homes):
            ballot_cast(
                actor=actor,
                vote=vote,
                home=home,
                choices={"A": "agree" if n % 2 == 0 else "disagree", "B": "abstain"},
                channel=BallotChannel.DOOR,
                paper_no=f"P{n}",
            )
    vote_close(actor=actor, vote=closed_vote)

    evaluated = executing(actor, places)
    task = task_create(
        actor=actor,
        topic=evaluated,
        title="拆除旧门",
        responsible=actor,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    report = task_report(
        actor=actor, task=task, text="旧门已拆", status=TaskStatus.DONE, photos=[upload()]
    )
    plan = funding_plan_set(
        actor=actor,
        topic=evaluated,
        total_fen=1_200_000,
        lines={"residents": 900_000, "property_subsidy": 300_000},
        scope=places["unit_a"],
        share_mode="area",
    )
    acceptance = work_accept(
        actor=actor,
        topic=evaluated,
        held_on=timezone.localdate(),
        participants="业委会、物业、居民代表",
        opinion="单元门已更换，验收合格。",
        passed=True,
        photos=[upload()],
    )
    evaluated.refresh_from_db()
    survey = survey_open(
        actor=actor,
        topic=evaluated,
        scope=places["unit_a"],
        closes_on=timezone.localdate() + timedelta(days=7),
        min_rate=50,
    )
    audit = audit_add(
        actor=actor,
        topic=evaluated,
        held_on=timezone.localdate(),
        panel="党员代表、居民代表",
        findings="单元门已更换，闭门器待调整。",
        verdict="with_issues",
        problems=["闭门器太紧"],
        documents=[upload("audit.jpg")],
    )
    tender_topic, tender = _tender_with_papers(actor, places)
    notice = published(actor, places)
    draft = notice_write(actor=actor, place=compound, title="草稿通知", body="尚未公开")
    objection = objection_file(actor=resident, notice=notice, text="公示期太短")
    request = request_file(actor=resident, place=compound, text="请公开维修基金账目")

    campaign = campaign_create(
        actor=actor,
        place=compound,
        title="物业服务满意度",
        domain="property",
        organiser="北苑社区",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
    )
    question = question_add(
        actor=actor, campaign=campaign, kind=QuestionKind.RATING, text="总体满意程度"
    )
    campaign_publish(actor=actor, campaign=campaign)
    activity = clinic(actor, compound, photos=[upload()])
    branch = branch_create(
        actor=actor,
        community=places["community"],
        name=f"{compound.name}党支部",
        compounds=[compound],
    )
    group_robot = robot(compound, kinds=[], platform=Platform.WEBHOOK)
    newcomer = PersonFactory.create(name="新住户")
    claim = residency_claim(person=newcomer, home=places["home_a"], relation="tenant")
    return Side(
        places=places,
        resident=resident,
        appeal=appeal,
        proposed=proposed,
        meeting=meeting,
        secret_vote=secret_vote,
        closed_vote=closed_vote,
        evaluated=evaluated,
        tender_topic=tender_topic,
        published=notice,
        draft=draft,
        objection_pk=objection.pk,
        extra={
            "task": task,
            "task_photo": report.photos.get().pk,
            "share": plan.shares.order_by("pk").first().pk,  # type: ignore[union-attr]
            "acceptance_photo": acceptance.photos.get().pk,
            "survey": survey,
            "audit_document": audit.documents.get().pk,
            "feedback": FeedbackItem.objects.get(audit=audit),
            "tender": tender,
            "bid_document": BidDocument.objects.filter(bid__tender=tender).get().pk,
            "request": request,
            "campaign": campaign,
            "question": question.pk,
            "activity": activity,
            "activity_photo": activity.photos.get().pk,
            "branch": branch,
            "robot": group_robot,
            "claim": claim,
            "notification": Notification.objects.filter(person=resident).order_by("pk").first(),
        },
    )


def _tender_with_papers(actor: Person, places: dict[str, Place]) -> tuple[Topic, Tender]:
    """tests.disclosure.helpers.tendered, with a photo of one bid's quotation."""
    topic = decided(actor, places)
    tender = tender_open(
        actor=actor,
        topic=topic,
        title="3号楼2单元单元门更换",
        requirements="钢质防盗单元门，带门禁，质保三年。",
        deadline=timezone.now() + timedelta(days=5),
    )
    for n, (vendor, price, model) in enumerate(BIDS):
        papers = [upload("quote.jpg")] if n == 0 else []
        bid_add(
            actor=actor, tender=tender, vendor=vendor, price=price, product=model, documents=papers
        )
    return topic, tender_publish(actor=actor, tender=_past_deadline(tender))


def build() -> World:
    places = tree()
    grace = holding("葛主任", Role.SUBDISTRICT_ADMIN, places["subdistrict"])
    people = {
        "alice": resident_of(places["home_a"], name="李爱丽"),
        "bob": resident_of(places["home_b"], name="王博"),
        "carol": holding("陈楼长", Role.BUILDING_HEAD, places["building_a"]),
        "dave": holding("杜网格", Role.GRID_WORKER, places["compound_a"]),
        "pat": holding("潘物业", Role.PROPERTY_STAFF, places["compound_a"]),
        "erin": holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"]),
        "frank": holding("冯社工", Role.COMMUNITY_STAFF, places["community"]),
        "grace": grace,
    }
    resident_of(places["home_a2"], name="赵二")
    a = _side(grace, places, people["alice"], [places["home_a"], places["home_a2"]])
    b = _side(grace, mirror(places), people["bob"], [places["home_b"]])
    partner = partner_create(
        actor=grace,
        community=places["community"],
        name="潍坊口腔医院",
        kind=PartnerKind.DUAL_REPORT,
        contact_name="孙主任",
        contact_phone="13800001111",
    )
    return World(places=places, people=people, a=a, b=b, shared={"partner": partner})
