"""People, their homes and the roles they hold at places (domain.md §3).

A Person is also the login: the phone number is stored once, here, and a person without a
usable password (a walk-in, an imported owner) simply has no login yet.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.core.masking import mask_name, mask_phone
from qinlin.core.roles import Role

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("请输入 11 位手机号码，例如 13812341234。"), code="invalid_phone"
)


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> Person:
        person = self.model(phone=phone, **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, phone: str, password: str | None = None, **extra: Any) -> Person:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(
        _("手机号码"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[phone_validator],
    )
    language = models.CharField(
        _("语言"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("加入时间"), default=timezone.now)

    objects: ClassVar[PersonManager] = PersonManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name_masked(self) -> str:
        """张*明: how a person's name reads to those who are not staff of the place."""
        return mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def has_login(self) -> bool:
        return bool(self.phone) and self.has_usable_password()

    def qinlin_place_paths(self) -> list[str]:
        """A person belongs, for permissions, to the homes they have claimed or live in and
        to the places where they hold a role (so community staff can reach a grid worker)."""
        homes = self.residencies.filter(
            status__in=[ResidencyStatus.PENDING, ResidencyStatus.CONFIRMED]
        ).values_list("home__path", flat=True)
        roles = self.role_assignments.values_list("place__path", flat=True)
        return [*homes, *roles]


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    FAMILY = "family", _("家庭成员")
    TENANT = "tenant", _("租户")


class ResidencyStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")
    ENDED = "ended", _("已结束")


class ConfirmedVia(models.TextChoices):
    STAFF = "staff", _("工作人员确认")
    CODE = "code", _("入户认证码")
    IMPORT = "import", _("房屋名册导入")


class Residency(models.Model):
    """A person's tie to a home: owner, family member or tenant, claimed then confirmed."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="residencies"
    )
    home = models.ForeignKey(
        "places.Place", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="residencies"
    )
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ResidencyStatus.choices, default=ResidencyStatus.PENDING
    )
    via = models.CharField(_("确认方式"), max_length=16, choices=ConfirmedVia.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Person,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("住户关系")
        verbose_name_plural = _("住户关系")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "home"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="residency_one_open_per_person_and_home",
            ),
        ]
        indexes = [
            # Claims waiting for staff under a place: status = pending, joined on home path.
            models.Index(fields=["status", "home"], name="residency_status_home"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.home} · {self.get_relation_display()}"


class ClaimCode(models.Model):
    """A one-time code printed for a home; entering it confirms the claimant's residency."""

    home = models.ForeignKey(
        "places.Place", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="claim_codes"
    )
    # Only a hash is kept: a leaked database must not let anyone claim a home.
    code_hash = models.CharField(_("认证码摘要"), max_length=64, unique=True)
    relation = models.CharField(
        _("关系"), max_length=16, choices=Relation.choices, default=Relation.OWNER
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    created_by = models.ForeignKey(
        Person, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        Person,
        verbose_name=_("使用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("入户认证码")
        verbose_name_plural = _("入户认证码")

    def __str__(self) -> str:
        return f"{self.home} · {self.created_at:%Y-%m-%d}"


class RoleAssignment(models.Model):
    """A role held at a place, from a date and until a date (inclusive)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    granted_by = models.ForeignKey(
        Person,
        verbose_name=_("授予人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色任命")
        verbose_name_plural = _("角色任命")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["resident", "owner"]),
                name="role_assignment_not_household_role",
            ),
        ]
        indexes = [
            # Who holds role R under place X (the people finder, the permission checks).
            models.Index(fields=["role", "place"], name="role_assignment_role_place"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} @ {self.place}"


class PasswordReset(models.Model):
    """One request to reset a password by a code sent to the phone ("忘记密码").

    Every request is kept for an hour's throttling, whether or not the phone is registered;
    only a registered phone with a login gets a person and a code. Phones and codes are kept
    as keyed digests (HMAC with the secret key): a leaked table names no one and a six-digit
    code cannot be tried offline against it.
    """

    phone_digest = models.CharField(_("手机号摘要"), max_length=64)
    address = models.GenericIPAddressField(_("请求地址"), null=True, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("请求时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    used_at = models.DateTimeField(_("用完时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("密码重设请求")
        verbose_name_plural = _("密码重设请求")
        indexes = [
            # Requests for one phone, and from one address, in the last hour (the throttle).
            models.Index(fields=["phone_digest", "requested_at"], name="reset_phone_time"),
            models.Index(fields=["address", "requested_at"], name="reset_address_time"),
            # The live code of a person (completing a reset).
            models.Index(fields=["person", "used_at"], name="reset_person_open"),
        ]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M}"
