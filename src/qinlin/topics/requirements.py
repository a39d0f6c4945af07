"""What each `Need` of the transition table asks of a topic and of the inputs given with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists
from django.utils.translation import gettext as _

from qinlin.topics.models import MeetingKind, MeetingStatus, Option, Resolution, Topic
from qinlin.topics.states import Need
from qinlin.votes.selectors import latest_closed_result

# Needs met by typing something into the transition's form.
TEXT_NEEDS = (
    Need.NOTE,
    Need.REASON,
    Need.REFERRED_TO,
    Need.FINDINGS,
    Need.TALLY,
    Need.NOTICE_DRAFT,
    Need.EVALUATION,
)
# Needs met by what the topic already has (meetings, options, hands, people).
RECORD_NEEDS = (
    Need.HELD_MEETING,
    Need.HELD_LOCAL_MEETING,
    Need.HELD_CONSULTATION,
    Need.TWO_OPTIONS,
    Need.PASSED_RESOLUTION,
    Need.RESPONSIBLE,
    Need.ACCEPTED_WORK,
    Need.SURVEY_DONE,
)
# Needs whose form also names the option chosen.
OPTION_NEEDS = (Need.PASSED_RESOLUTION, Need.TALLY)


def _owners_approved(topic: Topic, option: Option | None) -> bool:
    """Where the owners have voted, only an option they carried can be decided."""
    result = latest_closed_result(topic.pk)
    if result is None or option is None:
        return True
    return bool(result.get(option.letter, {}).get("passed"))


def passed_options(topic: Topic) -> list[Option]:
    """Options that a held meeting's show of hands carried."""
    ids = Resolution.objects.filter(
        option__topic=topic, passed=True, meeting__status=MeetingStatus.HELD
    ).values("option_id")
    return list(topic.options.filter(pk__in=ids))


def record_status(topic: Topic) -> dict[Need, bool]:
    """Which record needs the topic meets now (the topic page shows this as a checklist).
    One query, whatever the needs (the options are counted from their prefetch when the
    topic has one)."""
    held = topic.meetings.filter(status=MeetingStatus.HELD)
    passed = Resolution.objects.filter(
        option__topic=topic, passed=True, meeting__status=MeetingStatus.HELD
    )
    found = Topic.objects.filter(pk=topic.pk).values(
        held=Exists(held),
        held_local=Exists(held.filter(kind=MeetingKind.LOCAL)),
        held_consultation=Exists(held.filter(kind=MeetingKind.CONSULTATION)),
        passed=Exists(passed),
        has_responsible=Exists(topic.responsible.all()),
        accepted=Exists(topic.acceptances.filter(passed=True)),
        surveyed=Exists(topic.surveys.filter(ended_at__isnull=False, result__enough=True)),
    )[0]
    return {
        Need.HELD_MEETING: found["held"],
        Need.HELD_LOCAL_MEETING: found["held_local"],
        Need.HELD_CONSULTATION: found["held_consultation"],
        Need.TWO_OPTIONS: topic.options.count() >= 2,
        Need.PASSED_RESOLUTION: found["passed"],
        Need.RESPONSIBLE: found["has_responsible"],
        Need.ACCEPTED_WORK: found["accepted"],
        Need.SURVEY_DONE: found["surveyed"],
    }


def missing(topic: Topic, needs: tuple[Need, ...], inputs: Mapping[str, Any]) -> list[str]:
    """What is missing, in the reader's language; empty when the transition may be taken."""
    records = record_status(topic) if any(n in RECORD_NEEDS for n in needs) else {}
    gaps: list[str] = []
    option = inputs.get("option")
    for need in needs:
        if need in TEXT_NEEDS and not str(inputs.get(need.value) or "").strip():
            gaps.append(_("请填写%(what)s") % {"what": need.label})
        elif need == Need.RESPONSIBLE and (records[need] or inputs.get("responsible")):
            continue
        elif need in RECORD_NEEDS and not records[need]:
            gaps.append(_("需要%(what)s") % {"what": need.label})
        if need in OPTION_NEEDS and option is None:
            gaps.append(_("请选择决定采用的方案"))
        elif need == Need.PASSED_RESOLUTION and option not in passed_options(topic):
            gaps.append(_("所选方案未经会议表决通过"))
        elif need == Need.TALLY and not _owners_approved(topic, option):
            gaps.append(_("所选方案未获业主表决通过"))
    return list(dict.fromkeys(gaps))
