"""Writes about evaluation: audits, satisfaction surveys and their responses, and the
feedback items they raise (campaigns are in campaigns.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.photos import Upload, clean_photos
from qinlin.appeals.services import appeal_submit
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.evaluation.models import (
    CLOSED_FEEDBACK,
    Audit,
    AuditDocument,
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
from qinlin.people.models import Person, ResidencyStatus
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import homes_under
from qinlin.topics.models import Topic
from qinlin.topics.services import step_record
from qinlin.topics.states import Stage
from qinlin.votes.selectors import scope_choices

MAX_TEXT = 4000


def _evaluating(topic: Topic) -> Topic:
    topic = Topic.objects.select_for_update().select_related("place").get(pk=topic.pk)
    if topic.stage != Stage.EVALUATING:
        raise ConflictError(_("议题验收后、办结前才能测评。"), code="not_evaluating")
    return topic


def _problems(lines: Sequence[str]) -> list[str]:
    return [line.strip()[:MAX_TEXT] for line in lines if line.strip()]


def audit_add(
    *,
    actor: Person,
    topic: Topic,
    held_on: date,
    panel: str,
    findings: str,
    verdict: str,
    problems: Sequence[str] = (),
    documents: Sequence[Upload] = (),
) -> Audit:
    """An audit assessment by a panel; each problem it names becomes a feedback item."""
    if not can(actor, "evaluation.audit", topic.place):
        raise ForbiddenError()
    panel, findings = panel.strip(), findings.strip()
    if not panel:
        raise DomainError(_("请写明评估组成员。"), code="panel_required", field="panel")
    if not findings:
        raise DomainError(_("请填写评估意见。"), code="findings_required", field="findings")
    if verdict not in Verdict.values:
        raise DomainError(_("请选择评估结论。"), code="bad_verdict", field="verdict")
    if held_on > timezone.localdate():
        raise DomainError(_("评估日期不能晚于今天。"), code="bad_date", field="held_on")
    cleaned = clean_photos(documents, field="documents")
    with transaction.atomic():
        topic = _evaluating(topic)
        audit = Audit.objects.create(
            topic=topic,
            held_on=held_on,
            panel=panel[:300],
            findings=findings[:MAX_TEXT],
            verdict=verdict,
            recorded_by=actor,
        )
        for photo in cleaned:
            AuditDocument.objects.create(
                audit=audit, image=photo.content, width=photo.width, height=photo.height
            )
        raised = _problems(problems)
        FeedbackItem.objects.bulk_create(
            FeedbackItem(
                place=topic.place, topic=topic, source=FeedbackSource.AUDIT, audit=audit, text=t
            )
            for t in raised
        )
        step_record(
            topic=topic,
            actor=actor,
            verb="audit",
            text=audit.findings,
            panel=audit.panel,
            verdict=str(Verdict(verdict).label),
            problems=len(raised),
        )
        audit_record(
            actor=actor,
            verb="evaluation.audit.recorded",
            obj=audit,
            data={"topic": topic.uid, "verdict": verdict, "problems": len(raised)},
        )
    return audit


def survey_open(
    *,
    actor: Person,
    topic: Topic,
    scope: Place,
    closes_on: date,
    min_rate: int,
    satisfied_levels: Sequence[str] = (Level.VERY, Level.SATISFIED, Level.BASIC),
) -> Survey:
    """The satisfaction survey of the homes a topic affected (its grid, or a part of it)."""
    if not can(actor, "evaluation.survey", topic.place):
        raise ForbiddenError()
    if scope.pk not in {p.pk for p in scope_choices(topic.place)}:
        raise DomainError(
            _("测评范围须是议题所在的小区、楼栋或单元。"), code="bad_scope", field="scope"
        )
    if closes_on < timezone.localdate():
        raise DomainError(_("截止日期不能早于今天。"), code="bad_closes_on", field="closes_on")
    if not 0 <= min_rate <= 100:
        raise DomainError(
            _("最低参与率应在 0 到 100 之间。"), code="bad_min_rate", field="min_rate"
        )
    levels = [level for level in Level.values if level in satisfied_levels]
    if not levels or set(satisfied_levels) - set(Level.values):
        raise DomainError(
            _("请选择计入满意率的等级。"), code="bad_levels", field="satisfied_levels"
        )
    if not homes_under(scope).exists():
        raise DomainError(_("所选范围内没有房屋。"), code="no_homes", field="scope")
    with transaction.atomic():
        topic = _evaluating(topic)
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    topic=topic,
                    scope=scope,
                    closes_on=closes_on,
                    min_rate=min_rate,
                    satisfied_levels=",".join(levels),
                    created_by=actor,
                )
        except IntegrityError:
            raise ConflictError(_("这个议题已有进行中的满意度测评。"), code="survey_open") from None
        step_record(
            topic=topic,
            actor=actor,
            verb="survey_opened",
            survey_scope=scope.address,
            until=closes_on.isoformat(),
        )
        audit_record(
            actor=actor, verb="evaluation.survey.opened", obj=survey, data={"scope": scope.uid}
        )
    return survey


def _may_answer_for(actor: Person, home: Place, channel: str) -> bool:
    if channel == ResponseChannel.DOOR:
        return can(actor, "evaluation.record", home)
    return actor.residencies.filter(home=home, status=ResidencyStatus.CONFIRMED).exists()


def survey_respond(
    *,
    actor: Person,
    survey: Survey,
    home: Place,
    level: str,
    comment: str = "",
    channel: str = ResponseChannel.ONLINE,
) -> tuple[SurveyResponse, bool]:
    """A home's answer: online by one of its confirmed residents, or written down door to door.
    One per home: a second answer replaces the first while the survey is open, so repeating
    a submission changes nothing. Returns (response, created). An answer of 不满意 raises a
    feedback item, kept in step with the answer while nobody has handled it."""
    if channel not in ResponseChannel.values:
        raise DomainError(_("请选择填写方式。"), code="bad_channel", field="channel")
    if not _may_answer_for(actor, home, channel):
        raise ForbiddenError(_("只有本户已认证的居民或入户工作人员可以填写。"))
    if level not in Level.values:
        raise DomainError(_("请选择满意程度。"), code="bad_level", field="level")
    comment = comment.strip()[:2000]
    with transaction.atomic():
        survey = Survey.objects.select_related("scope", "topic__place").get(pk=survey.pk)
        if survey.ended_at is not None or timezone.localdate() > survey.closes_on:
            raise ConflictError(_("测评已经结束。"), code="survey_ended")
        if home.kind != PlaceKind.HOME or not home.path.startswith(survey.scope.path):
            raise DomainError(_("这户不在测评范围内。"), code="bad_home", field="home")
        values = {
            "level": level,
            "comment": comment,
            "channel": channel,
            "respondent": actor if channel == ResponseChannel.ONLINE else None,
            "recorded_by": actor,
            "at": timezone.now(),
        }
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(survey=survey, home=home, **values)
                created = True
        except IntegrityError:
            response = SurveyResponse.objects.select_for_update().get(survey=survey, home=home)
            for field, value in values.items():
                setattr(response, field, value)
            response.save()
            created = False
        _feedback_from(response, survey)
        audit_record(
            actor=actor,
            verb="evaluation.survey.answered",
            obj=survey,
            data={"home": home.uid, "channel": channel, "replaced": not created},
        )
    return response, created


def _feedback_from(response: SurveyResponse, survey: Survey) -> None:
    item = FeedbackItem.objects.filter(survey_response=response).first()
    text = response.comment or _("（不满意，未说明原因）")
    if response.level == Level.UNSATISFIED and item is None:
        FeedbackItem.objects.create(
            place=response.home,
            topic=survey.topic,
            source=FeedbackSource.SURVEY,
            survey_response=response,
            text=text,
        )
    elif item is not None and item.status == FeedbackStatus.OPEN:
        if response.level == Level.UNSATISFIED:
            item.text = text
            item.save(update_fields=["text"])
        else:
            item.delete()


def survey_end(*, actor: Person, survey: Survey) -> Survey:
    """End the survey and freeze its figures; the topic may close if enough homes answered."""
    if not can(actor, "evaluation.survey", survey.topic.place):
        raise ForbiddenError()
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update().select_related("scope", "topic").get(pk=survey.pk)
        )
        if survey.ended_at is not None:
            raise ConflictError(_("测评已经结束。"), code="survey_ended")
        counts = dict(survey.responses.values_list("level").annotate(n=Count("id")).order_by())
        figures = survey_figures(
            homes=homes_under(survey.scope).count(),
            counts=counts,
            counted=survey.levels_counted,
            min_rate=survey.min_rate,
        )
        survey.result = figures.as_json()
        survey.ended_at = timezone.now()
        survey.save(update_fields=["result", "ended_at"])
        step_record(
            topic=survey.topic,
            actor=actor,
            verb="survey_ended",
            responses=f"{figures.responses}/{figures.homes}（{figures.response_rate}）",
            satisfaction=figures.satisfaction_rate,
        )
        audit_record(actor=actor, verb="evaluation.survey.ended", obj=survey, data=survey.result)
    return survey


def _feedback(actor: Person, item: FeedbackItem) -> FeedbackItem:
    if not can(actor, "evaluation.feedback", item.place):
        raise ForbiddenError()
    item = FeedbackItem.objects.select_for_update().select_related("place").get(pk=item.pk)
    if item.status in CLOSED_FEEDBACK:
        raise ConflictError(_("这个问题已经办结。"), code="feedback_closed")
    return item


def feedback_assign(*, actor: Person, item: FeedbackItem, assignee: Person) -> FeedbackItem:
    with transaction.atomic():
        item = _feedback(actor, item)
        if not can(assignee, "evaluation.feedback", item.place):
            raise DomainError(
                _("处理人须能在本地处理反馈问题。"), code="bad_assignee", field="assignee"
            )
        item.assignee = assignee
        if item.status == FeedbackStatus.OPEN:
            item.status = FeedbackStatus.ASSIGNED
        item.save(update_fields=["assignee", "status"])
        audit_record(
            actor=actor, verb="evaluation.feedback.assigned", obj=item, data={"to": assignee.uid}
        )
    return item


def feedback_answer(
    *, actor: Person, item: FeedbackItem, answer: str, resolved: bool
) -> FeedbackItem:
    """What was done about it; `resolved` closes the item (it counts in the resolution rate)."""
    answer = answer.strip()
    if not answer:
        raise DomainError(_("请写明处理情况。"), code="answer_required", field="answer")
    with transaction.atomic():
        item = _feedback(actor, item)
        item.answer = answer[:MAX_TEXT]
        item.status = FeedbackStatus.RESOLVED if resolved else FeedbackStatus.ANSWERED
        item.closed_at = timezone.now() if resolved else None
        if item.assignee_id is None:
            item.assignee = actor
        item.save(update_fields=["answer", "status", "closed_at", "assignee"])
        audit_record(
            actor=actor,
            verb="evaluation.feedback.answered",
            obj=item,
            data={"resolved": resolved},
        )
    return item


def feedback_to_appeal(*, actor: Person, item: FeedbackItem, category: Category) -> Appeal:
    """A problem that needs its own handling becomes an appeal at the same place."""
    with transaction.atomic():
        item = _feedback(actor, item)
        respondent = item.survey_response.respondent if item.survey_response else None
        appeal, _created = appeal_submit(
            actor=actor,
            text=item.text,
            category=category,
            place=item.place,
            channel=Channel.SURVEY,
            reporter=respondent,
            # Raised by a panel or a campaign, not a person: the source stands as the reporter.
            reporter_name="" if respondent else str(item.get_source_display()),
        )
        item.appeal = appeal
        item.status = FeedbackStatus.APPEAL
        item.closed_at = timezone.now()
        item.save(update_fields=["appeal", "status", "closed_at"])
        audit_record(
            actor=actor,
            verb="evaluation.feedback.to_appeal",
            obj=item,
            data={"appeal": appeal.uid},
        )
    return appeal
