"""API shapes of evaluation: a topic's satisfaction surveys with their figures, the answers of
the caller's own homes, and the feedback items a topic raised.

Rates are strings to one decimal ("83.3%", "—" when nothing is counted yet), computed from
exact fractions (evaluation/rates.py), never floats. No person's name appears here; the
endpoints decide what else a caller may see and build these shapes with `of(...)`."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Self

from django.utils import timezone
from ninja import Field, Schema

from qinlin.evaluation.models import (
    CLOSED_FEEDBACK,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Level,
    ResponseChannel,
    Survey,
    SurveyResponse,
)
from qinlin.evaluation.rates import SurveyFigures
from qinlin.places.models import Place

# --- surveys ---------------------------------------------------------------------------------


class PlaceRef(Schema):
    uid: str
    address: str

    @classmethod
    def of(cls, place: Place) -> Self:
        return cls(uid=place.uid, address=place.address)


class LevelOut(Schema):
    level: Level
    label: str

    @classmethod
    def of(cls, level: str) -> Self:
        return cls(level=Level(level), label=str(Level(level).label))


class LevelCountOut(LevelOut):
    count: int = Field(..., description="Homes that answered with this level.")
    counted: bool = Field(..., description="Whether the satisfaction rate counts this level.")


class FiguresOut(Schema):
    homes: int = Field(..., description="Homes in the survey's scope.")
    responses: int = Field(..., description="Homes that answered (one answer per home).")
    counts: list[LevelCountOut] = Field(
        ..., description="Answers per level, every level listed, from 非常满意 to 不满意."
    )
    satisfied: int = Field(..., description="Answers at a level the satisfaction rate counts.")
    response_rate: str = Field(
        ..., description="responses / homes, to one decimal, rounded half up: `83.3%`."
    )
    satisfaction_rate: str = Field(
        ..., description="satisfied / responses, the same way; `—` while nobody has answered."
    )
    min_rate: int = Field(..., description="The response rate (%) the survey needs.")
    enough: bool = Field(
        ..., description="At least `min_rate` per cent of the homes answered (compared exactly)."
    )

    @classmethod
    def of(cls, figures: SurveyFigures) -> Self:
        return cls(
            homes=figures.homes,
            responses=figures.responses,
            counts=[
                LevelCountOut(
                    level=Level(level),
                    label=str(Level(level).label),
                    count=count,
                    counted=level in figures.counted,
                )
                for level, count in figures.counts.items()
            ],
            satisfied=figures.satisfied,
            response_rate=figures.response_rate,
            satisfaction_rate=figures.satisfaction_rate,
            min_rate=figures.min_rate,
            enough=figures.enough,
        )


class SurveyOut(Schema):
    """Built from a survey with its scope joined up to the compound (evaluation/selectors.py
    `surveys_of`, `survey_get`) and its figures (`figures_of`)."""

    uid: str
    topic: str = Field(..., description="Uid of the topic the survey evaluates.")
    scope: PlaceRef = Field(..., description="The place whose homes are asked.")
    opens_at: datetime
    closes_on: date = Field(..., description="The last day answers are taken.")
    ended_at: datetime | None = Field(
        ..., description="When staff ended the survey; its figures are frozen then."
    )
    accepting_answers: bool = Field(
        ..., description="Not ended and not past `closes_on`: homes may answer or change."
    )
    min_rate: int = Field(..., description="The response rate (%) the survey needs.")
    counted: list[LevelOut] = Field(
        ..., description="The levels the satisfaction rate counts as satisfied."
    )
    figures: FiguresOut = Field(..., description="Live while the survey runs, frozen at its end.")

    @classmethod
    def of(cls, survey: Survey, *, figures: SurveyFigures) -> Self:
        return cls(**cls.fields_of(survey, figures=figures))

    @staticmethod
    def fields_of(survey: Survey, *, figures: SurveyFigures) -> dict[str, Any]:
        return {
            "uid": survey.uid,
            "topic": survey.topic.uid,
            "scope": PlaceRef.of(survey.scope),
            "opens_at": survey.opens_at,
            "closes_on": survey.closes_on,
            "ended_at": survey.ended_at,
            "accepting_answers": survey.ended_at is None
            and timezone.localdate() <= survey.closes_on,
            "min_rate": survey.min_rate,
            "counted": [LevelOut.of(level) for level in survey.levels_counted],
            "figures": FiguresOut.of(figures),
        }


class AnswerOut(Schema):
    level: Level
    label: str
    comment: str
    channel: ResponseChannel = Field(
        ..., description="`online` (a resident of the home) or `door` (written down by staff)."
    )
    channel_label: str

    @classmethod
    def of(cls, response: SurveyResponse) -> Self:
        return cls(
            level=Level(response.level),
            label=str(response.get_level_display()),
            comment=response.comment,
            channel=ResponseChannel(response.channel),
            channel_label=str(response.get_channel_display()),
        )


class MineOut(Schema):
    home: str = Field(..., description="Uid of the home.")
    address: str
    answer: AnswerOut | None = Field(..., description="The home's answer; null until it answers.")


class SurveyDetailOut(SurveyOut):
    mine: list[MineOut] = Field(
        ...,
        description="The caller's homes in the scope (confirmed residencies), each with its "
        "current answer, so an app can show what the household answered; empty for others.",
    )

    @classmethod
    def of_mine(
        cls,
        survey: Survey,
        *,
        figures: SurveyFigures,
        homes: list[Place],
        answers: dict[int, SurveyResponse],
    ) -> Self:
        return cls(
            **cls.fields_of(survey, figures=figures),
            mine=[
                MineOut(
                    home=home.uid,
                    address=home.address,
                    answer=AnswerOut.of(answers[home.pk]) if home.pk in answers else None,
                )
                for home in homes
            ],
        )


class ResponseIn(Schema):
    home: str = Field(..., description="Uid of the home answering; the caller must live there.")
    level: str = Field(
        ...,
        description="`very` (非常满意), `satisfied` (满意), `basic` (基本满意) or `unsatisfied` "
        "(不满意). Any other value is refused with 400 `bad_level`.",
        json_schema_extra={"enum": list(Level.values)},
    )
    comment: str = Field("", description="Comments and suggestions, optional.")


# --- feedback --------------------------------------------------------------------------------


class FeedbackOut(Schema):
    uid: str
    text: str = Field(..., description="The problem raised.")
    source: FeedbackSource = Field(
        ..., description="`audit`, `survey` (an answer of 不满意) or `campaign`."
    )
    source_label: str
    status: FeedbackStatus
    status_label: str
    closed: bool = Field(
        ..., description="Resolved, or handed on as an appeal: it counts as closed."
    )
    answer: str = Field(..., description="What was done about it; empty until answered.")
    raised_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, item: FeedbackItem, *, shown: Callable[[str], str]) -> Self:
        return cls(
            uid=item.uid,
            text=shown(item.text),
            source=FeedbackSource(item.source),
            source_label=str(item.get_source_display()),
            status=FeedbackStatus(item.status),
            status_label=str(item.get_status_display()),
            closed=item.status in CLOSED_FEEDBACK,
            answer=shown(item.answer),
            raised_at=item.created_at,
            closed_at=item.closed_at,
        )
