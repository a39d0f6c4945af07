"""A year of work in 北苑街道, 2022, at the scale of domain.md §1 (headline figures).

History is imported, not lived: the rows are written in bulk with their historical
timestamps (Asia/Shanghai working hours through 2022) instead of through the services, which
stamp `timezone.now()` and enforce today's rules (deadlines in the future, "not after today").
What the services keep is kept here too: a held meeting has minutes, attendance and
`held_at`; a closed topic has the public timeline (Step rows) of its whole path through the
stages, its options, the meetings and hands that decided it, its owners' vote with ballots
and the stored tally where one was needed, its tasks, a passing acceptance with a photo, an
audit and an ended survey; a published notice has its channels and period; an answered
request has its notice. No audit events are written (the audit log records what happened in
this installation, and the history did not happen here), and no notifications: it's past.

The figures (see tests/demo/test_history.py): 372 activities with registrations and
attendance, 117 deliberation meetings held, 52 topics closed in six categories with their
appeals, a few topics and appeals rejected, referred or resolved on the spot, 52 surveys at
100% satisfaction, 30 disclosure channels, 50 notices (30 proactive, 20 on request), 15 survey
campaigns and 55 feedback items, all resolved. Each on-request notice answers a
request filed within its due time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Model
from django.utils import timezone

from qinlin.appeals.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Category,
    Channel,
)
from qinlin.core.roles import Role
from qinlin.demo import history_texts as texts
from qinlin.demo.photos import jpeg
from qinlin.disclosure.drafting import draft
from qinlin.disclosure.models import (
    Channel as DisclosureChannel,
)
from qinlin.disclosure.models import (
    ChannelKind,
    DisclosureRequest,
    Notice,
    NoticeKind,
    NoticeStatus,
    Origin,
    RequestStatus,
)
from qinlin.disclosure.privacy import known_names, masked
from qinlin.evaluation.models import (
    Answer,
    Audit,
    Campaign,
    CampaignResponse,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Level,
    Question,
    ResponseChannel,
    Survey,
    SurveyResponse,
    Verdict,
)
from qinlin.evaluation.rates import survey_figures
from qinlin.organisations.models import Activity, Registration, RegistrationStatus
from qinlin.people.models import Person, Relation, Residency, ResidencyStatus, RoleAssignment
from qinlin.places.models import Place, PlaceKind, with_place_paths
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
from qinlin.votes.models import Ballot, BallotChannel, Vote, VoteOption
from qinlin.votes.rules import Ballot as RuleBallot
from qinlin.votes.rules import Hands, Home, MeetingRule, meeting_result, owners_tally, rule_for_item
from qinlin.votes.tallyfile import figures
from qinlin.works.models import Acceptance, AcceptancePhoto, Task, TaskReport, TaskStatus

HISTORY_YEAR = 2022
SEED = 20221231
CLOSED_TOPICS = 52
MEETINGS = 117
ACTIVITIES = 372
CHANNEL_COMPOUNDS = 11  # × (board + owners' group) + 4 communities × 2 = 30 channels
PROACTIVE, ON_REQUEST = 30, 20
CAMPAIGNS = 15
AUDIT_PROBLEMS = 25  # + 2 per campaign = 55 feedback items
FIRST_DAY = date(HISTORY_YEAR, 1, 4)
LAST_DAY = date(HISTORY_YEAR, 12, 18)  # the last topic closes by then
# Channels the 2026 story creates itself (demo/disclosure.py): names are unique per place.
STORY_COMPOUND = "上河园"
STORY_COMMUNITY = "北苑社区"


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone()
    )


@dataclass
class _Grid:
    """A compound and what the history needs of it, read once."""

    id: int
    name: str
    path: str
    community: int
    community_name: str
    buildings: list[tuple[int, str]] = field(default_factory=list)
    units: list[tuple[int, str]] = field(default_factory=list)  # (id, "5号楼2单元")
    residents: list[int] = field(default_factory=list)


class _World:
    """The demo's places, people and roles as plain ids and names."""

    def __init__(self, sub: Place) -> None:
        rows = list(
            Place.objects.filter(sub.subtree_q())
            .exclude(kind=PlaceKind.HOME)
            .values_list("id", "kind", "name", "path", "parent_id")
        )
        names = {pk: name for pk, _kind, name, _path, _parent in rows}
        parents = {pk: parent for pk, _kind, _name, _path, parent in rows}
        self.communities = [(pk, name) for pk, kind, name, _p, _pa in rows if kind == "community"]
        self.grids: dict[int, _Grid] = {}
        for pk, kind, name, path, parent in sorted(rows, key=lambda r: r[3]):
            if kind == PlaceKind.COMPOUND:
                self.grids[pk] = _Grid(pk, name, path, parent or 0, names[parent or 0])
            elif kind == PlaceKind.BUILDING:
                self.grids[parent or 0].buildings.append((pk, name))
            elif kind == PlaceKind.UNIT:
                building = parent or 0
                self.grids[parents[building] or 0].units.append((pk, names[building] + name))
        self.compound_of_path = {g.path: g for g in self.grids.values()}
        self.homes: dict[int, list[tuple[int, Decimal, str, bool]]] = defaultdict(list)
        self.home_path: dict[int, str] = {}
        for pk, path, parent, area, key, unsold in (
            Place.objects.filter(sub.subtree_q(), kind=PlaceKind.HOME)
            .order_by("path")
            .values_list("id", "path", "parent_id", "area", "owner_key", "developer_unsold")
        ):
            self.homes[parent or 0].append((pk, area or Decimal("0"), key, unsold))
            self.home_path[pk] = path
        self.unit_building = {
            pk: parent for pk, kind, _n, _p, parent in rows if kind == PlaceKind.UNIT
        }
        self.owner_of: dict[int, int] = {}
        living = Residency.objects.filter(status=ResidencyStatus.CONFIRMED).order_by("id")
        for person, home, relation, path in living.values_list(
            "person_id", "home_id", "relation", "home__path"
        ):
            grid = self.compound_of_path.get(path[:12])
            if grid is not None:
                grid.residents.append(person)
            if relation == Relation.OWNER:
                self.owner_of.setdefault(home, person)
        for grid in self.grids.values():
            grid.residents = list(dict.fromkeys(grid.residents))
        self.roles: dict[tuple[str, int], list[int]] = defaultdict(list)
        for role, place, person in RoleAssignment.objects.order_by("id").values_list(
            "role", "place_id", "person_id"
        ):
            self.roles[(role, place)].append(person)
        self.names = dict(Person.objects.values_list("id", "name"))

    def holder(self, role: str, place: int, fallback: int) -> int:
        return (self.roles.get((role, place)) or [fallback])[0]

    def holders(self, role: str, place: int) -> list[int]:
        return self.roles.get((role, place), [])

    def homes_under(self, place: int, kind: str) -> list[tuple[int, Decimal, str, bool]]:
        if kind == "unit":
            return list(self.homes[place])
        units = [u for u, b in self.unit_building.items() if b == place]
        if kind == "compound":
            grid = self.grids[place]
            units = [u for u, _label in grid.units]
        found = [h for u in units for h in self.homes[u]]
        return sorted(found, key=lambda h: self.home_path[h[0]])


