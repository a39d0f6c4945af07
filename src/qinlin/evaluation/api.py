"""/api/v1/evaluation: a topic's satisfaction surveys with their figures, one survey with the
answers of the caller's homes, answering online through `survey_respond` (the same rules
and refusals as the survey page), and the feedback items a topic raised."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.permissions import can
from qinlin.disclosure.privacy import known_names, masked
from qinlin.evaluation.models import FeedbackItem, ResponseChannel, Survey, SurveyResponse
from qinlin.evaluation.schemas import (
    FeedbackOut,
    ResponseIn,
    SurveyDetailOut,
    SurveyOut,
)
from qinlin.evaluation.selectors import figures_of, survey_get, surveys_of
from qinlin.evaluation.services import survey_respond
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import person_confirmed_homes
from qinlin.places.models import Place
from qinlin.places.schemas import ErrorOut
from qinlin.topics.permissions import can_read
from qinlin.topics.selectors import topic_get_for

router = Router(tags=["evaluation"])

NOT_READABLE = (
    "A topic (or survey) that does not exist and one the caller may not read both answer "
    "404: a 403 would confirm that it exists. Staff of the topic's place and the residents "
    "of its compound may read it."
)
FIGURES = (
    "`figures` are live while the survey runs and frozen when it ends: homes in the scope, "
    "answers per level, the response rate and the satisfaction rate as exact strings to one "
    "decimal (`83.3%`), and whether enough homes answered."
)


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


def _readable_survey(caller: Person, uid: str) -> Survey:
    survey = survey_get(uid)
    if survey is None or not can_read(caller, survey.topic):
        raise NotFoundError(_("找不到这次测评。"))
    return survey


def _detail(caller: Person, survey: Survey) -> SurveyDetailOut:
    # Only confirmed residencies: an unchecked claim must not reveal a home's answer.
    homes = list(
        person_confirmed_homes(caller)
        .filter(survey.scope.subtree_q())
        .select_related("parent__parent__parent")
    )
    answers = {r.home_id: r for r in SurveyResponse.objects.filter(survey=survey, home__in=homes)}
    return SurveyDetailOut.of_mine(survey, figures=figures_of(survey), homes=homes, answers=answers)


@router.get(
    "/topics/{uid}/surveys",
    response={200: list[SurveyOut], 404: ErrorOut},
    summary="A topic's satisfaction surveys with their figures",
    description="Every satisfaction survey of the topic, newest first: the scope whose homes "
    "are asked, when it opened, its last day, when it ended, the response rate it needs and "
    f"the levels its satisfaction rate counts. {FIGURES} Anyone who may read the topic may "
    f"read its surveys; no answer of any one home is shown here. {NOT_READABLE}",
)
def list_surveys(request: HttpRequest, uid: str) -> list[SurveyOut]:
    topic = topic_get_for(current_person(request), uid)
    return [SurveyOut.of(s, figures=figures_of(s)) for s in surveys_of(topic.pk)]


@router.get(
    "/surveys/{uid}",
    response={200: SurveyDetailOut, 404: ErrorOut},
    summary="One satisfaction survey, with what the caller's homes answered",
    description="The survey as `GET /topics/{uid}/surveys` lists it, plus `mine`: each home "
    "in the scope where the caller is a confirmed resident, with the home's current answer "
    f"(level and comment) or null, so a resident's app can show what was answered. {FIGURES} "
    f"{NOT_READABLE}",
)
def get_survey(request: HttpRequest, uid: str) -> SurveyDetailOut:
    caller = current_person(request)
    return _detail(caller, _readable_survey(caller, uid))


@router.post(
    "/surveys/{uid}/responses",
    response={
        200: SurveyDetailOut,
        201: SurveyDetailOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Answer a satisfaction survey for one's home, online",
    description="Records the home's answer (channel `online`) and answers with the survey as "
    "`GET /surveys/{uid}` shows it. One answer per home: 201 when the home had not answered, "
    "200 when this answer replaced an earlier one (a door-to-door one included) while the "
    "survey runs, so sending the same body twice leaves the same state and answers 200 the "
    "second time. An answer of 不满意 raises a feedback item that staff follow up. Refusals "
    "change nothing: 403 `permission_denied` when the caller is not a confirmed resident of "
    "the home, 409 `survey_ended` once the survey has ended or is past its last day, 400 "
    "`bad_level` for an unknown level and 400 `bad_home` for an unknown home or one outside "
    f"the survey's scope. {NOT_READABLE}",
)
def answer_survey(request: HttpRequest, uid: str, payload: ResponseIn) -> Status[SurveyDetailOut]:
    caller = current_person(request)
    survey = _readable_survey(caller, uid)
    home = Place.objects.filter(uid=payload.home.strip()).first()
    if home is None:
        raise DomainError(_("这户不在测评范围内。"), code="bad_home", field="home")
    _response, created = survey_respond(
        actor=caller,
        survey=survey,
        home=home,
        level=payload.level,
        comment=payload.comment,
        channel=ResponseChannel.ONLINE,
    )
    return Status(201 if created else 200, _detail(caller, survey))


@router.get(
    "/topics/{uid}/feedback",
    response={200: list[FeedbackOut], 404: ErrorOut},
    summary="The feedback items a topic's evaluation raised, and what was done about them",
    description="The problems an audit named and the 不满意 answers of its survey, open ones "
    "first, newest first: the text, where it came from, its status, the answer and when it "
    "was raised and closed (resolved, or handed on as an appeal). No names are given, and "
    "unless the caller is staff at the topic's place (holds a role that sees the topic board "
    "there), phone numbers, ID numbers and the names of the compound's people inside the "
    f"texts are masked (张*明). {NOT_READABLE}",
)
def list_feedback(request: HttpRequest, uid: str) -> list[FeedbackOut]:
    caller = current_person(request)
    topic = topic_get_for(caller, uid)
    items = list(FeedbackItem.objects.filter(topic_id=topic.pk).order_by("-created_at", "-id"))
    items.sort(key=lambda item: item.closed_at is not None)
    if can(caller, "topics.view_board", topic.place) or not items:
        return [FeedbackOut.of(item, shown=str) for item in items]
    names = known_names(topic.place)
    return [FeedbackOut.of(item, shown=lambda t: masked(t, names)) for item in items]
