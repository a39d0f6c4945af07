"""Evaluation (测评): audits of a topic's execution, the satisfaction survey of the homes it
affected, third-party survey campaigns, and the feedback items they raise until resolved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.works.models import Photo


class Verdict(models.TextChoices):
    PASSED = "passed", _("合格")
    WITH_ISSUES = "with_issues", _("基本合格，需整改")
    FAILED = "failed", _("不合格")


class Audit(models.Model):
    """审计评估: a panel's assessment of how a topic was carried out."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="audits"
    )
    held_on = models.DateField(_("评估日期"))
    # Names and capacities as on the panel's sheet (party members, resident representatives,
    # experts, a professional or third-party body): not all of them have accounts.
    panel = models.CharField(_("评估组成员"), max_length=300)
    findings = models.TextField(_("评估意见"))
    verdict = models.CharField(_("结论"), max_length=12, choices=Verdict.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("审计评估")
        verbose_name_plural = _("审计评估")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.held_on}"


class AuditDocument(Photo):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="documents")


class Level(models.TextChoices):
    VERY = "very", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# The satisfaction rate counts these levels unless a survey says otherwise.
DEFAULT_SATISFIED = (Level.VERY, Level.SATISFIED, Level.BASIC)


class Survey(models.Model):
    """满意度测评: one response per home of the scope; the topic closes after it ends with
    enough homes having answered."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="surveys"
    )
    scope = models.ForeignKey(
        "places.Place", verbose_name=_("测评范围"), on_delete=models.PROTECT, related_name="+"
    )
    opens_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closes_on = models.DateField(_("截止日期"))
    min_rate = models.PositiveSmallIntegerField(_("最低参与率（%）"), default=50)
    # Comma-separated Level values the satisfaction rate counts.
    satisfied_levels = models.CharField(
        _("计入满意率的等级"), max_length=60, default=",".join(DEFAULT_SATISFIED)
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Frozen at the end: homes, responses and counts per level (see evaluation/rates.py).
    result = models.JSONField(_("测评结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_rate__lte=100), name="survey_min_rate_is_a_percentage"
            ),
            # One survey open per topic at a time.
            models.UniqueConstraint(
                fields=["topic"],
                condition=models.Q(ended_at__isnull=True),
                name="survey_one_open_per_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.opens_at:%Y-%m-%d}"

    @property
    def levels_counted(self) -> list[str]:
        return [v for v in self.satisfied_levels.split(",") if v]


class ResponseChannel(models.TextChoices):
    ONLINE = "online", _("网上填写")
    DOOR = "door", _("入户代录")


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    home = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("满意程度"), max_length=12, choices=Level.choices)
    comment = models.TextField(_("意见建议"), blank=True)
    channel = models.CharField(_("方式"), max_length=8, choices=ResponseChannel.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("测评答卷")
        verbose_name_plural = _("测评答卷")
        ordering = ["home__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "home"], name="survey_response_once_per_home"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.home_id} {self.level}"


class ServiceDomain(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("居家养老服务")
    CULTURE = "culture", _("文化服务")
    PROPERTY = "property", _("物业服务")
    OTHER = "other", _("其他服务")


class Campaign(models.Model):
    """A third party's survey of residents about a service domain, for a place and period."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    title = models.CharField(_("问卷标题"), max_length=120)
    domain = models.CharField(_("服务领域"), max_length=16, choices=ServiceDomain.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("调查范围"), on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.CharField(_("调查机构"), max_length=100)
    intro = models.TextField(_("说明"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # Questions can change until the campaign is published; answers need them fixed.
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("问卷调查")
        verbose_name_plural = _("问卷调查")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分（1–5 分）")
    TEXT = "text", _("文字")


class Question(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    # The choices of a single- or multiple-choice question, in order.
    options = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="question_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class CampaignResponse(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    # The resident who answered; null when staff wrote down the answers of someone without
    # an account (door to door).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="campaign_response_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.at:%Y-%m-%d}"


class Answer(models.Model):
    response = models.ForeignKey(CampaignResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # An option's text (single), a list of them (multiple), 1–5 (rating) or text.
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_id}"


class FeedbackSource(models.TextChoices):
    AUDIT = "audit", _("审计评估")
    SURVEY = "survey", _("满意度测评")
    CAMPAIGN = "campaign", _("问卷调查")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("处理中")
    ANSWERED = "answered", _("已答复")
    RESOLVED = "resolved", _("已解决")
    APPEAL = "appeal", _("已转为诉求")


CLOSED_FEEDBACK = (FeedbackStatus.RESOLVED, FeedbackStatus.APPEAL)


class FeedbackItem(models.Model):
    """A problem raised by an audit, a survey or a campaign, tracked until it is resolved."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name=_("议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    source = models.CharField(_("来源"), max_length=10, choices=FeedbackSource.choices)
    audit = models.ForeignKey(
        Audit, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    survey_response = models.OneToOneField(
        SurveyResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    text = models.TextField(_("问题"))
    status = models.CharField(
        _("状态"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("处理情况"), blank=True)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("转成的诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("反馈问题")
        verbose_name_plural = _("反馈问题")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="feedback_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="appeal") | models.Q(appeal__isnull=False),
                name="feedback_appeal_is_linked",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(answer=""),
                name="feedback_resolution_is_explained",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]