@dataclass
class _Rows:
    """Everything the history writes, saved in dependency order by `save`."""

    topics: list[Topic] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    events: list[AppealEvent] = field(default_factory=list)
    meetings: list[tuple[Meeting, Topic]] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    vote_options: list[VoteOption] = field(default_factory=list)
    ballots: list[Ballot] = field(default_factory=list)
    decided: list[tuple[Topic, Option]] = field(default_factory=list)
    responsible: list[tuple[Topic, int]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    reports: list[TaskReport] = field(default_factory=list)
    acceptances: list[Acceptance] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    feedback: list[FeedbackItem] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)
    responses: list[SurveyResponse] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


class _History:
    def __init__(self, people: dict[Role, Person], sub: Place) -> None:
        self.rng = random.Random(SEED)
        self.world = _World(sub)
        self.people = people
        self.rows = _Rows()
        self.categories = {c.code: c for c in Category.objects.all()}
        self.staff_fallback = people[Role.COMMUNITY_STAFF].pk
        self.third_party = people[Role.THIRD_PARTY].pk
        self.problems: dict[str, list[str]] = {}

    # --- people of a compound ------------------------------------------------------------
    def staff(self, grid: _Grid) -> int:
        return self.world.holder(Role.COMMUNITY_STAFF, grid.community, self.staff_fallback)

    def grid_worker(self, grid: _Grid) -> int:
        return self.world.holder(Role.GRID_WORKER, grid.id, self.staff(grid))

    def secretary(self, grid: _Grid) -> int:
        return self.world.holder(Role.BRANCH_SECRETARY, grid.id, self.staff(grid))

    def property_staff(self, grid: _Grid) -> int:
        return self.world.holder(Role.PROPERTY_STAFF, grid.id, self.grid_worker(grid))

    def when(self, day: date, *, evening: bool = False) -> datetime:
        if evening:
            return _moment(day, 19, self.rng.choice([0, 0, 30]))
        return _moment(day, self.rng.choice([9, 9, 10, 14, 15, 16]), self.rng.choice([0, 15, 30]))

    def step(self, topic: Topic, at: datetime, actor: int, verb: str, **data: Any) -> None:
        text = str(data.pop("text", ""))
        source, target = str(data.pop("source", "")), str(data.pop("target", ""))
        self.rows.steps.append(
            Step(
                topic=topic,
                at=at,
                actor_id=actor,
                verb=verb,
                text=text,
                source=source,
                target=target,
                data=data,
            )
        )

    def advance(
        self, topic: Topic, at: datetime, actor: int, verb: str, to: str, **data: Any
    ) -> None:
        self.step(topic, at, actor, verb, source=topic.stage, target=to, **data)
        if "notice_draft" in data:
            topic.decision = data["notice_draft"]
        topic.stage = to
        topic.stage_changed_at = at

    # --- topics --------------------------------------------------------------------------
    def plan(self) -> list[tuple[texts.TopicText, _Grid, int, str]]:
        """52 topics: every template once and some twice, each at a compound (and a building
        or unit of it), spread over the communities."""
        rng = self.rng
        chosen = list(texts.TOPICS) + rng.sample(texts.TOPICS, CLOSED_TOPICS - len(texts.TOPICS))
        rng.shuffle(chosen)
        grids = list(self.world.grids.values())
        used: set[tuple[int, str]] = set()
        planned = []
        for template in chosen:
            grid = rng.choice(grids)
            while (grid.id, template.subject) in used or not grid.units:
                grid = rng.choice(grids)
            used.add((grid.id, template.subject))
            if template.scope == "unit":
                place, label = rng.choice(grid.units)
            elif template.scope == "building":
                place, label = rng.choice(grid.buildings)
            else:
                place, label = grid.id, ""
            planned.append((template, grid, place, label))
        return planned

    def load_topics(self) -> None:
        planned = self.plan()
        base = sum(1 if t.path == "L" else 2 for t, _g, _p, _l in planned)
        base += sum(1 for c in texts.CLOSED_OTHERWISE if c[3] == "rejected")
        assert 0 <= MEETINGS - base <= len(planned)
        doors = set(self.rng.sample(range(len(planned)), MEETINGS - base))
        self.assign_problems([f"{g.name}{label}{t.subject}" for t, g, _p, label in planned])
        # Spread the starts through the year so that closings are spread too.
        # The longest each path can take with the draws below, in days.
        spans = {"L": 82, "C": 102, "V": 118}
        for n, (template, grid, place, label) in enumerate(planned):
            latest = LAST_DAY - timedelta(days=spans[template.path])
            first = date(HISTORY_YEAR, 1, 25)
            offset = (latest - first).days * n // len(planned) + self.rng.randint(0, 12)
            start = min(first + timedelta(days=offset), latest)
            self.topic(template, grid, place, label, start, door=n in doors)
        for n, (code, subject, appeal, stage, reason) in enumerate(texts.CLOSED_OTHERWISE):
            grid = list(self.world.grids.values())[7 + 11 * n]
            start = date(HISTORY_YEAR, 3 + 2 * n, 10 + n)
            self.closed_otherwise(
                grid, code, subject=subject, line=appeal, stage=stage, reason=reason, start=start
            )

    def appeals_for(
        self, topic: Topic, grid: _Grid, lines: Iterable[str], start: date, label: str
    ) -> None:
        rng = self.rng
        channels = [c for c in Channel.values if c not in (Channel.SURVEY, Channel.HOTLINE)]
        for line in lines:
            created = self.when(start - timedelta(days=rng.randint(1, 20)))
            reporter = rng.choice(grid.residents)
            online = rng.random() < 0.3
            appeal = Appeal(
                text=line.format(p=label or "我们楼"),
                category=topic.category,
                place_id=topic.place_id,
                reporter_id=reporter if online else None,
                reporter_name="" if online else self.world.names[reporter],
                channel=Channel.ONLINE if online else rng.choice(channels[1:]),
                status=AppealStatus.ACCEPTED,
                topic=topic,
                decision_note=f"已纳入议题“{topic.title}”。",
                entered_by_id=reporter if online else self.grid_worker(grid),
                created_at=created,
            )
            self.rows.appeals.append(appeal)
            self.rows.events.append(
                AppealEvent(appeal=appeal, at=created, actor_id=appeal.entered_by_id, status="new")
            )
            self.rows.events.append(
                AppealEvent(
                    appeal=appeal,
                    at=topic.created_at,
                    actor_id=self.grid_worker(grid),
                    status=AppealStatus.ACCEPTED,
                    note=appeal.decision_note,
                )
            )

    def new_topic(
        self, grid: _Grid, code: str, *, title: str, description: str, place: int, at: datetime
    ) -> Topic:
        topic = Topic(
            title=title[:120],
            description=description,
            category=self.categories[code],
            place_id=place,
            stage=Stage.PROPOSED,
            created_by_id=self.grid_worker(grid),
            created_at=at,
            stage_changed_at=at,
        )
        self.rows.topics.append(topic)
        self.step(topic, at, self.grid_worker(grid), "created", target=Stage.PROPOSED)
        return topic

    def topic(
        self,
        template: texts.TopicText,
        grid: _Grid,
        place: int,
        label: str,
        start: date,
        *,
        door: bool,
    ) -> None:
        rng = self.rng
        title = f"{grid.name}{label}{template.subject}"
        lines = list(template.appeals)
        lines = rng.sample(lines, rng.randint(min(2, len(lines)), len(lines)))
        opened = self.when(start)
        topic = self.new_topic(
            grid,
            template.category,
            title=title,
            description="\n".join(line.format(p=label or "小区") for line in lines),
            place=place,
            at=opened,
        )
        self.appeals_for(topic, grid, lines, start, label)
        grid_worker, secretary = self.grid_worker(grid), self.secretary(grid)
        self.advance(topic, opened + timedelta(minutes=20), grid_worker, "accepted", Stage.LOCAL)
        day = start + timedelta(days=rng.randint(1, 3))
        options = []
        for letter, (name, funding, cost) in zip("ABC", template.options, strict=False):
            cost_value = Decimal(cost + rng.randint(0, cost // 10 if cost else 0))
            option = Option(
                topic=topic,
                letter=letter,
                title=name,
                description=f"{name}，资金来源：{funding}。",
                estimated_cost=cost_value if cost else None,
                funding=funding,
                created_by_id=secretary,
                created_at=self.when(day),
            )
            options.append(option)
            self.rows.options.append(option)
            self.step(
                topic,
                option.created_at,
                secretary,
                "option_added",
                text=option.description,
                option=f"{letter}. {name}",
                cost=str(option.estimated_cost) if option.estimated_cost is not None else "",
                funding=funding,
            )
        chosen = options[0]
        if door:
            day += timedelta(days=rng.randint(2, 5))
            self.meeting(topic, grid, MeetingKind.DOOR, day, label)
        day += timedelta(days=rng.randint(3, 8))
        local = self.meeting(topic, grid, MeetingKind.LOCAL, day, label)
        notice = (
            f"经{'先行商议' if template.path == 'L' else '协商'}，决定：{chosen.title}。现予公示。"
        )
        if template.path == "L":
            self.hands(local, chosen, topic, passed=True)
            day += timedelta(days=rng.randint(1, 3))
            self.advance(
                topic,
                self.when(day),
                secretary,
                "decided",
                Stage.DECIDED,
                notice_draft=notice,
                option=f"{chosen.letter}. {chosen.title}",
            )
        else:
            if rng.random() < 0.5:
                self.hands(local, options[1], topic, passed=False)
            staff = self.staff(grid)
            day += timedelta(days=rng.randint(1, 3))
            self.advance(
                topic,
                self.when(day),
                secretary,
                "escalated",
                Stage.REVIEW,
                note=rng.choice(texts.FAILED_LOCAL),
            )
            day += timedelta(days=rng.randint(5, 10))
            self.advance(
                topic,
                self.when(day),
                staff,
                "consultation_convened",
                Stage.CONSULTATION,
                findings=rng.choice(texts.FINDINGS),
            )
            day += timedelta(days=rng.randint(4, 8))
            consultation = self.meeting(topic, grid, MeetingKind.CONSULTATION, day, label)
            if template.path == "C":
                self.hands(consultation, chosen, topic, passed=True)
                day += timedelta(days=rng.randint(1, 3))
                self.advance(
                    topic,
                    self.when(day),
                    staff,
                    "decided",
                    Stage.DECIDED,
                    notice_draft=notice,
                    option=f"{chosen.letter}. {chosen.title}",
                )
            else:
                day = self.owners_vote(
                    topic, grid, options=options, item=template.item, day=day, staff=staff
                )
        self.rows.decided.append((topic, chosen))
        self.execute(topic, grid, template, day, label)

    def closed_otherwise(
        self,
        grid: _Grid,
        code: str,
        *,
        subject: str,
        line: str,
        stage: str,
        reason: str,
        start: date,
    ) -> None:
        """A matter raised as a topic and then rejected (after a local meeting) or referred."""
        topic = self.new_topic(
            grid,
            code,
            title=f"{grid.name}{subject}",
            description=line,
            place=grid.id,
            at=self.when(start),
        )
        self.appeals_for(topic, grid, [line], start, "")
        worker = self.grid_worker(grid)
        self.advance(
            topic, topic.created_at + timedelta(minutes=30), worker, "accepted", Stage.LOCAL
        )
        if stage == "rejected":
            self.meeting(topic, grid, MeetingKind.LOCAL, start + timedelta(days=6), "")
            self.advance(
                topic,
                self.when(start + timedelta(days=8)),
                self.secretary(grid),
                "rejected",
                Stage.REJECTED,
                reason=reason,
            )
        else:
            self.advance(
                topic,
                self.when(start + timedelta(days=3)),
                worker,
                "referred",
                Stage.REFERRED,
                referred_to=reason,
            )

    # --- meetings ------------------------------------------------------------------------
    def invitees(self, grid: _Grid, kind: str, place: int) -> list[tuple[str, int | None, str]]:
        w, rng = self.world, self.rng
        people: list[tuple[str, int | None, str]] = [
            (Capacity.PARTY_MEMBER, self.secretary(grid), ""),
            (Capacity.PROPERTY_COMPANY, self.property_staff(grid), ""),
        ]
        people += [
            (Capacity.OWNERS_COMMITTEE, p, "") for p in w.holders("owners_committee", grid.id)
        ]
        people += [(Capacity.RESIDENT_REP, p, "") for p in w.holders("resident_rep", grid.id)]
        head = w.holders("building_head", self.world.unit_building.get(place, place))
        people += [(Capacity.BUILDING_HEAD, p, "") for p in head[:1]]
        if kind == MeetingKind.DOOR:
            people = people[1:2] + people[-2:]
            people += [(Capacity.INTERESTED_PARTY, p, "") for p in rng.sample(grid.residents, 3)]
        if kind == MeetingKind.CONSULTATION:
            people.append((Capacity.STAFF, self.staff(grid), ""))
            people += [(Capacity.DEPUTY, p, "") for p in w.holders("deputy", grid.community)]
            people.append((Capacity.LEGAL_ADVISER, None, rng.choice(texts.LAWYERS)))
            people += [(Capacity.INTERESTED_PARTY, p, "") for p in rng.sample(grid.residents, 2)]
        seen: set[int] = set()
        unique = []
        for capacity, person, name in people:
            if person is not None and person in seen:
                continue
            if person is not None:
                seen.add(person)
            unique.append((capacity, person, name))
        return unique

    def meeting(self, topic: Topic, grid: _Grid, kind: str, day: date, label: str) -> Meeting:
        rng = self.rng
        runner = self.staff(grid) if kind == MeetingKind.CONSULTATION else self.secretary(grid)
        starts = self.when(day, evening=kind == MeetingKind.DOOR or rng.random() < 0.3)
        places: dict[str, str] = {
            MeetingKind.DOOR: f"{grid.name}{label or rng.choice(grid.buildings)[1]}楼下",
            MeetingKind.LOCAL: f"{grid.name}党群服务站",
            MeetingKind.CONSULTATION: f"{grid.community_name}党群服务中心议事厅",
        }
        where = places[kind]
        title = f"{topic.title}{MeetingKind(kind).label}"
        minutes = rng.choice(texts.MINUTES[kind]).format(
            b=label or "各楼栋", s=topic.title.removeprefix(grid.name)
        )
        convened = starts - timedelta(days=rng.randint(1, 2), hours=2)
        meeting = Meeting(
            kind=kind,
            title=title[:120],
            place_id=topic.place_id if kind != MeetingKind.CONSULTATION else grid.id,
            location=where[:120],
            starts_at=starts,
            status=MeetingStatus.HELD,
            minutes=minutes,
            held_at=starts + timedelta(hours=1, minutes=rng.choice([15, 30, 45])),
            convened_by_id=runner,
            created_at=convened,
        )
        self.rows.meetings.append((meeting, topic))
        invited = self.invitees(grid, kind, topic.place_id)
        absent = rng.choice([0, 0, 0, 1]) if len(invited) > 3 else 0
        for n, (capacity, person, name) in enumerate(invited):
            here = n < len(invited) - absent
            self.rows.participants.append(
                Participant(
                    meeting=meeting,
                    person_id=person,
                    name=(self.world.names[person] if person else name)[:50],
                    capacity=capacity,
                    attended_at=starts - timedelta(minutes=rng.randint(0, 15)) if here else None,
                )
            )
        self.step(
            topic,
            convened,
            runner,
            "meeting_convened",
            meeting=meeting.uid,
            title=meeting.title,
            kind=kind,
            starts_at=starts.isoformat(),
        )
        self.step(
            topic,
            meeting.held_at or starts,
            runner,
            "meeting_held",
            text=minutes,
            meeting=meeting.uid,
            title=meeting.title,
            kind=kind,
            invited=len(invited),
            attended=len(invited) - absent,
        )
        return meeting

    def hands(self, meeting: Meeting, option: Option, topic: Topic, *, passed: bool) -> None:
        ours = [p for p in self.rows.participants[-20:] if p.meeting is meeting]
        invited, attendees = len(ours), sum(1 for p in ours if p.attended_at is not None)
        agree = attendees - self.rng.randint(0, attendees // 4) if passed else attendees // 2
        hands = Hands(invited, attendees, agree, attendees - agree, 0)
        result = meeting_result(MeetingRule.MAJORITY_OF_ATTENDEES, hands)
        assert result.passed == passed, result.explanation_zh
        recorded = (meeting.held_at or meeting.starts_at) - timedelta(minutes=10)
        self.rows.resolutions.append(
            Resolution(
                meeting=meeting,
                option=option,
                rule=MeetingRule.MAJORITY_OF_ATTENDEES,
                invited=invited,
                attendees=attendees,
                agree=hands.agree,
                disagree=hands.disagree,
                abstain=0,
                passed=result.passed,
                explanation_zh=result.explanation_zh,
                explanation_en=result.explanation_en,
                recorded_by_id=meeting.convened_by_id,
                recorded_at=recorded,
            )
        )
        self.step(
            topic,
            recorded,
            meeting.convened_by_id or 0,
            "resolution",
            meeting=meeting.uid,
            title=meeting.title,
            option=f"{option.letter}. {option.title}",
            passed=result.passed,
            zh=result.explanation_zh,
            en=result.explanation_en,
        )

    # --- owners' votes -------------------------------------------------------------------
    def owners_vote(
        self, topic: Topic, grid: _Grid, *, options: list[Option], item: int, day: date, staff: int
    ) -> date:
        """The options go to every household of the topic's grid, door to door; the first
        carries. The tally is the engine's (votes/rules.py), stored as `vote_close` would."""
        rng = self.rng
        homes = self.world.homes_under(topic.place_id, self.scope_kind(topic, grid))
        letters = [o.letter for o in options]
        engine_homes = [
            Home(str(pk), Fraction(area), key, unsold) for pk, area, key, unsold in homes
        ]
        rules = {o.letter: rule_for_item(item) for o in options}
        # One owner, one voice: the same choice for all homes of a buyer or of the developer.
        for _attempt in range(50):
            voices: dict[str, dict[str, str]] = {}
            ballots: list[tuple[int, dict[str, str]]] = []
            for pk, _area, key, unsold in homes:
                person = "developer" if unsold else (f"owner:{key}" if key else f"home:{pk}")
                if person not in voices:
                    if rng.random() < 0.1:
                        voices[person] = {}
                        continue
                    voices[person] = {
                        letter: (
                            "agree" if rng.random() < (0.93 if n == 0 else 0.12) else "disagree"
                        )
                        for n, letter in enumerate(letters)
                    }
                if voices[person]:
                    ballots.append((pk, voices[person]))
            results = owners_tally(
                rules, engine_homes, [RuleBallot(str(pk), c) for pk, c in ballots], letters
            )
            if results["A"].passed and not any(r.passed for k, r in results.items() if k != "A"):
                break
        opens = self.when(day + timedelta(days=1))
        closes = opens + timedelta(days=14)
        vote = Vote(
            topic=topic,
            scope_id=topic.place_id,
            opens_at=opens,
            closes_at=closes,
            opened_by_id=staff,
            closed_at=closes + timedelta(hours=1),
            closed_by_id=staff,
            result={
                letter: {**figures(r), "zh": r.explanation_zh, "en": r.explanation_en}
                for letter, r in results.items()
            },
        )
        self.rows.votes.append(vote)
        self.rows.vote_options += [VoteOption(vote=vote, option=o, item=item) for o in options]
        collector = self.grid_worker(grid)
        span = int((closes - opens).total_seconds()) - 3600
        for number, (pk, choices) in enumerate(ballots, start=1):
            owner = self.world.owner_of.get(pk)
            online = owner is not None and rng.random() < 0.2
            self.rows.ballots.append(
                Ballot(
                    vote=vote,
                    home_id=pk,
                    choices=choices,
                    channel=BallotChannel.ONLINE if online else BallotChannel.DOOR,
                    entered_by_id=owner if online and owner else collector,
                    cast_at=opens + timedelta(seconds=rng.randint(600, span)),
                    paper_no="" if online else f"{HISTORY_YEAR}-{number:03d}",
                )
            )
        self.advance(topic, opens - timedelta(minutes=30), staff, "vote_opened", Stage.VOTING)
        self.step(
            topic,
            opens,
            staff,
            "owners_vote_opened",
            vote=vote.uid,
            scope=self.address(topic.place_id, grid),
            closes_at=closes.isoformat(),
            items=dict.fromkeys(letters, item),
            secret=False,
        )
        self.step(
            topic,
            closes + timedelta(hours=1),
            staff,
            "owners_vote_closed",
            vote=vote.uid,
            passed="A",
            zh="\n".join(r.explanation_zh for r in results.values()),
            en="\n".join(r.explanation_en for r in results.values()),
        )
        decided = closes.date() + timedelta(days=rng.randint(1, 3))
        self.advance(
            topic,
            self.when(decided),
            staff,
            "decided",
            Stage.DECIDED,
            tally=f"入户征求意见 {len(ballots)} 户，A 方案获业主表决通过。"
            + results["A"].explanation_zh,
            notice_draft=f"经业主表决，决定：{options[0].title}。现予公示。",
            option=f"A. {options[0].title}",
        )
        return decided

    def scope_kind(self, topic: Topic, grid: _Grid) -> str:
        if topic.place_id == grid.id:
            return "compound"
        return "unit" if topic.place_id in self.world.unit_building else "building"

    def address(self, place: int, grid: _Grid) -> str:
        for pk, name in grid.buildings:
            if pk == place:
                return f"{grid.name} {name}"
        for pk, label in grid.units:
            if pk == place:
                return f"{grid.name} {label.replace('楼', '楼 ', 1)}"
        return grid.name

    # --- execution and evaluation --------------------------------------------------------
    def execute(
        self,
        topic: Topic,
        grid: _Grid,
        template: texts.TopicText,
        day: date,
        label: str,
    ) -> None:
        rng = self.rng
        secretary, worker = self.secretary(grid), self.property_staff(grid)
        day += timedelta(days=rng.randint(1, 4))
        self.rows.responsible.append((topic, worker))
        self.advance(topic, self.when(day), secretary, "execution_started", Stage.EXECUTING)
        created = self.when(day) + timedelta(minutes=30)
        work_days = rng.randint(10, 35)
        done = self.when(day + timedelta(days=work_days))
        task = Task(
            topic=topic,
            title=template.task,
            responsible_id=worker,
            due_on=day + timedelta(days=work_days + 5),
            status=TaskStatus.DONE,
            created_by_id=secretary,
            created_at=created,
            done_at=done,
        )
        self.rows.tasks.append(task)
        self.step(topic, created, secretary, "task_created", task=task.title, due=str(task.due_on))
        self.rows.reports.append(
            TaskReport(
                task=task,
                at=done,
                actor_id=worker,
                text=f"{template.task}已完成。",
                status=TaskStatus.DONE,
            )
        )
        self.step(topic, done, worker, "task_done", task=task.title)
        day += timedelta(days=work_days + rng.randint(1, 4))
        panel = "、".join(
            [
                f"业委会 {self.world.names[p]}"
                for p in self.world.holders("owners_committee", grid.id)[:1]
            ]
            + [
                f"居民代表 {self.world.names[p]}"
                for p in self.world.holders("resident_rep", grid.id)[:1]
            ]
            + [f"物业 {self.world.names[worker]}"]
        )
        accepted = self.when(day)
        acceptance = Acceptance(
            topic=topic,
            held_on=day,
            participants=panel,
            opinion=template.opinion,
            passed=True,
            recorded_by_id=secretary,
            recorded_at=accepted,
        )
        self.rows.acceptances.append(acceptance)
        self.step(
            topic,
            accepted,
            secretary,
            "acceptance",
            text=template.opinion,
            participants=panel,
            held_on=day.isoformat(),
            passed=True,
        )
        self.advance(topic, accepted, secretary, "accepted_work", Stage.EVALUATING)
        self.evaluate(topic, grid, day, label)

    def evaluate(self, topic: Topic, grid: _Grid, day: date, label: str) -> None:
        rng = self.rng
        staff, worker = self.staff(grid), self.grid_worker(grid)
        day += timedelta(days=rng.randint(2, 6))
        audited = self.when(day)
        problems = self.problems.pop(topic.title, [])
        audit = Audit(
            topic=topic,
            held_on=day,
            panel=f"党员代表 {self.world.names[self.secretary(grid)]}、居民代表、第三方机构",
            findings=rng.choice(texts.AUDIT_FINDINGS),
            verdict=Verdict.WITH_ISSUES if problems else Verdict.PASSED,
            recorded_by_id=staff,
            recorded_at=audited,
        )
        self.rows.audits.append(audit)
        answers: list[datetime] = []
        for problem in problems:
            answered = audited + timedelta(days=rng.randint(2, 6))
            answers.append(answered)
            self.rows.feedback.append(
                FeedbackItem(
                    place_id=topic.place_id,
                    topic=topic,
                    source=FeedbackSource.AUDIT,
                    audit=audit,
                    text=problem,
                    status=FeedbackStatus.RESOLVED,
                    assignee_id=self.property_staff(grid),
                    answer=texts.PROBLEM_ANSWERS[texts.PROBLEMS.index(problem)],
                    created_at=audited,
                    closed_at=answered,
                )
            )
        self.step(
            topic,
            audited,
            staff,
            "audit",
            text=audit.findings,
            panel=audit.panel,
            verdict=str(Verdict(audit.verdict).label),
            problems=len(problems),
        )
        homes = self.world.homes_under(topic.place_id, self.scope_kind(topic, grid))
        opened = audited + timedelta(hours=1)
        survey = Survey(
            topic=topic,
            scope_id=topic.place_id,
            opens_at=opened,
            closes_on=day + timedelta(days=7),
            min_rate=50,
            created_by_id=staff,
        )
        levels = [Level.VERY] * 6 + [Level.SATISFIED] * 3 + [Level.BASIC]
        counts: dict[str, int] = defaultdict(int)
        for pk, _area, _key, _unsold in homes:
            if rng.random() < 0.25:
                continue
            level = rng.choice(levels)
            counts[level] += 1
            owner = self.world.owner_of.get(pk)
            online = owner is not None and rng.random() < 0.3
            self.rows.responses.append(
                SurveyResponse(
                    survey=survey,
                    home_id=pk,
                    level=level,
                    comment=rng.choice(texts.SURVEY_COMMENTS),
                    channel=ResponseChannel.ONLINE if online else ResponseChannel.DOOR,
                    respondent_id=owner if online else None,
                    recorded_by_id=owner if online and owner else worker,
                    at=opened + timedelta(minutes=rng.randint(30, 6 * 24 * 60)),
                )
            )
        result = survey_figures(
            homes=len(homes), counts=counts, counted=survey.levels_counted, min_rate=50
        )
        assert result.enough
        assert result.satisfied == result.responses
        survey.result = result.as_json()
        survey.ended_at = _moment(survey.closes_on, 17, 30)
        self.rows.surveys.append(survey)
        self.step(
            topic,
            opened,
            staff,
            "survey_opened",
            survey_scope=self.address(topic.place_id, grid),
            until=survey.closes_on.isoformat(),
        )
        self.step(
            topic,
            survey.ended_at,
            staff,
            "survey_ended",
            responses=f"{result.responses}/{result.homes}（{result.response_rate}）",
            satisfaction=result.satisfaction_rate,
        )
        closed = self.when(survey.closes_on + timedelta(days=rng.randint(1, 3)))
        self.advance(
            topic,
            max([closed, *answers]),
            staff,
            "closed",
            Stage.CLOSED,
            evaluation=f"审计评估{Verdict(audit.verdict).label}，满意度测评参与率"
            f"{result.response_rate}、满意率{result.satisfaction_rate}，办结。",
        )

    def assign_problems(self, titles: list[str]) -> None:
        """25 problems over the audits: most with one, a few with two."""
        chosen = self.rng.sample(titles, AUDIT_PROBLEMS - 6)
        self.problems = {t: [self.rng.choice(texts.PROBLEMS)] for t in chosen}
        for title in chosen[:6]:
            first = self.problems[title][0]
            self.problems[title].append(self.rng.choice([p for p in texts.PROBLEMS if p != first]))

    # --- saving --------------------------------------------------------------------------
    def save(self) -> None:
        r = self.rows
        Topic.objects.bulk_create(with_place_paths(r.topics))
        Option.objects.bulk_create(r.options)
        for topic, option in r.decided:
            topic.decided_option = option
        Topic.objects.bulk_update([t for t, _o in r.decided], ["decided_option", "decision"])
        Appeal.objects.bulk_create(with_place_paths(r.appeals))
        _bulk(AppealEvent, r.events)
        Meeting.objects.bulk_create([m for m, _t in r.meetings])
        through = Meeting.topics.through
        through.objects.bulk_create(
            [through(meeting_id=m.pk, topic_id=t.pk) for m, t in r.meetings]
        )
        _bulk(Participant, r.participants)
        _bulk(Resolution, r.resolutions)
        Vote.objects.bulk_create(r.votes)
        _bulk(VoteOption, r.vote_options)
        _bulk(Ballot, r.ballots)
        responsible = Topic.responsible.through
        responsible.objects.bulk_create(
            [responsible(topic_id=t.pk, person_id=p) for t, p in r.responsible]
        )
        Task.objects.bulk_create(r.tasks)
        _bulk(TaskReport, r.reports)
        Acceptance.objects.bulk_create(r.acceptances)
        photo = _photo()
        _bulk(
            AcceptancePhoto,
            [
                AcceptancePhoto(acceptance=a, image=photo, width=800, height=600)
                for a in r.acceptances
            ],
        )
        Audit.objects.bulk_create(r.audits)
        Survey.objects.bulk_create(r.surveys)
        _bulk(SurveyResponse, r.responses)
        _bulk(FeedbackItem, r.feedback)


def _bulk(model: type[Model], rows: list[Any]) -> None:
    model._default_manager.bulk_create(rows, batch_size=1000)


def _photo() -> str:
    """One photo of the finished work, shared by the history's acceptances."""
    return default_storage.save(
        f"works/{HISTORY_YEAR}/history.jpg", ContentFile(jpeg((170, 190, 160)))
    )


# --- disclosure ------------------------------------------------------------------------------
def _channels(h: _History) -> dict[int, list[DisclosureChannel]]:
    """30 channels opened in 2022: the public account and board of four communities, the
    board and owners' group of eleven compounds (the story's own are opened in 2026)."""
    rng, world = h.rng, h.world
    made: list[DisclosureChannel] = []
    creator = h.staff_fallback
    for community, name in world.communities:
        if name == STORY_COMMUNITY:
            continue
        staff = world.holder(Role.COMMUNITY_STAFF, community, creator)
        for kind, suffix in (
            (ChannelKind.COMMUNITY_BOARD, "公示栏"),
            (ChannelKind.WECHAT_ACCOUNT, "微信公众号"),
        ):
            made.append(
                DisclosureChannel(
                    place_id=community,
                    kind=kind,
                    name=f"{name}{suffix}",
                    created_by_id=staff,
                    created_at=h.when(FIRST_DAY + timedelta(days=rng.randint(0, 60))),
                )
            )
    grids = [g for g in world.grids.values() if g.name != STORY_COMPOUND]
    for grid in rng.sample(grids, CHANNEL_COMPOUNDS):
        for kind, suffix in (
            (ChannelKind.COMPOUND_BOARD, "公示栏"),
            (ChannelKind.OWNERS_GROUP, "业主群"),
        ):
            made.append(
                DisclosureChannel(
                    place_id=grid.id,
                    kind=kind,
                    name=f"{grid.name}{suffix}",
                    created_by_id=h.staff(grid),
                    created_at=h.when(FIRST_DAY + timedelta(days=rng.randint(0, 300))),
                )
            )
    _bulk(DisclosureChannel, made)
    by_place: dict[int, list[DisclosureChannel]] = defaultdict(list)
    for channel in made:
        by_place[channel.place_id].append(channel)
    return by_place


def _reachable(
    grid: _Grid, channels: dict[int, list[DisclosureChannel]], after: datetime
) -> list[DisclosureChannel]:
    return [
        c
        for c in channels.get(grid.id, []) + channels.get(grid.community, [])
        if c.created_at < after
    ]


def _publish(
    notice: Notice,
    *,
    grid: _Grid,
    on: list[DisclosureChannel],
    at: datetime,
    actor: int,
) -> None:
    names = known_names(Place(path=grid.path))
    notice.title, notice.body = masked(notice.title, names)[:120], masked(notice.body, names)
    notice.state = NoticeStatus.PUBLISHED
    notice.published_at = at
    notice.period_ends = timezone.localdate(at) + timedelta(days=notice.period_days)
    notice.published_by_id = actor
    notice.created_by_id = actor
    notice.created_at = at - timedelta(hours=2)
    notice.save()
    notice.channels.set(on)


def _notices(h: _History, channels: dict[int, list[DisclosureChannel]]) -> tuple[int, int]:
    """30 proactive notices about the year's topics, 20 answers to residents' requests."""
    rng = h.rng

    proactive = 0
    steps: list[Step] = []
    closed = [t for t in h.rows.topics if t.stage == Stage.CLOSED]
    grids_by_place = _grids_by_place(h)
    for topic in closed:
        if proactive == PROACTIVE:
            break
        grid = grids_by_place[topic.place_id]
        vote = next((v for v in h.rows.votes if v.topic is topic), None)
        kind = rng.choice([NoticeKind.EVALUATION, NoticeKind.ACCEPTANCE])
        at = h.when(timezone.localdate(topic.stage_changed_at) + timedelta(days=1))
        if vote is not None and vote.closed_at is not None:
            kind, at = NoticeKind.TALLY, vote.closed_at + timedelta(hours=2)
        on = _reachable(grid, channels, at)
        if not on:
            continue
        records: list[Survey] | list[Acceptance] | list[Vote] = h.rows.surveys
        if kind == NoticeKind.ACCEPTANCE:
            records = h.rows.acceptances
        elif kind == NoticeKind.TALLY:
            records = h.rows.votes
        subject = next(r.uid for r in records if r.topic is topic)
        title, body = draft(topic, kind, subject)
        notice = Notice(
            place_id=topic.place_id,
            topic=topic,
            kind=kind,
            subject_uid=subject,
            origin=Origin.PROACTIVE,
            title=title,
            body=body,
        )

        _publish(notice, grid=grid, on=on, at=at, actor=h.secretary(grid))
        steps.append(
            Step(
                topic=topic,
                at=at,
                actor_id=notice.published_by_id,
                verb="notice_published",
                data={
                    "notice": notice.uid,
                    "notice_title": notice.title,
                    "until": str(notice.period_ends),
                },
            )
        )
        proactive += 1
    assert proactive == PROACTIVE, "too few topics reach a channel"
    _bulk(Step, steps)
    answered = 0
    with_channels = [g for g in h.world.grids.values() if g.id in channels]
    for n in range(ON_REQUEST):
        grid = with_channels[n % len(with_channels)]
        asked, subject = texts.REQUESTS[n % len(texts.REQUESTS)]
        month = 1 + (n * 10) // ON_REQUEST
        filed = h.when(date(HISTORY_YEAR, month, rng.randint(1, 20)) + timedelta(days=15))
        on = _reachable(grid, channels, filed + timedelta(days=10))
        if not on:
            on = channels[grid.id]
            filed = max(c.created_at for c in on) + timedelta(days=3)
        requester = rng.choice(grid.residents)
        secretary = h.secretary(grid)
        answered_at = filed + timedelta(days=rng.randint(3, 12), hours=2)
        notice = Notice(
            place_id=grid.id,
            kind=NoticeKind.OTHER,
            origin=Origin.ON_REQUEST,
            title=f"关于{grid.name}{subject}的公开",
            body=f"应居民申请，现将{grid.name}{subject}公开如下，详细材料可到党群服务站查阅。"
            f"\n\n申请内容：{asked}\n答复：经核实，相关账目和材料已整理完毕，公示期内如有异议请提出。",
        )
        _publish(notice, grid=grid, on=on, at=answered_at, actor=secretary)
        DisclosureRequest.objects.create(
            place_id=grid.id,
            requester_id=requester,
            text=asked,
            at=filed,
            due_on=timezone.localdate(filed) + timedelta(days=15),
            status=RequestStatus.ANSWERED,
            assignee_id=secretary,
            notice=notice,
            closed_at=answered_at,
        )
        answered += 1
    return proactive, answered


def _grids_by_place(h: _History) -> dict[int, _Grid]:
    found: dict[int, _Grid] = {}
    for grid in h.world.grids.values():
        found[grid.id] = grid
        for pk, _name in grid.buildings:
            found[pk] = grid
        for pk, _label in grid.units:
            found[pk] = grid
    return found


# --- activities -------------------------------------------------------------------------------
def _activities(h: _History) -> tuple[int, int]:
    rng, world = h.rng, h.world
    grids = list(world.grids.values())
    by_community: dict[int, list[int]] = defaultdict(list)
    for grid in grids:
        by_community[grid.community] += grid.residents
    activities: list[Activity] = []
    registrations: list[Registration] = []
    for n in range(ACTIVITIES):
        kind, title, organiser, location, capacity, hours, level = rng.choice(texts.ACTIVITIES)
        grid = rng.choice(grids)
        community_name = grid.community_name
        # From mid-January: an activity is announced up to 12 days ahead, within the year.
        day = FIRST_DAY + timedelta(days=10 + (n * 345) // ACTIVITIES + rng.randint(0, 2))
        starts = _moment(day, rng.choice([9, 9, 10, 14, 15, 19]), rng.choice([0, 30]))
        place = grid.id if level == "compound" else grid.community
        crowd = grid.residents if level == "compound" else by_community[grid.community]
        activity = Activity(
            title=title,
            kind=kind,
            organiser=organiser.format(c=community_name, p=grid.name)[:100],
            place_id=place,
            location=(location or "{p}").format(c=community_name, p=grid.name)[:120],
            starts_at=starts,
            ends_at=starts + timedelta(hours=rng.choice([1, 2, 2, 3])),
            capacity=capacity,
            description=f"{title}，欢迎居民报名参加。",
            volunteer_hours=Decimal(hours) if hours else None,
            created_by_id=h.staff(grid),
            created_at=starts - timedelta(days=rng.randint(5, 12)),
        )
        activities.append(activity)
        came = rng.randint(capacity // 2, capacity)
        for person in rng.sample(crowd, min(came, len(crowd))):
            attended = rng.random() < 0.88
            registrations.append(
                Registration(
                    activity=activity,
                    person_id=person,
                    status=RegistrationStatus.REGISTERED,
                    registered_at=starts - timedelta(hours=rng.randint(3, 96)),
                    attended_at=starts + timedelta(minutes=rng.randint(-10, 20))
                    if attended
                    else None,
                    hours=Decimal(hours) if hours and attended else Decimal("0"),
                )
            )
    _bulk(Activity, activities)
    _bulk(Registration, registrations)
    return len(activities), len(registrations)


# --- survey campaigns -------------------------------------------------------------------------
def _campaigns(h: _History) -> tuple[int, int]:
    rng, world = h.rng, h.world
    questions: list[tuple[Question, str]] = []
    answers: list[Answer] = []
    responses: list[CampaignResponse] = []
    feedback: list[FeedbackItem] = []
    made: list[Campaign] = []
    for n in range(CAMPAIGNS):
        domain, subject, organiser = texts.CAMPAIGNS[n % len(texts.CAMPAIGNS)]
        community, community_name = world.communities[n % len(world.communities)]
        grids = [g for g in world.grids.values() if g.community == community]
        starts = FIRST_DAY + timedelta(days=20 + n * 20 + rng.randint(0, 5))
        campaign = Campaign(
            title=f"{HISTORY_YEAR}年{community_name}{subject}",
            domain=domain,
            place_id=community,
            organiser=organiser,
            intro="受社区委托，了解居民对服务的使用情况和满意程度。问卷不记录姓名。",
            starts_on=starts,
            ends_on=starts + timedelta(days=20),
            published_at=_moment(starts, 9),
            created_by_id=h.third_party,
            created_at=_moment(starts - timedelta(days=3), 10),
        )
        made.append(campaign)
        asked = [
            Question(
                campaign=campaign,
                position=position,
                kind=kind,
                text=text,
                options=list(options),
                required=kind != "text",
            )
            for position, (kind, text, options) in enumerate(texts.QUESTIONS[domain], start=1)
        ]
        questions += [(q, domain) for q in asked]
        crowd = [p for g in grids for p in g.residents]
        for person in rng.sample(crowd, rng.randint(30, 60)):
            door = rng.random() < 0.3
            response = CampaignResponse(
                campaign=campaign,
                respondent_id=None if door else person,
                recorded_by_id=h.staff_fallback if door else person,
                at=_moment(starts + timedelta(days=rng.randint(0, 19)), rng.randint(8, 20)),
            )
            responses.append(response)
            for question in asked:
                value: object
                if question.kind == "single":
                    value = rng.choice(question.options)
                elif question.kind == "multiple":
                    value = rng.sample(question.options, rng.randint(1, 2))
                elif question.kind == "rating":
                    value = rng.choice([3, 4, 4, 5, 5, 5])
                else:
                    value = rng.choice(["", "", rng.choice(texts.CAMPAIGN_REMARKS[domain])])
                    if not value:
                        continue
                answers.append(Answer(response=response, question=question, value=value))
        for remark in rng.sample(texts.CAMPAIGN_REMARKS[domain], 2):
            raised = _moment(campaign.ends_on + timedelta(days=2), 10)
            feedback.append(
                FeedbackItem(
                    place_id=community,
                    source=FeedbackSource.CAMPAIGN,
                    campaign=campaign,
                    text=remark,
                    status=FeedbackStatus.RESOLVED,
                    assignee_id=world.holder(Role.COMMUNITY_STAFF, community, h.staff_fallback),
                    answer=rng.choice(texts.CAMPAIGN_ANSWERS),
                    created_at=raised,
                    closed_at=raised + timedelta(days=rng.randint(5, 20)),
                )
            )
    _bulk(Campaign, made)
    _bulk(Question, [q for q, _d in questions])
    _bulk(CampaignResponse, responses)
    _bulk(Answer, answers)
    _bulk(FeedbackItem, feedback)
    return len(made), len(responses)


# --- appeals settled without a topic ----------------------------------------------------------
def _loose_appeals(h: _History) -> int:
    rng = h.rng
    grids = list(h.world.grids.values())
    appeals: list[Appeal] = []
    events: list[AppealEvent] = []
    for n, (status, code, line, note) in enumerate(texts.LOOSE_APPEALS * 2):
        grid = rng.choice(grids)
        reporter = rng.choice(grid.residents)
        created = h.when(FIRST_DAY + timedelta(days=(n * 350) // (2 * len(texts.LOOSE_APPEALS))))
        worker = h.grid_worker(grid)
        referred = status == AppealStatus.REFERRED
        appeal = Appeal(
            text=line,
            category=h.categories[code],
            place_id=grid.id,
            reporter_name=h.world.names[reporter],
            channel=rng.choice([Channel.PHONE, Channel.VISIT, Channel.CHAT_GROUP, Channel.HOTLINE]),
            status=status,
            referred_to=note if referred else "",
            decision_note=f"已转交{note}办理。" if referred else note,
            entered_by_id=worker,
            created_at=created,
        )
        appeals.append(appeal)
        events.append(AppealEvent(appeal=appeal, at=created, actor_id=worker, status="new"))
        events.append(
            AppealEvent(
                appeal=appeal,
                at=created + timedelta(hours=rng.randint(2, 30)),
                actor_id=worker,
                status=status,
                note=appeal.decision_note,
            )
        )
    _bulk(Appeal, with_place_paths(appeals))
    _bulk(AppealEvent, events)
    return len(appeals)


def load_history(
    people: dict[Role, Person], sub: Place, *, say: Callable[[str], object] | None = None
) -> dict[str, int]:
    """Write the year 2022 of the demo subdistrict; the caller holds the transaction."""
    h = _History(people, sub)
    h.load_topics()
    h.save()
    _bulk(Step, h.rows.steps)
    channels = _channels(h)
    proactive, on_request = _notices(h, channels)
    activities, registrations = _activities(h)
    campaigns, answers = _campaigns(h)
    loose = _loose_appeals(h)
    counts = {
        "history_topics_closed": sum(1 for t in h.rows.topics if t.stage == Stage.CLOSED),
        "history_meetings": len(h.rows.meetings),
        "history_activities": activities,
        "history_registrations": registrations,
        "history_notices": proactive + on_request,
        "history_campaigns": campaigns,
        "history_campaign_responses": answers,
        "history_loose_appeals": loose,
    }
    if say is not None:
        say(f"  {HISTORY_YEAR}: " + "，".join(f"{k} {v}" for k, v in counts.items()))
    return counts
