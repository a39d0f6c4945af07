"""Topics at every stage, drawn as demo/history.py draws a year of them: each follows its
template's path (decided locally, by a consultation, or by the owners' vote) through the
stages with its Step timeline, options, meetings (participants, minutes, hands), the vote,
the work and the evaluation, until the path's next step would fall after today. So old
topics are closed and recent ones wait at the stage they have reached.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from qinlin.appeals.models import AppealStatus
from qinlin.demo import history_texts as texts
from qinlin.demo.generate.appeals import filed, write_appeal
from qinlin.demo.generate.city import City, Later
from qinlin.demo.generate.places import Compound
from qinlin.demo.generate.votes import owners_vote
from qinlin.demo.generate.works import Works
from qinlin.topics.models import (
    Capacity,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Option,
    Participant,
    Resolution,
    Step,
    Topic,
)
from qinlin.topics.states import Stage
from qinlin.votes.rules import Hands, MeetingRule, meeting_result

TOPIC_FIELDS = [
    "id",
    "uid",
    "title",
    "description",
    "category",
    "place",
    "place_path",
    "stage",
    "decided_option",
    "decision",
    "created_by",
    "created_at",
    "stage_changed_at",
]
OPTION_FIELDS = [
    "id",
    "topic",
    "letter",
    "title",
    "description",
    "estimated_cost",
    "funding",
    "created_by",
    "created_at",
]
STEP_FIELDS = ["topic", "at", "actor", "verb", "source", "target", "text", "data"]
MEETING_FIELDS = [
    "id",
    "uid",
    "kind",
    "title",
    "place",
    "location",
    "starts_at",
    "status",
    "minutes",
    "held_at",
    "convened_by",
    "created_at",
]
PARTICIPANT_FIELDS = ["meeting", "person", "name", "capacity", "attended_at"]
RESOLUTION_FIELDS = [
    "meeting",
    "option",
    "rule",
    "invited",
    "attendees",
    "agree",
    "disagree",
    "abstain",
    "passed",
    "explanation_zh",
    "explanation_en",
    "recorded_by",
    "recorded_at",
]


@dataclass
class Drawn:
    """A topic while its path is drawn; written once its stage is known."""

    id: int
    uid: str
    title: str
    description: str
    category: int
    place: int
    compound: Compound
    label: str
    created_by: int
    created_at: datetime
    stage: str = Stage.PROPOSED
    stage_changed_at: datetime | None = None
    decided_option: int | None = None
    decision: str = ""
    options: list[tuple[int, str, str]] = field(default_factory=list)  # (id, letter, title)
    stop: str | None = None
    vote: str = ""


class Topics:
    def __init__(self, city: City, categories: dict[str, int]) -> None:
        self.city = city
        self.categories = categories
        self.closed: list[tuple[Drawn, str, datetime]] = []  # for the notices

    # --- the timeline --------------------------------------------------------------------
    def step(self, topic: Drawn, at: datetime, actor: int, verb: str, **data: Any) -> None:
        text = str(data.pop("text", ""))
        source, target = str(data.pop("source", "")), str(data.pop("target", ""))
        self.city.add(Step, topic.id, at, actor, verb, source, target, text, data)

    def check(self, topic: Drawn, at: datetime, to: str | None = None) -> None:
        if at > self.city.now or (to is not None and topic.stage == topic.stop):
            raise Later

    def advance(
        self, topic: Drawn, at: datetime, actor: int, verb: str, to: str, **data: Any
    ) -> None:
        self.check(topic, at, to)
        self.step(topic, at, actor, verb, source=topic.stage, target=to, **data)
        if "notice_draft" in data:
            topic.decision = data["notice_draft"]
        topic.stage = to
        topic.stage_changed_at = at

    # --- a topic ---------------------------------------------------------------------------
    def write(
        self,
        compound: Compound,
        template: texts.TopicText,
        start: date,
        *,
        place: int | None = None,
        stop: str | None = None,
    ) -> Drawn:
        """One topic of `template` at the compound (or a unit or building of it), from the
        appeals that raised it to the stage its path reaches by today, or to `stop`."""
        city, rng = self.city, self.city.rng
        if place is None:
            if template.scope == "unit":
                place = rng.choice(compound.units).id
            elif template.scope == "building":
                place = rng.choice(compound.buildings)[0]
            else:
                place = compound.id
        label = compound.label_of(place)
        lines = rng.sample(
            template.appeals, rng.randint(min(2, len(template.appeals)), len(template.appeals))
        )
        opened = city.when(start)
        worker = compound.holder("grid_worker")
        topic = Drawn(
            city.new_id(Topic),
            city.uid(),
            f"{compound.name}{label}{template.subject}"[:120],
            "\n".join(line.format(p=label or "小区") for line in lines),
            self.categories[template.category],
            place,
            compound,
            label,
            worker,
            opened,
            stage_changed_at=opened,
            stop=stop,
        )
        self.step(topic, opened, worker, "created", target=Stage.PROPOSED)
        for line in lines:
            who = filed(city, compound, place)
            write_appeal(
                city,
                who,
                text=line.format(p=label or "我们楼"),
                category=topic.category,
                created=opened - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 5)),
                status=AppealStatus.ACCEPTED,
                decided=opened,
                decided_by=worker,
                topic=topic.id,
                note=f"已纳入议题“{topic.title}”。",
            )
        with contextlib.suppress(Later):
            self.path(topic, template, start, Works(city, self))
        self.save(topic)
        return topic

    def save(self, topic: Drawn) -> None:
        self.city.add(
            Topic,
            topic.id,
            topic.uid,
            topic.title,
            topic.description,
            topic.category,
            topic.place,
            topic.compound.path_of(topic.place),
            topic.stage,
            topic.decided_option,
            topic.decision,
            topic.created_by,
            topic.created_at,
            topic.stage_changed_at,
        )

    def path(self, topic: Drawn, template: texts.TopicText, start: date, works: Any) -> None:
        city, rng = self.city, self.city.rng
        compound = topic.compound
        worker, secretary = compound.holder("grid_worker"), compound.holder("branch_secretary")
        self.advance(
            topic, topic.created_at + timedelta(minutes=20), worker, "accepted", Stage.LOCAL
        )
        day = start + timedelta(days=rng.randint(1, 3))
        for letter, (name, funding, cost) in zip("ABC", template.options, strict=False):
            at = city.when(day)
            self.check(topic, at)
            cost_value = Decimal(cost + rng.randint(0, cost // 10 if cost else 0))
            pk = city.new_id(Option)
            description = f"{name}，资金来源：{funding}。"
            city.add(
                Option,
                pk,
                topic.id,
                letter,
                name,
                description,
                cost_value if cost else None,
                funding,
                secretary,
                at,
            )
            topic.options.append((pk, letter, name))
            self.step(
                topic,
                at,
                secretary,
                "option_added",
                text=description,
                option=f"{letter}. {name}",
                cost=str(cost_value) if cost else "",
                funding=funding,
            )
        if rng.random() < 0.3:
            day += timedelta(days=rng.randint(2, 5))
            self.meeting(topic, MeetingKind.DOOR, day)
        day += timedelta(days=rng.randint(3, 8))
        local = self.meeting(topic, MeetingKind.LOCAL, day)
        chosen = topic.options[0]
        how = "先行商议" if template.path == "L" else "协商"
        notice = f"经{how}，决定：{chosen[2]}。现予公示。"
        if template.path == "L":
            self.hands(topic, local, chosen, passed=True)
            day += timedelta(days=rng.randint(1, 3))
            self.decide(topic, city.when(day), secretary, notice)
        else:
            if len(topic.options) > 1 and rng.random() < 0.5:
                self.hands(topic, local, topic.options[1], passed=False)
            staff = compound.community.staff[0]
            day += timedelta(days=rng.randint(1, 3))
            self.advance(
                topic,
                city.when(day),
                secretary,
                "escalated",
                Stage.REVIEW,
                note=rng.choice(texts.FAILED_LOCAL),
            )
            day += timedelta(days=rng.randint(5, 10))
            self.advance(
                topic,
                city.when(day),
                staff,
                "consultation_convened",
                Stage.CONSULTATION,
                findings=rng.choice(texts.FINDINGS),
            )
            day += timedelta(days=rng.randint(4, 8))
            consultation = self.meeting(topic, MeetingKind.CONSULTATION, day)
            if template.path == "C":
                self.hands(topic, consultation, chosen, passed=True)
                day += timedelta(days=rng.randint(1, 3))
                self.decide(topic, city.when(day), staff, notice)
            else:
                day = owners_vote(self, topic, item=template.item, day=day, staff=staff)
        works.carry_out(topic, template, day)

    def decide(self, topic: Drawn, at: datetime, actor: int, notice: str, **data: Any) -> None:
        chosen = topic.options[0]
        self.advance(
            topic,
            at,
            actor,
            "decided",
            Stage.DECIDED,
            notice_draft=notice,
            option=f"{chosen[1]}. {chosen[2]}",
            **data,
        )
        topic.decided_option = chosen[0]

    def settled_otherwise(self, compound: Compound, start: date) -> None:
        """A matter raised as a topic and then rejected after a local meeting, or referred."""
        city, rng = self.city, self.city.rng
        code, subject, line, stage, reason = rng.choice(texts.CLOSED_OTHERWISE)
        worker = compound.holder("grid_worker")
        opened = city.when(start)
        topic = Drawn(
            city.new_id(Topic),
            city.uid(),
            f"{compound.name}{subject}",
            line,
            self.categories[code],
            compound.id,
            compound,
            "",
            worker,
            opened,
            stage_changed_at=opened,
        )
        self.step(topic, opened, worker, "created", target=Stage.PROPOSED)
        write_appeal(
            city,
            filed(city, compound, compound.id),
            text=line,
            category=topic.category,
            created=opened - timedelta(days=rng.randint(1, 10)),
            status=AppealStatus.ACCEPTED,
            decided=opened,
            decided_by=worker,
            topic=topic.id,
            note=f"已纳入议题“{topic.title}”。",
        )
        try:
            self.advance(topic, opened + timedelta(minutes=30), worker, "accepted", Stage.LOCAL)
            if stage == "rejected":
                self.meeting(topic, MeetingKind.LOCAL, start + timedelta(days=6))
                at = city.when(start + timedelta(days=8))
                secretary = compound.holder("branch_secretary")
                self.advance(topic, at, secretary, "rejected", Stage.REJECTED, reason=reason)
            else:
                at = city.when(start + timedelta(days=3))
                self.advance(topic, at, worker, "referred", Stage.REFERRED, referred_to=reason)
        except Later:
            pass
        self.save(topic)

    # --- meetings --------------------------------------------------------------------------
    def invitees(self, topic: Drawn, kind: str) -> list[tuple[str, int | None, str]]:
        compound, rng = topic.compound, self.city.rng
        roles = compound.roles
        people: list[tuple[str, int | None, str]] = [
            (Capacity.PARTY_MEMBER, compound.holder("branch_secretary"), ""),
            (Capacity.PROPERTY_COMPANY, compound.holder("property_staff"), ""),
        ]
        people += [(Capacity.OWNERS_COMMITTEE, p, "") for p in roles.get("owners_committee", [])]
        people += [(Capacity.RESIDENT_REP, p, "") for p in roles.get("resident_rep", [])]
        building = next((h.building for h in compound.homes_in(topic.place)[:1]), 0)
        head = compound.building_heads.get(building)
        if head is not None:
            people.append((Capacity.BUILDING_HEAD, head, ""))
        residents = compound.residents
        if kind == MeetingKind.DOOR:
            people = people[1:2] + people[-2:]
            people += [
                (Capacity.INTERESTED_PARTY, p, "")
                for p in rng.sample(residents, min(3, len(residents)))
            ]
        if kind == MeetingKind.CONSULTATION:
            people.append((Capacity.STAFF, compound.community.staff[0], ""))
            people.append((Capacity.LEGAL_ADVISER, None, rng.choice(texts.LAWYERS)))
            people += [
                (Capacity.INTERESTED_PARTY, p, "")
                for p in rng.sample(residents, min(2, len(residents)))
            ]
        seen: set[int] = set()
        unique = []
        for capacity, person, name in people:
            if person is not None:
                if person in seen:
                    continue
                seen.add(person)
            unique.append((capacity, person, name))
        return unique

    def meeting(self, topic: Drawn, kind: str, day: date) -> tuple[int, str, int, int, datetime]:
        """A meeting convened and held with its minutes and attendance; one convened for a
        day after today is still planned, and the path waits for it."""
        city, rng = self.city, self.city.rng
        compound = topic.compound
        consultation = kind == MeetingKind.CONSULTATION
        runner = (
            compound.community.staff[0] if consultation else compound.holder("branch_secretary")
        )
        starts = city.when(day, evening=kind == MeetingKind.DOOR or rng.random() < 0.3)
        convened = starts - timedelta(days=rng.randint(1, 2), hours=2)
        self.check(topic, convened)
        outside = topic.label or rng.choice(compound.buildings)[1]
        places: dict[str, str] = {
            MeetingKind.DOOR: f"{compound.name}{outside}楼下",
            MeetingKind.LOCAL: f"{compound.name}党群服务站",
            MeetingKind.CONSULTATION: f"{compound.community.name}党群服务中心议事厅",
        }
        where = places[kind]
        title = f"{topic.title}{MeetingKind(kind).label}"[:120]
        minutes = rng.choice(texts.MINUTES[kind]).format(
            b=topic.label or "各楼栋", s=topic.title.removeprefix(compound.name)
        )
        held_at = starts + timedelta(hours=1, minutes=rng.choice([15, 30, 45]))
        held = held_at <= city.now
        pk, uid = city.new_id(Meeting), city.uid()
        city.add(
            Meeting,
            pk,
            uid,
            kind,
            title,
            compound.id if consultation else topic.place,
            where[:120],
            starts,
            MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            minutes if held else "",
            held_at if held else None,
            runner,
            convened,
        )
        city.add(Meeting.topics.through, pk, topic.id)
        invited = self.invitees(topic, kind)
        absent = rng.choice([0, 0, 0, 1]) if len(invited) > 3 else 0
        for n, (capacity, person, name) in enumerate(invited):
            here = held and n < len(invited) - absent
            shown = compound.names.get(person, "") if person else name
            arrived = starts - timedelta(minutes=rng.randint(0, 15))
            city.add(
                Participant,
                pk,
                person,
                (shown or name or "居民")[:50],
                capacity,
                arrived if here else None,
            )
        self.step(
            topic,
            convened,
            runner,
            "meeting_convened",
            meeting=uid,
            title=title,
            kind=kind,
            starts_at=starts.isoformat(),
        )
        if not held:
            raise Later
        attended = len(invited) - absent
        self.step(
            topic,
            held_at,
            runner,
            "meeting_held",
            text=minutes,
            meeting=uid,
            title=title,
            kind=kind,
            invited=len(invited),
            attended=attended,
        )
        return pk, uid, len(invited), attended, held_at

    def hands(
        self,
        topic: Drawn,
        meeting: tuple[int, str, int, int, datetime],
        option: tuple[int, str, str],
        *,
        passed: bool,
    ) -> None:
        pk, uid, invited, attendees, held_at = meeting
        rng = self.city.rng
        agree = attendees - rng.randint(0, attendees // 4) if passed else attendees // 2
        hands = Hands(invited, attendees, agree, attendees - agree, 0)
        result = meeting_result(MeetingRule.MAJORITY_OF_ATTENDEES, hands)
        recorded = held_at - timedelta(minutes=10)
        runner = topic.compound.holder("branch_secretary")
        self.city.add(
            Resolution,
            pk,
            option[0],
            MeetingRule.MAJORITY_OF_ATTENDEES,
            invited,
            attendees,
            hands.agree,
            hands.disagree,
            0,
            result.passed,
            result.explanation_zh,
            result.explanation_en,
            runner,
            recorded,
        )
        self.step(
            topic,
            recorded,
            runner,
            "resolution",
            meeting=uid,
            option=f"{option[1]}. {option[2]}",
            passed=result.passed,
            zh=result.explanation_zh,
            en=result.explanation_en,
        )
