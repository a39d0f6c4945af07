"""Topics (议题), their options (方案), public timeline, and the meetings that deliberate them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.core.masking import mask_name
from qinlin.places.models import AtPlace
from qinlin.topics.states import Stage


class Topic(AtPlace):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    category = models.ForeignKey(
        "appeals.Category", verbose_name=_("类别"), on_delete=models.PROTECT, related_name="topics"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="topics"
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.PROPOSED
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), blank=True, related_name="+"
    )
    decided_option = models.ForeignKey(
        "topics.Option",
        verbose_name=_("决定采用的方案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(_("决定公告草稿"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    stage_changed_at = models.DateTimeField(_("进入本阶段时间"), default=timezone.now)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at"]
        indexes = [
            # Topics under place X (a range of place_path) by stage, newest first: the board's
            # counts and cards, the list and API, the similar-matter finder's open topics.
            models.Index(
                fields=["place_path", "stage", "created_at"], name="topic_path_stage_created"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Option(models.Model):
    """A 方案 weighed in deliberation: what would be done, roughly what it costs, who pays."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="options"
    )
    letter = models.CharField(_("编号"), max_length=2)
    title = models.CharField(_("方案名称"), max_length=120)
    description = models.TextField(_("方案内容"), blank=True)
    estimated_cost = models.DecimalField(
        _("预计费用（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    funding = models.CharField(_("资金来源设想"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        ordering = ["letter"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "letter"], name="option_letter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.title}"


class Step(models.Model):
    """One entry of a topic's public timeline: a stage change, an option, a meeting held.

    Written by the service that made the change, in the same transaction; never edited.
    `text` is what the public reads, so it holds no phone numbers and only masked names.
    """

    topic = models.ForeignKey(
        Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="steps"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(_("事项"), max_length=40)
    source = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    target = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("议题进程")
        verbose_name_plural = _("议题进程")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.verb}"

    @property
    def actor_display(self) -> str:
        return mask_name(self.actor.name) if self.actor else ""


class MeetingKind(models.TextChoices):
    LOCAL = "local", _("先行商议会")
    CONSULTATION = "consultation", _("协商议事会")
    DOOR = "door", _("楼头会")
    SUNSHINE = "sunshine", _("阳光议事日")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("会议地点"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("会议时间"))
    topics = models.ManyToManyField(Topic, verbose_name=_("议程（议题）"), related_name="meetings")
    status = models.CharField(
        _("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    held_at = models.DateTimeField(_("纪要记录时间"), null=True, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("召集人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at"]
        constraints = [
            # A meeting is held when its minutes are in: the lifecycle counts on that.
            models.CheckConstraint(
                condition=~Q(status="held") | (~Q(minutes="") & Q(held_at__isnull=False)),
                name="meeting_held_has_minutes",
            ),
        ]
        indexes = [
            # The meetings under a place, newest first (the board, the dashboard later).
            models.Index(fields=["place", "starts_at"], name="meeting_place_time"),
        ]

    def __str__(self) -> str:
        return self.title


class Capacity(models.TextChoices):
    """In what capacity someone takes part (domain.md §1, mechanism 2)."""

    PARTY_MEMBER = "party_member", _("党员")
    RESIDENT_REP = "resident_rep", _("居民代表")
    DEPUTY = "deputy", _("两代表一委员")
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")
    INTERESTED_PARTY = "interested_party", _("利益相关方")
    THIRD_PARTY = "third_party", _("第三方")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    BUILDING_HEAD = "building_head", _("楼长")
    STAFF = "staff", _("社区工作人员")


class Participant(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    capacity = models.CharField(_("身份"), max_length=20, choices=Capacity.choices)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["capacity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="participant_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


class Resolution(models.Model):
    """A meeting's show of hands on one option, and whether it carried under the rule chosen.

    The figures are the record; `passed` and the explanations are computed by the rule once,
    when the hands are recorded, and kept as they were (the attendance may change later).
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="resolutions"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("方案"), on_delete=models.PROTECT, related_name="resolutions"
    )
    rule = models.CharField(_("表决规则"), max_length=40)
    invited = models.PositiveIntegerField(_("应到人数"))
    attendees = models.PositiveIntegerField(_("实到人数"))
    agree = models.PositiveIntegerField(_("同意"))
    disagree = models.PositiveIntegerField(_("不同意"))
    abstain = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    explanation_zh = models.TextField()
    explanation_en = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议表决")
        verbose_name_plural = _("会议表决")
        ordering = ["option__letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "option"], name="resolution_once_per_option"
            ),
            models.CheckConstraint(
                condition=Q(
                    agree__lte=models.F("attendees") - models.F("disagree") - models.F("abstain")
                ),
                name="resolution_hands_within_attendees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.option_id}"
