"""Organisations (domain.md §1, mechanism 1): compound party branches and their members, the
partner units that offer resources, and the activities residents register for.

A branch is formed for one compound (单建) or jointly for several small ones (联建).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.works.models import Photo


class BranchKind(models.TextChoices):
    SINGLE = "single", _("单建")
    JOINT = "joint", _("联建")


class PartyBranch(models.Model):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    name = models.CharField(_("名称"), max_length=100)
    community = models.ForeignKey(
        "places.Place",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="party_branches",
    )
    kind = models.CharField(_("组建方式"), max_length=10, choices=BranchKind.choices)
    compounds = models.ManyToManyField(
        "places.Place", verbose_name=_("覆盖小区"), related_name="covering_branches"
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("小区党支部")
        verbose_name_plural = _("小区党支部")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="branch_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> models.Model:
        return self.community


class MemberRole(models.TextChoices):
    MEMBER = "member", _("党员")
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")


class PartyMembership(models.Model):
    branch = models.ForeignKey(
        PartyBranch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="party_memberships",
    )
    role = models.CharField(
        _("职务"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("转入日期"), null=True, blank=True)
    # 党员到小区报到: the compound where the member lives and serves, if not the branch's own.
    reports_to = models.ForeignKey(
        "places.Place",
        verbose_name=_("报到小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_members",
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.UniqueConstraint(fields=["branch", "person"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.branch}"

    @property
    def place(self) -> models.Model:
        return self.branch.community


class PartnerKind(models.TextChoices):
    DUAL_REPORT = "dual_report", _("双报到单位")
    ALLIANCE = "alliance", _("商圈服务联盟成员")
    SOCIAL = "social", _("社会组织")


class Partner(models.Model):
    """A partner unit: an office that reports to the community (双报到), a member of the
    business service alliance (商圈服务联盟), or a social organisation."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=PartnerKind.choices)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("共建社区"), on_delete=models.PROTECT, related_name="+"
    )
    profile = models.TextField(_("简介"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="partner_name_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> models.Model:
        return self.community


class ResourceKind(models.TextChoices):
    CLINIC = "clinic", _("义诊")
    LECTURE = "lecture", _("讲座")
    VOLUNTEERS = "volunteers", _("志愿者")
    MATERIALS = "materials", _("物资")
    MONEY = "money", _("资金")
    VENUE = "venue", _("场地")


class Resource(models.Model):
    """What a partner offers, and when it is available."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("共建单位"), on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("资源类型"), max_length=12, choices=ResourceKind.choices)
    title = models.CharField(_("资源"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    availability = models.CharField(
        _("可提供时间"), max_length=100, blank=True, help_text=_("例如：每月第二个周六上午")
    )
    active = models.BooleanField(_("可提供"), default=True)

    class Meta:
        verbose_name = _("共建资源")
        verbose_name_plural = _("共建资源")
        ordering = ["partner__name", "title"]

    def __str__(self) -> str:
        return self.title


class ResourceUse(models.Model):
    """A resource put to use for an appeal, a topic or an activity (exactly one of them)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="uses")
    appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        "topics.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resource_uses",
    )
    activity = models.ForeignKey(
        "organisations.Activity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resource_uses",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(appeal__isnull=False, topic__isnull=True, activity__isnull=True)
                    | models.Q(appeal__isnull=True, topic__isnull=False, activity__isnull=True)
                    | models.Q(appeal__isnull=True, topic__isnull=True, activity__isnull=False)
                ),
                name="resource_use_has_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.at:%Y-%m-%d}"


class ActivityKind(models.TextChoices):
    CLINIC = "clinic", _("义诊")
    LECTURE = "lecture", _("讲座")
    VOLUNTEERING = "volunteering", _("志愿服务")
    OUTREACH = "outreach", _("宣传")
    CULTURE = "culture", _("文体活动")
    OTHER = "other", _("其他")


class Activity(models.Model):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=12, choices=ActivityKind.choices)
    organiser = models.CharField(_("主办"), max_length=100)
    partners = models.ManyToManyField(
        Partner, verbose_name=_("共建单位"), blank=True, related_name="activities"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("面向"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("地点"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    description = models.TextField(_("活动介绍"), blank=True)
    # Hours credited to each attendee of a volunteering activity (志愿服务时长).
    volunteer_hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="activity_starts")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="activity_has_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityPhoto(Photo):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class Registration(models.Model):
    """One person's place at an activity: confirmed within the capacity, on the waiting list
    beyond it (in the order they came), or cancelled."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(default=timezone.now)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=4, decimal_places=1, default=0
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"], name="registration_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.person_id} {self.status}"
