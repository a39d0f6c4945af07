"""The evaluation of a carried-out topic: the audit (with the problems it found, tracked as
feedback items until resolved), the satisfaction survey of the topic's homes with one
response per home, and the close once the survey has ended with enough homes answering.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from qinlin.demo import history_texts as texts
from qinlin.demo.generate.city import Later
from qinlin.evaluation.models import (
    DEFAULT_SATISFIED,
    Audit,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Level,
    ResponseChannel,
    Survey,
    SurveyResponse,
    Verdict,
)
from qinlin.evaluation.rates import survey_figures
from qinlin.topics.states import Stage

if TYPE_CHECKING:
    from qinlin.demo.generate.topics import Drawn, Topics

AUDIT_FIELDS = [
    "id",
    "uid",
    "topic",
    "held_on",
    "panel",
    "findings",
    "verdict",
    "recorded_by",
    "recorded_at",
]
SURVEY_FIELDS = [
    "id",
    "uid",
    "topic",
    "scope",
    "opens_at",
    "closes_on",
    "min_rate",
    "satisfied_levels",
    "ended_at",
    "result",
    "created_by",
]
RESPONSE_FIELDS = [
    "survey",
    "home",
    "level",
    "comment",
    "channel",
    "respondent",
    "recorded_by",
    "at",
]
FEEDBACK_FIELDS = [
    "uid",
    "place",
    "topic",
    "source",
    "audit",
    "text",
    "status",
    "assignee",
    "answer",
    "created_at",
    "closed_at",
]
# The share of homes that do not answer a survey (a third: above the usual 50 % minimum).
SILENT = 0.35
LEVELS = [Level.VERY] * 6 + [Level.SATISFIED] * 3 + [Level.BASIC]


def evaluate(topics: Topics, topic: Drawn, day: date) -> None:
    city, rng = topics.city, topics.city.rng
    compound = topic.compound
    staff, worker = compound.community.staff[0], compound.holder("grid_worker")
    day += timedelta(days=rng.randint(2, 6))
    audited = city.when(day)
    topics.check(topic, audited)
    problems = [rng.randrange(len(texts.PROBLEMS))] if rng.random() < 0.4 else []
    audit = city.new_id(Audit)
    secretary = compound.names.get(compound.holder("branch_secretary"), "")
    findings = rng.choice(texts.AUDIT_FINDINGS)
    verdict = Verdict.WITH_ISSUES if problems else Verdict.PASSED
    city.add(
        Audit,
        audit,
        city.uid(),
        topic.id,
        day,
        f"党员代表 {secretary}、居民代表、第三方机构",
        findings,
        verdict,
        staff,
        audited,
    )
    answers: list[datetime] = []
    for problem in problems:
        answered = audited + timedelta(days=rng.randint(2, 6))
        done = answered <= city.now
        answers.append(answered)
        city.add(
            FeedbackItem,
            city.uid(),
            topic.place,
            topic.id,
            FeedbackSource.AUDIT,
            audit,
            texts.PROBLEMS[problem],
            FeedbackStatus.RESOLVED if done else FeedbackStatus.ASSIGNED,
            compound.holder("property_staff"),
            texts.PROBLEM_ANSWERS[problem] if done else "",
            audited,
            answered if done else None,
        )
    topics.step(
        topic,
        audited,
        staff,
        "audit",
        text=findings,
        verdict=str(Verdict(verdict).label),
        problems=len(problems),
    )
    homes = compound.homes_in(topic.place)
    opened = audited + timedelta(hours=1)
    closes_on = day + timedelta(days=7)
    ended_at = city.moment(closes_on, 17, 30)
    ended = ended_at <= city.now
    survey, uid = city.new_id(Survey), city.uid()
    counts: dict[str, int] = defaultdict(int)
    window = (min(ended_at, city.now) - opened).total_seconds() / 60
    for home in homes:
        if rng.random() < SILENT or window < 30:
            continue
        at = opened + timedelta(minutes=rng.randint(30, max(30, int(window))))
        level = rng.choice(LEVELS)
        counts[level] += 1
        online = home.owner is not None and rng.random() < 0.3
        city.add(
            SurveyResponse,
            survey,
            home.id,
            level,
            rng.choice(texts.SURVEY_COMMENTS),
            ResponseChannel.ONLINE if online else ResponseChannel.DOOR,
            home.owner if online else None,
            home.owner if online else worker,
            at,
        )
    result = survey_figures(homes=len(homes), counts=counts, counted=DEFAULT_SATISFIED, min_rate=50)
    city.add(
        Survey,
        survey,
        uid,
        topic.id,
        topic.place,
        opened,
        closes_on,
        50,
        ",".join(DEFAULT_SATISFIED),
        ended_at if ended else None,
        result.as_json() if ended else {},
        staff,
    )
    scope = f"{compound.name} {topic.label}".strip()
    topics.step(
        topic, opened, staff, "survey_opened", survey_scope=scope, until=closes_on.isoformat()
    )
    topics.check(topic, ended_at)
    if not result.enough:
        raise Later  # too few homes answered: the topic waits for another survey
    topics.step(
        topic,
        ended_at,
        staff,
        "survey_ended",
        responses=f"{result.responses}/{result.homes}（{result.response_rate}）",
        satisfaction=result.satisfaction_rate,
    )
    closed = max([city.when(closes_on + timedelta(days=rng.randint(1, 3))), *answers])
    topics.advance(
        topic,
        closed,
        staff,
        "closed",
        Stage.CLOSED,
        evaluation=f"审计评估{Verdict(verdict).label}，满意度测评参与率"
        f"{result.response_rate}、满意率{result.satisfaction_rate}，办结。",
    )
    topics.closed.append((topic, uid, closed))
