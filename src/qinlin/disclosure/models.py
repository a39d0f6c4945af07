"""Disclosure (公开): the channels of a place, notices with their notice period, residents'
objections, and requests for disclosure answered by a notice or a reasoned refusal."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.places.models import AtPlace


class ChannelKind(models.TextChoices):
    COMMUNITY_BOARD = "community_board", _("社区公示栏")
    COMPOUND_BOARD = "compound_board", _("小区公示栏")
    BUILDING_BOARD = "building_board", _("楼栋公示栏")
    OWNERS_GROUP = "owners_group", _("业主群")
    SHOPS_GROUP = "shops_group", _("沿街商户群")
    WECHAT_ACCOUNT = "wechat_account", _("微信公众号")
    SUNSHINE_DAY = "sunshine_day", _("阳光议事日")
    WEB = "web", _("网页")


class Channel(models.Model):
    """Where notices go: a board on a wall, a chat group, the public account, a meeting day."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=80)
    active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("公开渠道")
        verbose_name_plural = _("公开渠道")
        ordering = ["place__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="channel_name_once_per_place"),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    """What a notice is about; each kind with an object drafts its text from that object."""

    MEETING = "meeting", _("会议结果")
    TALLY = "tally", _("表决结果")
    BIDS = "bids", _("投标公示")
    FUNDING = "funding", _("资金方案与收支")
    ACCEPTANCE = "acceptance", _("验收结果")
    EVALUATION = "evaluation", _("测评结果")
    OTHER = "other", _("其他公开事项")


class Origin(models.TextChoices):
    PROACTIVE = "proactive", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("公示中")
    PERIOD_OVER = "period_over", _("公示期满")
    WITHDRAWN = "withdrawn", _("已撤回")


DEFAULT_PERIOD_DAYS = 7
MAX_PERIOD_DAYS = 90


class Notice(AtPlace):
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
        related_name="notices",
    )
    kind = models.CharField(_("公开事项"), max_length=12, choices=NoticeKind.choices)
    # The uid of the meeting, vote, tender or acceptance (the topic's for a funding plan).
    subject_uid = models.CharField(max_length=16, blank=True)
    origin = models.CharField(
        _("公开方式"), max_length=12, choices=Origin.choices, default=Origin.PROACTIVE
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    period_days = models.PositiveSmallIntegerField(_("公示期（天）"), default=DEFAULT_PERIOD_DAYS)
    # Draft, published or withdrawn; "period over" is read from the dates (see `status`).
    state = models.CharField(max_length=12, default=NoticeStatus.DRAFT)
    channels = models.ManyToManyField(Channel, verbose_name=_("公开渠道"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    period_ends = models.DateField(_("公示截止"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            # The notices under place X (a range of place_path), newest first: the public
            # list, the feeds, the API, the dashboard's count.
            models.Index(fields=["place_path", "published_at"], name="notice_path_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="withdrawn") | ~models.Q(withdrawn_reason=""),
                name="notice_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft")
                | (models.Q(published_at__isnull=False) & models.Q(period_ends__isnull=False)),
                name="notice_published_has_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status(self, today: date | None = None) -> NoticeStatus:
        """Computed, never stored: a published notice's period ends by the calendar alone."""
        today = today or timezone.localdate()
        ended = self.period_ends is not None and today > self.period_ends
        if self.state == NoticeStatus.PUBLISHED and ended:
            return NoticeStatus.PERIOD_OVER
        return NoticeStatus(self.state)

    @property
    def status_label(self) -> str:
        return str(self.status().label)

    @property
    def period_starts(self) -> date | None:
        return timezone.localdate(self.published_at) if self.published_at else None

    def in_period(self, today: date | None = None) -> bool:
        return self.status(today) == NoticeStatus.PUBLISHED


class ObjectionChannel(models.TextChoices):
    ONLINE = "online", _("网上提出")
    IN_PERSON = "in_person", _("当面提出，工作人员代录")


class Objection(models.Model):
    """异议: a resident's objection to a notice during its period, and the answer to it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For one made in person: the name as given; shown masked, like every name in public.
    author_name = models.CharField(_("提出人"), max_length=40)
    channel = models.CharField(
        _("提出方式"), max_length=10, choices=ObjectionChannel.choices, default="online"
    )
    text = models.TextField(_("异议内容"))
    at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.at:%Y-%m-%d}"


class RequestStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("办理中")
    ANSWERED = "answered", _("已答复")
    REFUSED = "refused", _("不予公开")


OPEN_REQUEST = (RequestStatus.REGISTERED, RequestStatus.ASSIGNED)


class DisclosureRequest(models.Model):
    """依申请公开: a resident asks for information; answered by a notice or refused with reasons."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("申请公开的内容"))
    at = models.DateTimeField(_("登记时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REGISTERED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("答复公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    refusal_reason = models.TextField(_("不予公开的理由"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公开申请")
        verbose_name_plural = _("公开申请")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="request_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered") | models.Q(notice__isnull=False),
                name="request_answer_is_a_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.status}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in OPEN_REQUEST and self.due_on < (today or timezone.localdate())
