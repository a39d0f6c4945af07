"""The kinds of notification, who they are for and how each is sent unless a person chooses
otherwise. In-app (the bell) is always on; these are the other channels."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPEAL_STATUS = "appeal_status", _("我的诉求有进展")
    TOPIC_STAGE = "topic_stage", _("本小区议题进入表决或作出决定")
    VOTE_OPENED = "vote_opened", _("业主表决开始")
    VOTE_CLOSING = "vote_closing", _("业主表决即将截止")
    VOTE_CLOSED = "vote_closed", _("业主表决结束")
    NOTICE_PUBLISHED = "notice_published", _("本小区发布公示")
    ANSWERED = "answered", _("我的异议或公开申请有答复")
    ACTIVITY_CHANGED = "activity_changed", _("我报名的活动有变动")
    ACTIVITY_TOMORROW = "activity_tomorrow", _("我报名的活动明天举行")
    NEW_APPEAL = "new_appeal", _("网格内有新诉求")
    TASK_OVERDUE = "task_overdue", _("任务逾期")
    REQUEST_OVERDUE = "request_overdue", _("公开申请逾期未答复")
    DIGEST = "digest", _("每日工作摘要")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    ROBOT = "robot", _("群机器人")


# Channels a person may choose per kind (robots belong to places, not to people).
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True)
class KindSpec:
    staff: bool  # for people who work a grid; these may go into the daily digest instead
    urgent: bool  # sent in quiet hours too
    channels: tuple[Channel, ...]  # the default besides in-app


SPECS: dict[Kind, KindSpec] = {
    Kind.APPEAL_STATUS: KindSpec(staff=False, urgent=False, channels=()),
    Kind.TOPIC_STAGE: KindSpec(staff=False, urgent=False, channels=()),
    # The law gives owners a say only while the vote is open; a text message reaches the
    # owners who never open the app.
    Kind.VOTE_OPENED: KindSpec(staff=False, urgent=False, channels=(Channel.SMS,)),
    Kind.VOTE_CLOSING: KindSpec(staff=False, urgent=True, channels=(Channel.SMS,)),
    Kind.VOTE_CLOSED: KindSpec(staff=False, urgent=False, channels=()),
    Kind.NOTICE_PUBLISHED: KindSpec(staff=False, urgent=False, channels=()),
    Kind.ANSWERED: KindSpec(staff=False, urgent=False, channels=(Channel.EMAIL,)),
    Kind.ACTIVITY_CHANGED: KindSpec(staff=False, urgent=False, channels=(Channel.SMS,)),
    Kind.ACTIVITY_TOMORROW: KindSpec(staff=False, urgent=False, channels=()),
    Kind.NEW_APPEAL: KindSpec(staff=True, urgent=False, channels=(Channel.EMAIL,)),
    Kind.TASK_OVERDUE: KindSpec(staff=True, urgent=False, channels=(Channel.EMAIL,)),
    Kind.REQUEST_OVERDUE: KindSpec(staff=True, urgent=False, channels=(Channel.EMAIL,)),
    Kind.DIGEST: KindSpec(staff=True, urgent=False, channels=(Channel.EMAIL,)),
}
