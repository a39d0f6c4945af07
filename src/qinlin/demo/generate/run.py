"""`generate`: the whole city, subdistrict by subdistrict, compound by compound.

Each compound is drawn whole (places, households, team, appeals, topics, activities,
disclosure) and its rows are handed to the writer, which flushes between compounds; so
memory holds one community, whatever N is. Nothing is written through the services and no
audit events or notifications are made: like demo/history.py, this is imported history.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Category, Channel
from qinlin.core.roles import Role
from qinlin.demo import history_texts as texts
from qinlin.demo.data import COMMUNITIES, SUBDISTRICT, DemoLogin
from qinlin.demo.generate import (
    activities,
    appeals,
    disclosure,
    evaluation,
    people,
    places,
    votes,
    works,
)
from qinlin.demo.generate import topics as topic_rows
from qinlin.demo.generate.city import City, Options
from qinlin.demo.generate.people import People
from qinlin.demo.generate.places import BENCH_COMPOUND, Community, Compound, Names
from qinlin.demo.generate.topics import Topics
from qinlin.demo.photos import jpeg
from qinlin.disclosure.models import Channel as DisclosureChannel
from qinlin.disclosure.models import DisclosureRequest, Notice
from qinlin.evaluation.models import Audit, FeedbackItem, Survey, SurveyResponse
from qinlin.organisations.models import Activity, PartyBranch, PartyMembership, Registration
from qinlin.people.models import Person, Residency, RoleAssignment
from qinlin.places.models import Place
from qinlin.topics.models import Meeting, Option, Participant, Resolution, Step, Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, Vote, VoteOption
from qinlin.works.models import Acceptance, AcceptancePhoto, Task, TaskReport

# Topics a home raises a year (a 500-home compound: three a year); a topic gathers two or
# three of the appeals, the rest are settled on their own.
TOPICS_PER_HOME_YEAR = 0.006
SETTLED_OTHERWISE = 0.08
COMPOUND_ACTIVITIES_A_YEAR = 3
PHOTO = "works/generated/acceptance.jpg"  # one photo of finished work for every acceptance
COMMUNITY_ACTIVITIES_A_YEAR = 8
# The bench compound's topics: the stage each waits at, its path, and how many days before
# today it was raised (long enough for its path to reach the stage, too short to go past).
BENCH_STAGES: list[tuple[str, str, int]] = [
    (Stage.PROPOSED, "L", 0),
    (Stage.LOCAL, "L", 3),
    (Stage.REVIEW, "C", 25),
    (Stage.CONSULTATION, "C", 35),
    (Stage.VOTING, "V", 40),
    (Stage.DECIDED, "L", 30),
    (Stage.EXECUTING, "L", 50),
    (Stage.EVALUATING, "L", 75),
    (Stage.CLOSED, "V", 200),
]


@dataclass
class Generated:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)
    bench: dict[str, str] = field(default_factory=dict)


def _open_tables(city: City) -> None:
    """In the order rows may refer to each other (see writer.py)."""
    city.open(Person, people.PERSON_FIELDS)
    city.open(Place, places.PLACE_FIELDS)
    city.open(Residency, people.RESIDENCY_FIELDS)
    city.open(RoleAssignment, people.ROLE_FIELDS)
    city.open(PartyBranch, ["id", "uid", "name", "community", "kind", "founded_on"])
    city.open(PartyBranch.compounds.through, ["partybranch", "place"])
    city.open(PartyMembership, ["id", "branch", "person", "role", "joined_on"])
    city.open(Topic, topic_rows.TOPIC_FIELDS)
    city.open(Option, topic_rows.OPTION_FIELDS)
    city.open(Step, topic_rows.STEP_FIELDS)
    city.open(Appeal, appeals.APPEAL_FIELDS)
    city.open(AppealEvent, appeals.EVENT_FIELDS)
    city.open(Meeting, topic_rows.MEETING_FIELDS)
    city.open(Meeting.topics.through, ["meeting", "topic"])
    city.open(Participant, topic_rows.PARTICIPANT_FIELDS)
    city.open(Resolution, topic_rows.RESOLUTION_FIELDS)
    city.open(Vote, votes.VOTE_FIELDS)
    city.open(VoteOption, votes.VOTE_OPTION_FIELDS)
    city.open(Ballot, votes.BALLOT_FIELDS)
    city.open(Topic.responsible.through, ["topic", "person"])
    city.open(Task, works.TASK_FIELDS)
    city.open(TaskReport, works.REPORT_FIELDS)
    city.open(Acceptance, works.ACCEPTANCE_FIELDS)
    city.open(AcceptancePhoto, works.PHOTO_FIELDS)
    city.open(Audit, evaluation.AUDIT_FIELDS)
    city.open(Survey, evaluation.SURVEY_FIELDS)
    city.open(SurveyResponse, evaluation.RESPONSE_FIELDS)
    city.open(FeedbackItem, evaluation.FEEDBACK_FIELDS)
    city.open(DisclosureChannel, disclosure.CHANNEL_FIELDS)
    city.open(Notice, disclosure.NOTICE_FIELDS)
    city.open(Notice.channels.through, ["notice", "channel"])
    city.open(DisclosureRequest, disclosure.REQUEST_FIELDS)
    city.open(Activity, activities.ACTIVITY_FIELDS)
    city.open(Registration, activities.REGISTRATION_FIELDS)


class _Run:
    def __init__(self, city: City, say: Callable[[str], object]) -> None:
        self.city = city
        self.say = say
        self.people = People(city)
        self.categories = dict(Category.objects.values_list("code", "id"))
        self.topics = Topics(city, self.categories)
        self.names = Names(city)
        self.bench: dict[str, str] = {}

    def city_tree(self) -> None:
        city = self.city
        sizes = places.compound_sizes(city)
        per_community = places.groups(city, len(sizes), 10, 18)
        per_sub = places.groups(city, len(per_community), 4, 6)
        self.people.make_logins()
        sub_names: set[str] = set()
        sizes_left = iter(sizes)
        community_runs = iter(per_community)
        started = time.perf_counter()
        done = 0
        for s, n_communities in enumerate(per_sub):
            name = SUBDISTRICT if s == 0 else self.names.draw(sub_names, "街道")
            sub_names.add(name)
            sub = places.subdistrict(city, s, name)
            self.people.admin(sub, bench=s == 0)
            community_names: set[str] = set()
            for c in range(n_communities):
                bench = s == 0 and c == 0
                c_name = COMMUNITIES[0] if bench else self.names.draw(community_names, "社区")
                community_names.add(c_name)
                home = places.community(city, sub, c, c_name)
                self.people.offices(home, bench=bench)
                run = [next(sizes_left) for _n in range(next(community_runs))]
                self.community(home, run, bench=bench)
                done += sum(run)
            elapsed = time.perf_counter() - started
            self.say(f"  {name}: {done:,} / {city.options.homes:,} homes, {elapsed:.0f} s")

    def community(self, home: Community, sizes: list[int], *, bench: bool) -> None:
        city = self.city
        taken: set[str] = set()
        compounds: list[Compound] = []
        for position, size in enumerate(sizes):
            first = bench and position == 0
            name = BENCH_COMPOUND if first else self.names.draw(taken)
            taken.add(name)
            made = places.compound(city, home, position, name, size, bench=first)
            self.people.settle(made, bench=first)
            places.write_homes(city, made)
            self.people.team(made, bench=first)
            compounds.append(made)
        self.people.branches(home, compounds, bench=bench)
        on_community = disclosure.community_channels(city, home)
        for position, made in enumerate(compounds):
            self.history(made, on_community, bench=bench and position == 0)
            city.writer.maybe_flush()
        for _n in range(COMMUNITY_ACTIVITIES_A_YEAR * city.options.years):
            activities.activity(
                city,
                compound=city.rng.choice(compounds),
                community=home,
                crowd=home.residents,
                level="community",
            )

    def history(self, compound: Compound, on_community: list[int], *, bench: bool) -> None:
        city, rng, options = self.city, self.city.rng, self.city.options
        homes = len(compound.homes)
        if not compound.residents:
            return
        n_topics = max(1, round(homes * options.years * TOPICS_PER_HOME_YEAR))
        before = city[Appeal].next_id
        for _n in range(n_topics):
            template = rng.choice(texts.TOPICS)
            start = city.day(end=city.days - 1)
            if rng.random() < SETTLED_OTHERWISE:
                self.topics.settled_otherwise(compound, start)
            else:
                self.topics.write(compound, template, start)
        if bench:
            self.bench_topics(compound)
        in_topics = city[Appeal].next_id - before
        loose = max(0, round(options.appeals_per_home * homes) - in_topics)
        appeals.loose_appeals(city, compound, loose, self.categories)
        if bench:
            self.own_appeals(compound)
        on = disclosure.channels(
            city, compound.id, compound.name, compound.community.staff[0], compound=True
        )
        disclosure.topic_notices(city, self.topics, compound, on + on_community)
        disclosure.requests(city, compound, on)
        for n in range(COMPOUND_ACTIVITIES_A_YEAR * options.years + (1 if bench else 0)):
            activities.activity(
                city,
                compound=compound,
                community=compound.community,
                crowd=compound.residents,
                level="compound",
                upcoming=bench and n == 0,
            )

    def bench_topics(self, compound: Compound) -> None:
        """A topic waiting at every stage, the owners' vote open now over the whole compound
        with about half its homes voted, and a topic rejected and one referred."""
        city, rng = self.city, self.city.rng
        for stage, path, days_ago in BENCH_STAGES:
            template = rng.choice([t for t in texts.TOPICS if t.path == path])
            start = city.until - timedelta(days=days_ago)
            place = compound.id if stage == Stage.VOTING else None
            topic = self.topics.write(compound, template, start, place=place, stop=stage)
            if stage == Stage.VOTING:
                self.bench["vote_topic"] = topic.uid
        for _n in range(6):
            self.topics.settled_otherwise(
                compound, city.until - timedelta(days=rng.randint(10, 60))
            )

    def own_appeals(self, compound: Compound) -> None:
        """The resident login's own appeals: some handled, two still waiting."""
        city, rng = self.city, self.city.rng
        resident = self.people.logins[Role.RESIDENT]
        home = compound.home_of[resident]
        who = appeals.Filed(home.id, home.path, home.id, resident, "", Channel.ONLINE, resident)
        worker = compound.holder("grid_worker")
        for n, (status, code, line, note) in enumerate(texts.LOOSE_APPEALS[::3]):
            created = city.now - timedelta(days=2 + n * 40, hours=rng.randint(0, 6))
            waiting = n < 2
            appeals.write_appeal(
                city,
                who,
                text=line,
                category=self.categories[code],
                created=created,
                status=AppealStatus.NEW if waiting else status,
                decided=created + timedelta(hours=5),
                decided_by=worker,
                referred_to=note if status == AppealStatus.REFERRED and not waiting else "",
                note="" if waiting else (f"已转交{note}办理。" if status == "referred" else note),
            )


def generate(options: Options, *, say: Callable[[str], object] | None = None) -> Generated:
    """Build the city in the current (empty) database, in one transaction."""
    from qinlin.demo.generate.writer import Writer
    from qinlin.stats.cache import stats_forget_all

    speak = say or (lambda _text: None)
    started = time.perf_counter()
    with transaction.atomic():
        writer = Writer(say=speak)
        writer.check_foreign_keys_in_bulk()
        city = City(options, writer)
        _open_tables(city)
        city.photo = PHOTO
        if not default_storage.exists(PHOTO):
            default_storage.save(PHOTO, ContentFile(jpeg((170, 190, 160))))
        run = _Run(city, speak)
        try:
            run.city_tree()
        except BaseException:
            writer.abandon()  # the copy thread lets go of the connection before the rollback
            raise
        speak("  writing the last rows …")
        writer.finish()
        # Written past the services and their audit events: no cached figure holds.
        transaction.on_commit(stats_forget_all)
    speak("  ANALYZE …")
    writer.analyze()
    result = Generated(total_seconds=time.perf_counter() - started, logins=run.people.login_list)
    for table in writer.tables:
        result.counts[table.name] = table.written
        result.seconds[table.name] = table.seconds
    result.bench = run.bench
    return result
