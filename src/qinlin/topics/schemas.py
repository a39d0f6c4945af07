"""API shapes of topics and meetings. Ids are public `uid`s; names on the timeline are masked
and meeting participants are only counted, never named."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import datetime
from typing import Any

from django.utils.translation import get_language
from ninja import Field, Schema

from qinlin.topics.models import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    Option,
    Resolution,
    Step,
    Topic,
)
from qinlin.topics.states import Stage


def _english() -> bool:
    return (get_language() or "").startswith("en")


class OptionOut(Schema):
    letter: str
    title: str
    description: str
    estimated_cost: str | None
    funding: str

    @staticmethod
    def resolve_estimated_cost(obj: Option) -> str | None:
        return None if obj.estimated_cost is None else str(obj.estimated_cost)


class StepOut(Schema):
    at: datetime
    verb: str
    source: str
    target: str
    text: str
    data: dict[str, Any]
    actor: str

    @staticmethod
    def resolve_actor(obj: Step) -> str:
        return obj.actor_display


class MeetingBriefOut(Schema):
    uid: str
    kind: MeetingKind
    title: str
    starts_at: datetime
    status: MeetingStatus


class TopicListOut(Schema):
    """Built from a Topic with category, place (to the compound) and options joined and
    `households` annotated (topics/selectors.py)."""

    uid: str
    title: str
    description: str
    category: str
    category_label: str
    place: str
    address: str
    stage: Stage
    stage_label: str
    options: list[OptionOut]
    decided_option: str | None
    created_at: datetime
    stage_changed_at: datetime
    households: int = Field(..., description="Distinct households among the topic's appeals.")

    @staticmethod
    def resolve_category(obj: Topic) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_label(obj: Topic) -> str:
        return obj.category.label(get_language())

    @staticmethod
    def resolve_place(obj: Topic) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_address(obj: Topic) -> str:
        return obj.place.address

    @staticmethod
    def resolve_stage_label(obj: Topic) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_options(obj: Topic) -> list[Option]:
        return list(obj.options.all())

    @staticmethod
    def resolve_decided_option(obj: Topic) -> str | None:
        option = obj.decided_option
        return None if option is None else option.letter

    @staticmethod
    def resolve_households(obj: Topic) -> int:
        return int(getattr(obj, "households", 0) or 0)


class TopicOut(TopicListOut):
    """One topic with its public timeline and the meetings that took it up."""

    timeline: list[StepOut]
    meetings: list[MeetingBriefOut]

    @staticmethod
    def resolve_timeline(obj: Topic) -> list[Step]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_meetings(obj: Topic) -> list[Meeting]:
        return list(obj.meetings.all())


class TopicFilters(Schema):
    place: str | None = Field(None, description="Uid of a place: topics at or under it.")
    stage: Stage | None = None
    category: str | None = Field(None, description="Category code.")


class ResolutionOut(Schema):
    letter: str
    rule: str
    invited: int
    attendees: int
    agree: int
    disagree: int
    abstain: int
    passed: bool
    explanation: str = Field(..., description="How the rule counted, in the request's language.")

    @staticmethod
    def resolve_letter(obj: Resolution) -> str:
        return obj.option.letter

    @staticmethod
    def resolve_explanation(obj: Resolution) -> str:
        return obj.explanation_en if _english() else obj.explanation_zh


class MeetingOut(Schema):
    """Built from a Meeting with place, topics and resolutions joined and the participants
    counted (topics/selectors.py). Participants are counted, not named."""

    uid: str
    kind: MeetingKind
    kind_label: str
    title: str
    place: str
    location: str
    starts_at: datetime
    status: MeetingStatus
    minutes: str = Field(..., description="The minutes; empty until the meeting is held.")
    topics: list[str] = Field(..., description="Uids of the topics on the agenda.")
    participants: int
    attended: int
    resolutions: list[ResolutionOut]

    @staticmethod
    def resolve_kind_label(obj: Meeting) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_place(obj: Meeting) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_minutes(obj: Meeting) -> str:
        return obj.minutes if obj.status == MeetingStatus.HELD else ""

    @staticmethod
    def resolve_topics(obj: Meeting) -> list[str]:
        return [topic.uid for topic in obj.topics.all()]

    @staticmethod
    def resolve_participants(obj: Meeting) -> int:
        return int(getattr(obj, "participant_count", 0) or 0)

    @staticmethod
    def resolve_attended(obj: Meeting) -> int:
        return int(getattr(obj, "attended_count", 0) or 0)

    @staticmethod
    def resolve_resolutions(obj: Meeting) -> list[Resolution]:
        return list(obj.resolutions.all())


class MeetingFilters(Schema):
    place: str | None = Field(None, description="Uid of a place: meetings of topics under it.")


class AdvanceIn(Schema):
    to: str = Field(..., description="Code of the stage to move the topic to, e.g. `local`.")
    option: str | None = Field(
        None, description="Letter of the option decided on, where the step takes a decision."
    )
    note: str = ""
    reason: str = ""
    referred_to: str = ""
    findings: str = ""
    tally: str = ""
    notice_draft: str = ""
    evaluation: str = ""
    responsible: list[str] = Field(
        [], description="Uids of the people responsible, when execution starts."
    )
