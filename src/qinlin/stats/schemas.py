"""The figures as JSON: the same structure as figures.py's dataclasses."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import date
from decimal import Decimal

from ninja import Field, Schema


class PeriodFilters(Schema):
    start: date | None = Field(None, alias="from", description="First day, local (YYYY-MM-DD).")
    end: date | None = Field(None, alias="to", description="Last day, included (YYYY-MM-DD).")


class FigureOut(Schema):
    key: str = Field(description="The drill-down list: /stats/{place}/list/{key}/")
    label: str
    count: int
    value: str = Field(description="The value narrowing the list, if any.")
    href: str = Field(description="The page listing the records counted.")


class RateOut(Schema):
    label: str
    numerator: int
    denominator: int
    percent: str = Field(description='One decimal, rounded half up; "—" for 0/0.')
    href: str


class MedianOut(Schema):
    label: str
    days: Decimal | None
    count: int
    key: str
    href: str


class OrganisationOut(Schema):
    compounds: FigureOut
    branches: FigureOut
    branches_single: FigureOut
    branches_joint: FigureOut
    members: FigureOut


class ActivitiesOut(Schema):
    held: FigureOut
    participants: FigureOut


class AppealsOut(Schema):
    received: FigureOut
    by_channel: list[FigureOut]
    by_category: list[FigureOut]


class TopicsOut(Schema):
    created: FigureOut
    created_by_stage: list[FigureOut]
    open_now: FigureOut
    open_by_stage: list[FigureOut]
    resolved: FigureOut
    resolved_by_category: list[FigureOut]


class MeetingsOut(Schema):
    held: FigureOut
    by_kind: list[FigureOut]


class VotesOut(Schema):
    held: FigureOut
    ballots: int
    homes: int
    participation: RateOut
    area_participation: RateOut


class DisclosureOut(Schema):
    channels: FigureOut
    new_channels: FigureOut
    notices: FigureOut
    proactive: FigureOut
    on_request: FigureOut
    requests_received: FigureOut
    requests_closed: FigureOut
    requests_on_time: FigureOut
    on_time_rate: RateOut


class EvaluationOut(Schema):
    surveys: FigureOut
    responses: int
    satisfied: int
    satisfaction_rate: RateOut
    response_rate: RateOut
    campaigns: FigureOut
    campaign_responses: int
    feedback: FigureOut
    feedback_closed: FigureOut
    resolution_rate: RateOut


class TimingOut(Schema):
    to_decision: MedianOut
    to_closing: MedianOut


class StatsPlaceOut(Schema):
    uid: str
    kind: str
    name: str


class StatsPeriodOut(Schema):
    start: date
    end: date


class StatsOut(Schema):
    place: StatsPlaceOut
    period: StatsPeriodOut
    organisation: OrganisationOut
    activities: ActivitiesOut
    appeals: AppealsOut
    topics: TopicsOut
    meetings: MeetingsOut
    votes: VotesOut
    disclosure: DisclosureOut
    evaluation: EvaluationOut
    timing: TimingOut
