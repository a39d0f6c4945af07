"""Owners' votes (表决) on a topic's options, their ballots and the history of changed ballots."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.votes.rules import OwnersRule, rule_for_item

ITEMS = [
    (1, _("（一）制定和修改业主大会议事规则")),
    (2, _("（二）制定和修改管理规约")),
    (3, _("（三）选举业主委员会或者更换业主委员会成员")),
    (4, _("（四）选聘和解聘物业服务企业或者其他管理人")),
    (5, _("（五）使用建筑物及其附属设施的维修资金")),
    (6, _("（六）筹集建筑物及其附属设施的维修资金")),
    (7, _("（七）改建、重建建筑物及其附属设施")),
    (8, _("（八）改变共有部分的用途或者利用共有部分从事经营活动")),
    (9, _("（九）有关共有和共同管理权利的其他重大事项")),
]


class Vote(models.Model):
    """One owners' vote: the options of a topic put to the homes of a scope (Art. 278)."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="votes"
    )
    scope = models.ForeignKey(
        "places.Place", verbose_name=_("表决范围"), on_delete=models.PROTECT, related_name="+"
    )
    opens_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    closes_at = models.DateTimeField(_("截止时间"))
    secret = models.BooleanField(_("无记名表决"), default=False)
    changeable = models.BooleanField(_("截止前可改票"), default=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The binding result, computed once at the close by votes/rules.py and kept as it was.
    result = models.JSONField(_("计票结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}/{self.uid}"

    def is_open(self, now: datetime | None = None) -> bool:
        """Open between its opening and its deadline, until someone closes it."""
        moment = now or timezone.now()
        return self.closed_at is None and self.opens_at <= moment < self.closes_at


class VoteOption(models.Model):
    """An option put to the vote, with the Art. 278 item it concerns: the item decides the
    rule (items 6-8 need three quarters), so two options of one vote may differ."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(
        "topics.Option", verbose_name=_("方案"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.PositiveSmallIntegerField(_("民法典第二百七十八条事项"), choices=ITEMS)

    class Meta:
        verbose_name = _("表决方案")
        verbose_name_plural = _("表决方案")
        constraints = [
            models.UniqueConstraint(fields=["vote", "option"], name="vote_option_once"),
            models.CheckConstraint(
                condition=Q(item__gte=1, item__lte=9), name="vote_option_item_1_to_9"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.option_id}"

    @property
    def rule(self) -> OwnersRule:
        return rule_for_item(self.item)


class BallotChannel(models.TextChoices):
    DOOR = "door", _("入户征求意见")
    ONLINE = "online", _("线上")
    PROXY = "proxy", _("书面委托")


def _document_path(instance: models.Model, filename: str) -> str:
    return f"ballots/{timezone.now():%Y/%m}/{new_uid()}.{filename.rsplit('.', 1)[-1]}"


class Ballot(models.Model):
    """A home's ballot in a vote: one per home, guaranteed by the database."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    home = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField(_("选择"))  # {option letter: Choice value}
    channel = models.CharField(_("渠道"), max_length=10, choices=BallotChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    paper_no = models.CharField(_("纸质表决票编号"), max_length=40, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    receipt = models.CharField(_("回执码"), max_length=16, unique=True, default=new_uid)
    # The signed paper ballot (open votes only) or the signed proxy authorisation.
    document = models.FileField(_("签字表决票或委托书照片"), upload_to=_document_path, blank=True)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["vote", "home"], name="ballot_one_per_home"),
        ]

    def __str__(self) -> str:
        return self.receipt


class SupersededBallot(models.Model):
    """A ballot replaced before the close: kept so that a changed vote leaves a trace."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="superseded")
    home = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField()
    channel = models.CharField(max_length=10, choices=BallotChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField()
    receipt = models.CharField(max_length=16)
    document = models.CharField(max_length=200, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]
        indexes = [
            # A home's ballot history within a vote (the vote page, a receipt check).
            models.Index(fields=["vote", "home"], name="superseded_vote_home"),
        ]

    def __str__(self) -> str:
        return self.receipt
