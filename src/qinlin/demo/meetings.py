"""Meetings of the demo's topics, held through the services: convened three days ago, the
invited signed in (all but `absent`), and a show of hands under the attendees' majority."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qinlin.people.models import Person
from qinlin.topics.meeting_services import (
    Invitee,
    meeting_convene,
    participant_sign_in,
    resolution_record,
)
from qinlin.topics.models import Meeting, Option, Topic
from qinlin.votes.rules import MeetingRule


def hands(actor: Person, meeting: Meeting, option: Option, agree: int, disagree: int) -> None:
    resolution_record(
        actor=actor,
        meeting=meeting,
        option=option,
        rule=MeetingRule.MAJORITY_OF_ATTENDEES,
        agree=agree,
        disagree=disagree,
        abstain=0,
    )


def held(
    actor: Person, topic: Topic, *, kind: str, title: str, invited: list[Invitee], absent: int
) -> Meeting:
    meeting = meeting_convene(
        actor=actor,
        kind=kind,
        title=title,
        place=topic.place,
        starts_at=timezone.now() - timedelta(days=3),
        location="上河园党群服务站",
        topics=[topic],
        invitees=invited,
    )
    for participant in list(meeting.participants.all())[: len(invited) - absent]:
        participant_sign_in(actor=actor, participant=participant)
    return meeting
