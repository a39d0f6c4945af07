"""Third-party survey campaigns (问卷调查): the community office or a third-party body builds a
questionnaire about a service domain for the residents of a place, fixes it by publishing it,
and collects answers during its period — online from the residents (once each) or written down
door to door by staff. Results are counted per question; the problems answers raise become
feedback items only when staff decide so (`campaign_feedback`).

The reads the pages, the export and the API share (the campaigns a person runs, the results)
live at the end of this module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can, roles_for
from qinlin.evaluation.models import (
    Answer,
    Campaign,
    CampaignResponse,
    FeedbackItem,
    FeedbackSource,
    Question,
    QuestionKind,
    ServiceDomain,
)
from qinlin.people.models import Person
from qinlin.people.selectors import lives_under, person_active_roles, places_where
from qinlin.places.models import PATH_END, Place, PlaceKind

ACTION = "evaluation.campaigns"
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_OPTION_LENGTH = 60
MAX_QUESTION_LENGTH = 300
MAX_QUESTIONS = 50
MAX_TEXT_ANSWER = 2000
RATINGS = (1, 2, 3, 4, 5)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
# A questionnaire covers the residents of an area; a unit or a single home is too small to
# keep the answers anonymous.
CAMPAIGN_PLACE_KINDS = (
    PlaceKind.SUBDISTRICT,
    PlaceKind.COMMUNITY,
    PlaceKind.COMPOUND,
    PlaceKind.BUILDING,
)


class Phase(models.TextChoices):
    """Where a campaign stands, computed from its publication and its dates (never stored)."""

    DRAFT = "draft", gettext_lazy("草稿")
    UPCOMING = "upcoming", gettext_lazy("未开始")
    OPEN = "open", gettext_lazy("进行中")
    ENDED = "ended", gettext_lazy("已结束")


def campaign_phase(campaign: Campaign, today: date | None = None) -> Phase:
    today = today or timezone.localdate()
    if campaign.published_at is None:
        return Phase.DRAFT
    if today < campaign.starts_on:
        return Phase.UPCOMING
    if today > campaign.ends_on:
        return Phase.ENDED
    return Phase.OPEN


# --- building a campaign -------------------------------------------------------------------


def _clean_details(
    *,
    place: Place,
    title: str,
    domain: str,
    organiser: str,
    intro: str,
    starts_on: date,
    ends_on: date,
) -> tuple[str, str, str]:
    if place.kind not in CAMPAIGN_PLACE_KINDS:
        raise DomainError(
            _("调查范围应为街道、社区、小区或楼栋。"), code="bad_place", field="place"
        )
    title, organiser = title.strip(), organiser.strip()
    if not title:
        raise DomainError(_("请填写问卷标题。"), code="title_required", field="title")
    if domain not in ServiceDomain.values:
        raise DomainError(_("请选择服务领域。"), code="bad_domain", field="domain")
    if not organiser:
        raise DomainError(_("请填写调查机构。"), code="organiser_required", field="organiser")
    if ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), code="bad_period", field="ends_on")
    if ends_on < timezone.localdate():
        raise DomainError(
            _("结束日期已经过了，请选择今天或以后的日期。"), code="ended", field="ends_on"
        )
    return title[:120], organiser[:100], intro.strip()


def campaign_create(
    *,
    actor: Person,
    place: Place,
    title: str,
    domain: str,
    organiser: str,
    intro: str = "",
    starts_on: date,
    ends_on: date,
) -> Campaign:
    """A draft campaign for the residents of `place`; questions are added before publishing."""
    if not can(actor, ACTION, place):
        raise ForbiddenError()
    title, organiser, intro = _clean_details(
        place=place,
        title=title,
        domain=domain,
        organiser=organiser,
        intro=intro,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            domain=domain,
            place=place,
            organiser=organiser,
            intro=intro,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        audit_record(
            actor=actor, verb="evaluation.campaign.created", obj=campaign, data={"title": title}
        )
    return campaign


def _locked(actor: Person, campaign: Campaign) -> Campaign:
    if not can(actor, ACTION, campaign.place):
        raise ForbiddenError()
    # Edits to a campaign and its questions queue on its row: two people reordering the
    # questions at once would otherwise collide on the position constraint.
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _draft(actor: Person, campaign: Campaign) -> Campaign:
    campaign = _locked(actor, campaign)
    if campaign.published_at is not None:
        raise ConflictError(_("问卷已经发布，题目和说明不能再修改。"), code="already_published")
    return campaign


def campaign_update(
    *,
    actor: Person,
    campaign: Campaign,
    title: str,
    domain: str,
    organiser: str,
    intro: str = "",
    starts_on: date,
    ends_on: date,
) -> Campaign:
    """Correct the details of a draft; once published, residents have read them."""
    title, organiser, intro = _clean_details(
        place=campaign.place,
        title=title,
        domain=domain,
        organiser=organiser,
        intro=intro,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    with transaction.atomic():
        campaign = _draft(actor, campaign)
        campaign.title, campaign.domain, campaign.organiser = title, domain, organiser
        campaign.intro, campaign.starts_on, campaign.ends_on = intro, starts_on, ends_on
        campaign.save(
            update_fields=["title", "domain", "organiser", "intro", "starts_on", "ends_on"]
        )
        audit_record(actor=actor, verb="evaluation.campaign.updated", obj=campaign, data={})
    return campaign


def _clean_question(kind: str, text: str, options: Sequence[str]) -> tuple[str, str, list[str]]:
    """A question's text and options: single and multiple choice need 2–10 distinct options;
    a rating (1–5) or a text answer has none."""
    if kind not in QuestionKind.values:
        raise DomainError(_("请选择题型。"), code="bad_kind", field="kind")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写题目。"), code="text_required", field="text")
    if len(text) > MAX_QUESTION_LENGTH:
        raise DomainError(
            _("题目最多 %(max)s 字。") % {"max": MAX_QUESTION_LENGTH},
            code="text_too_long",
            field="text",
        )
    cleaned = [option.strip() for option in options]
    if kind not in CHOICE_KINDS:
        if any(cleaned):
            raise DomainError(
                _("评分题和文字题不设选项，请清空选项。"),
                code="options_not_allowed",
                field="options",
            )
        return kind, text, []
    if not all(cleaned):
        raise DomainError(
            _("选项不能为空，请删去空白的选项。"), code="empty_option", field="options"
        )
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise DomainError(
            _("单选题和多选题需要 %(min)s 至 %(max)s 个选项，现在有 %(count)s 个。")
            % {"min": MIN_OPTIONS, "max": MAX_OPTIONS, "count": len(cleaned)},
            code="option_count",
            field="options",
        )
    repeated = [o for i, o in enumerate(cleaned) if o in cleaned[:i]]
    if repeated:
        raise DomainError(
            _("选项不能重复：%(options)s。") % {"options": "、".join(dict.fromkeys(repeated))},
            code="duplicate_options",
            field="options",
        )
    if any(len(option) > MAX_OPTION_LENGTH for option in cleaned):
        raise DomainError(
            _("每个选项最多 %(max)s 字。") % {"max": MAX_OPTION_LENGTH},
            code="option_too_long",
            field="options",
        )
    return kind, text, cleaned


def question_add(
    *,
    actor: Person,
    campaign: Campaign,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    required: bool = True,
) -> Question:
    """A question at the end of a draft campaign."""
    kind, text, cleaned = _clean_question(kind, text, options)
    with transaction.atomic():
        campaign = _draft(actor, campaign)
        last = campaign.questions.aggregate(last=Max("position"), count=Count("id"))
        if last["count"] >= MAX_QUESTIONS:
            raise DomainError(
                _("一份问卷最多 %(max)s 道题。") % {"max": MAX_QUESTIONS}, code="too_many_questions"
            )
        question = Question.objects.create(
            campaign=campaign,
            position=(last["last"] or 0) + 1,
            kind=kind,
            text=text,
            options=cleaned,
            required=required,
        )
        audit_record(
            actor=actor,
            verb="evaluation.campaign.question_added",
            obj=campaign,
            data={"position": question.position, "kind": kind, "text": text},
        )
    return question


def _own_question(campaign: Campaign, question: Question) -> Question:
    found = campaign.questions.filter(pk=question.pk).first()
    if found is None:
        raise DomainError(_("这道题不属于这份问卷。"), code="bad_question")
    return found


def question_update(
    *,
    actor: Person,
    question: Question,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    required: bool = True,
) -> Question:
    kind, text, cleaned = _clean_question(kind, text, options)
    with transaction.atomic():
        campaign = _draft(actor, question.campaign)
        question = _own_question(campaign, question)
        question.kind, question.text, question.options = kind, text, cleaned
        question.required = required
        question.save(update_fields=["kind", "text", "options", "required"])
        audit_record(
            actor=actor,
            verb="evaluation.campaign.question_updated",
            obj=campaign,
            data={"position": question.position, "kind": kind, "text": text},
        )
    return question


def question_remove(*, actor: Person, question: Question) -> Campaign:
    """Remove a question; those after it move up, so the numbers stay 1, 2, 3 …"""
    with transaction.atomic():
        campaign = _draft(actor, question.campaign)
        question = _own_question(campaign, question)
        position = question.position
        question.delete()
        # One row at a time, in order: each moves into the place just freed, so the
        # (campaign, position) constraint holds after every statement.
        for later in campaign.questions.filter(position__gt=position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])
        audit_record(
            actor=actor,
            verb="evaluation.campaign.question_removed",
            obj=campaign,
            data={"position": position},
        )
    return campaign


def question_move(*, actor: Person, question: Question, direction: str) -> Question:
    """Swap a question with the one before it (`up`) or after it (`down`)."""
    if direction not in ("up", "down"):
        raise DomainError(_("请选择上移或下移。"), code="bad_direction", field="direction")
    with transaction.atomic():
        campaign = _draft(actor, question.campaign)
        question = _own_question(campaign, question)
        siblings = campaign.questions.all()
        neighbour = (
            siblings.filter(position__lt=question.position).order_by("-position").first()
            if direction == "up"
            else siblings.filter(position__gt=question.position).order_by("position").first()
        )
        if neighbour is None:
            return question
        mine, theirs = question.position, neighbour.position
        # Position 0 is never used by a question: it holds this one while the other moves.
        Question.objects.filter(pk=question.pk).update(position=0)
        Question.objects.filter(pk=neighbour.pk).update(position=mine)
        Question.objects.filter(pk=question.pk).update(position=theirs)
        question.position = theirs
        audit_record(
            actor=actor,
            verb="evaluation.campaign.question_moved",
            obj=campaign,
            data={"from": mine, "to": theirs},
        )
    return question


def campaign_publish(*, actor: Person, campaign: Campaign) -> Campaign:
    """Fix the questions and open the campaign for answers from its start date: it needs at
    least one question and an end date not yet passed."""
    with transaction.atomic():
        campaign = _locked(actor, campaign)
        if campaign.published_at is not None:
            raise ConflictError(_("问卷已经发布过了。"), code="already_published")
        count = campaign.questions.count()
        if not count:
            raise DomainError(_("请至少添加一道题目再发布。"), code="no_questions")
        if campaign.ends_on < timezone.localdate():
            raise DomainError(
                _("结束日期已经过了，请先修改结束日期再发布。"), code="ended", field="ends_on"
            )
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["published_at"])
        audit_record(
            actor=actor,
            verb="evaluation.campaign.published",
            obj=campaign,
            data={"questions": count, "until": campaign.ends_on.isoformat()},
        )
    return campaign


# --- answering -----------------------------------------------------------------------------


class AnswersError(DomainError):
    """Some answers were refused and nothing was saved. The message lists each bad answer by
    question number; `problems` maps each question's id to what is wrong with its answer, for
    a page that shows it next to the question."""

    code = "bad_answers"

    def __init__(self, problems: list[tuple[Question, str]]) -> None:
        listed = " ".join(
            _("第 %(n)s 题：%(problem)s") % {"n": question.position, "problem": problem}
            for question, problem in problems
        )
        super().__init__(
            _("答卷没有提交，请修改后再提交。%(problems)s") % {"problems": listed},
            field="answers",
        )
        self.problems = {question.pk: problem for question, problem in problems}


def _blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(_blank(item) for item in raw)
    return False


def _single(question: Question, raw: object) -> tuple[object, str]:
    if isinstance(raw, list | tuple):
        chosen = [item for item in raw if not _blank(item)]
        if len(chosen) > 1:
            return None, _("此题只能选一项。")
        raw = chosen[0]
    if not isinstance(raw, str):
        return None, _("请从此题的选项中选择。")
    value = raw.strip()
    if value not in question.options:
        return None, _("“%(value)s”不是此题的选项，请从选项中选择。") % {"value": value[:60]}
    return value, ""


def _multiple(question: Question, raw: object) -> tuple[object, str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        return None, _("请从此题的选项中选择。")
    chosen = {item.strip() for item in items if item.strip()}
    unknown = sorted(chosen - set(question.options))
    if unknown:
        return None, _("“%(value)s”不是此题的选项，请从选项中选择。") % {
            "value": "、".join(v[:60] for v in unknown)
        }
    # Each option once, in the question's order, however often it was sent.
    return [option for option in question.options if option in chosen], ""


def _rating(raw: object) -> tuple[object, str]:
    score: int | None = None
    if isinstance(raw, bool):
        score = None
    elif isinstance(raw, int):
        score = raw
    elif isinstance(raw, float) and raw.is_integer():
        score = int(raw)
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        score = int(raw.strip())
    if score not in RATINGS:
        return None, _("评分应为 1 至 5 的整数。")
    return score, ""


def _text(raw: object) -> tuple[object, str]:
    if not isinstance(raw, str):
        return None, _("请用文字回答。")
    value = raw.strip()
    if len(value) > MAX_TEXT_ANSWER:
        return None, _("回答最多 %(max)s 字，现在有 %(count)s 字，请删减。") % {
            "max": MAX_TEXT_ANSWER,
            "count": len(value),
        }
    return value, ""


def clean_answers(questions: Sequence[Question], answers: Mapping[int, object]) -> dict[int, Any]:
    """The stored value of each answered question, or an AnswersError naming every bad one."""
    known = {question.pk for question in questions}
    if set(answers) - known:
        raise DomainError(_("答卷中有不属于这份问卷的题目。"), code="unknown_question")
    values: dict[int, Any] = {}
    problems: list[tuple[Question, str]] = []
    for question in questions:
        raw = answers.get(question.pk)
        if _blank(raw):
            if question.required:
                problems.append((question, _("此题必答，请作答。")))
            continue
        if question.kind == QuestionKind.SINGLE:
            value, problem = _single(question, raw)
        elif question.kind == QuestionKind.MULTIPLE:
            value, problem = _multiple(question, raw)
        elif question.kind == QuestionKind.RATING:
            value, problem = _rating(raw)
        else:
            value, problem = _text(raw)
        if problem:
            problems.append((question, problem))
        else:
            values[question.pk] = value
    if problems:
        raise AnswersError(problems)
    return values


def _check_open(campaign: Campaign) -> None:
    phase = campaign_phase(campaign)
    if phase == Phase.DRAFT:
        raise ConflictError(_("问卷还没有发布。"), code="not_published")
    if phase == Phase.UPCOMING:
        raise ConflictError(
            _("问卷从 %(date)s 开始填写。") % {"date": date_format(campaign.starts_on)},
            code="not_started",
        )
    if phase == Phase.ENDED:
        raise ConflictError(
            _("问卷已于 %(date)s 结束。") % {"date": date_format(campaign.ends_on)},
            code="ended",
        )


def _already() -> ConflictError:
    return ConflictError(_("您已经填写过这份问卷了，每人只能填写一次。"), code="already_answered")


def campaign_respond(
    *,
    actor: Person,
    campaign: Campaign,
    answers: Mapping[int, object],
    respondent: Person | None = None,
) -> CampaignResponse:
    """One response, while the campaign is published and within its dates.

    Online (`respondent` is the actor): a confirmed resident of a home under the campaign's
    place, once — a second submission is refused, so a result cannot be churned by
    resubmitting; the database's unique constraint decides between simultaneous ones.
    Door to door (`respondent` None): staff who run campaigns there write down the answers of
    someone without an account. Every answer is checked first; one bad answer refuses the
    whole response and nothing is saved.
    """
    door = respondent is None
    if respondent is None:
        if not can(actor, ACTION, campaign.place):
            raise ForbiddenError()
    elif respondent.pk != actor.pk:
        raise ForbiddenError(_("只能填写自己的答卷；入户代录请不填答卷人。"))
    elif not lives_under(actor, campaign.place.path):
        raise ForbiddenError(
            _("只有%(place)s的居民才能填写这份问卷。") % {"place": campaign.place.name}
        )
    _check_open(campaign)
    if not door and CampaignResponse.objects.filter(campaign=campaign, respondent=actor).exists():
        raise _already()
    questions = list(campaign.questions.all())
    values = clean_answers(questions, answers)
    try:
        with transaction.atomic():
            response = CampaignResponse.objects.create(
                campaign=campaign, respondent=respondent, recorded_by=actor
            )
            Answer.objects.bulk_create(
                Answer(response=response, question_id=pk, value=value)
                for pk, value in values.items()
            )
            # The answers stay out of the audit log: it records who answered, not what.
            audit_record(
                actor=actor,
                verb="evaluation.campaign.door_recorded"
                if door
                else "evaluation.campaign.answered",
                obj=campaign,
                data={"answers": len(values)},
            )
    except IntegrityError:
        # The same person submitting twice at once: the constraint let one in.
        raise _already() from None
    return response


def campaign_feedback(*, actor: Person, campaign: Campaign, text: str) -> FeedbackItem:
    """A problem an answer raised, as staff word it, tracked as a feedback item at the
    campaign's place. Answers never become feedback items by themselves: a low score or a
    remark is an opinion until someone who runs the campaign judges it a problem to handle."""
    if not can(actor, ACTION, campaign.place):
        raise ForbiddenError()
    text = text.strip()
    if not text:
        raise DomainError(_("请写下要处理的问题。"), code="text_required", field="text")
    with transaction.atomic():
        item = FeedbackItem.objects.create(
            place=campaign.place,
            source=FeedbackSource.CAMPAIGN,
            campaign=campaign,
            text=text[:MAX_TEXT_ANSWER],
        )
        audit_record(
            actor=actor,
            verb="evaluation.feedback.raised",
            obj=item,
            data={"campaign": campaign.uid},
        )
    return item


# --- reads ---------------------------------------------------------------------------------


def campaign_get(uid: str) -> Campaign | None:
    return Campaign.objects.filter(uid=uid).select_related("place__parent__parent").first()


def campaigns_for(person: Person) -> QuerySet[Campaign]:
    """The campaigns at or under the places where the person runs campaigns, newest first,
    with their response counts."""
    allowed = roles_for(ACTION)
    paths = {path for role, path in person_active_roles(person) if role in allowed}
    scope = Q(pk__in=[])
    for path in paths:
        scope |= Q(place__path__gte=path, place__path__lt=path + PATH_END)
    return (
        Campaign.objects.filter(scope)
        .select_related("place__parent__parent")
        .annotate(response_count=Count("responses"))
        .order_by("-starts_on", "-id")
    )


def campaign_places_for(person: Person) -> list[Place]:
    """Where the person may start a campaign: the places of their roles and the compounds
    and buildings under them."""
    return [p for p in places_where(person, ACTION) if p.kind in CAMPAIGN_PLACE_KINDS]


def campaigns_open_to(homes: list[Place]) -> list[Campaign]:
    """Published campaigns taking answers today at a place above or at any of `homes`."""
    if not homes:
        return []
    today = timezone.localdate()
    paths = {path for home in homes for path in home.ancestor_paths}
    return list(
        Campaign.objects.filter(
            place__path__in=paths,
            published_at__isnull=False,
            starts_on__lte=today,
            ends_on__gte=today,
        ).order_by("ends_on", "id")[:20]
    )


@dataclass(frozen=True)
class Bar:
    """One option (or score) of a question: how many chose it, and their share in percent of
    those who answered the question."""

    label: str
    count: int
    share: Decimal


@dataclass(frozen=True)
class TextAnswer:
    id: int
    text: str


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: Decimal | None = None
    texts: list[TextAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class CampaignResults:
    responses: int
    door: int
    questions: list[QuestionResult]

    @property
    def online(self) -> int:
        return self.responses - self.door


def _percent(count: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(count * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rating_label(score: int) -> str:
    return _("%(n)s 分") % {"n": score}


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Counts per option and per score, shares, the mean score to one decimal and the text
    answers (without names), in four queries whatever the number of responses.

    A share is of those who answered the question (the same as all respondents for a required
    question). A multiple-choice answer counts once for each option it chose.
    """
    questions = list(Question.objects.filter(campaign=campaign).order_by("position"))
    totals = CampaignResponse.objects.filter(campaign=campaign).aggregate(
        responses=Count("id"), door=Count("id", filter=Q(respondent__isnull=True))
    )
    # Answers to the same question with the same value, counted by the database: a multiple-
    # choice question yields one row per combination chosen, never one per response.
    grouped: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    rows = (
        Answer.objects.filter(question__campaign=campaign)
        .exclude(question__kind=QuestionKind.TEXT)
        .values_list("question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for question_id, value, n in rows:
        grouped[question_id].append((value, n))
    texts: dict[int, list[TextAnswer]] = defaultdict(list)
    text_rows = (
        Answer.objects.filter(question__campaign=campaign, question__kind=QuestionKind.TEXT)
        .order_by("response__at", "id")
        .values_list("id", "question_id", "value")
    )
    for pk, question_id, value in text_rows:
        texts[question_id].append(TextAnswer(id=pk, text=str(value)))
    results = [_question_result(q, grouped[q.pk], texts[q.pk]) for q in questions]
    return CampaignResults(responses=totals["responses"], door=totals["door"], questions=results)


def _question_result(
    question: Question, grouped: list[tuple[Any, int]], texts: list[TextAnswer]
) -> QuestionResult:
    if question.kind == QuestionKind.TEXT:
        return QuestionResult(question=question, answered=len(texts), texts=texts)
    answered = sum(n for _value, n in grouped)
    if question.kind == QuestionKind.RATING:
        scores = dict.fromkeys(RATINGS, 0)
        for value, n in grouped:
            if value in scores:
                scores[value] += n
        total = sum(score * n for score, n in scores.items())
        mean = (
            (Decimal(total) / answered).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if answered
            else None
        )
        bars = [Bar(rating_label(s), n, _percent(n, answered)) for s, n in scores.items()]
        return QuestionResult(question=question, answered=answered, bars=bars, mean=mean)
    counts = dict.fromkeys(question.options, 0)
    for value, n in grouped:
        chosen = value if isinstance(value, list) else [value]
        for option in set(chosen):
            if option in counts:
                counts[option] += n
    bars = [Bar(option, n, _percent(n, answered)) for option, n in counts.items()]
    return QuestionResult(question=question, answered=answered, bars=bars)


def campaign_feedback_items(campaign: Campaign) -> list[FeedbackItem]:
    return list(FeedbackItem.objects.filter(campaign=campaign).order_by("-created_at", "-id"))
