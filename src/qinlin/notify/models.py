"""The outbox (one row per message and recipient), group robots, and each person's choices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.notify.kinds import Channel, Kind


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")
    # The worker stopped between handing the message over and hearing back; sending it again
    # could post it twice into a group, so a person decides.
    IN_DOUBT = "in_doubt", _("结果不明")
    CANCELLED = "cancelled", _("已取消")


class Platform(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")
    WEBHOOK = "webhook", _("通用 Webhook（JSON）")


class Robot(models.Model):
    """A chat group's robot at a place: the grid's work group, an owners' group. Messages of
    the chosen kinds about that place (or below it) are posted into the group."""

    uid = models.CharField(_("公开编号"), max_length=16, unique=True, default=new_uid)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("群名称"), max_length=60)
    platform = models.CharField(_("平台"), max_length=10, choices=Platform.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    kinds = models.JSONField(_("推送哪些通知"), default=list)
    language = models.CharField(
        _("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    # A work group may want new appeals at night (a burst pipe); an owners' group does not.
    quiet_hours = models.BooleanField(_("夜间免打扰（22:00–07:00）"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["place__path", "name"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One message to one recipient on one channel, written in the transaction of the change
    it tells about. `event_key` names that change; it is unique with the recipient and
    channel, so a message is never written, and so never sent, twice."""

    uid = models.CharField(_("公开编号"), max_length=16, unique=True, default=new_uid)
    event_key = models.CharField(_("事件"), max_length=80)
    kind = models.CharField(_("通知类别"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    robot = models.ForeignKey(
        Robot,
        verbose_name=_("群机器人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # The e-mail address or phone number it went to; a robot's address stays on the robot
    # (its URL holds the group's key).
    address = models.CharField(_("地址"), max_length=200, blank=True)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    due_at = models.DateTimeField(_("计划发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "person", "channel"],
                condition=Q(person__isnull=False),
                name="notify_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["event_key", "robot"],
                condition=Q(robot__isnull=False),
                name="notify_once_per_robot",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, robot__isnull=True)
                | Q(person__isnull=True, robot__isnull=False),
                name="notify_one_recipient",
            ),
        ]
        indexes = [
            # The bell: a person's unread in-app messages.
            models.Index(fields=["person", "channel", "read_at"], name="notify_inbox"),
            # Has this event been written already (the clock, the digest)?
            models.Index(fields=["event_key"], name="notify_event"),
            # The worker's sweep: what is due or stuck.
            models.Index(fields=["status", "due_at"], name="notify_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.person or self.robot}"


class Preferences(models.Model):
    """A person's choices; without a row, the defaults of kinds.SPECS apply."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notify_preferences",
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    # {kind: [channel, …]} for the kinds the person changed; the others keep the default.
    channels = models.JSONField(_("各类通知的渠道"), default=dict)
    quiet_hours = models.BooleanField(_("夜间免打扰（22:00–07:00）"), default=True)
    digest = models.BooleanField(_("工作提醒改为每日摘要"), default=False)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.person)

    def chosen(self, kind: str) -> list[str] | None:
        value: Any = self.channels.get(kind)
        return list(value) if isinstance(value, list) else None
