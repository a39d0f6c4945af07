"""Appeals (诉求): residents' demands from every channel, per grid (domain.md §1, mechanism 2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.core.masking import mask_name, mask_phone
from qinlin.places.models import AtPlace


class Category(models.Model):
    """A kind of matter; the six defaults are loaded by a migration and staff may edit them."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label(get_language())

    def label(self, language: str | None) -> str:
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name


class Channel(models.TextChoices):
    ONLINE = "online", _("线上")
    DOOR_MEETING = "door_meeting", _("楼头会")
    CHAT_GROUP = "chat_group", _("一楼一群")
    VISIT = "visit", _("走访")
    PHONE = "phone", _("电话")
    HOTLINE = "hotline", _("热线")
    SURVEY = "survey", _("问卷反馈")


class AppealStatus(models.TextChoices):
    NEW = "new", _("待处理")
    ACCEPTED = "accepted", _("已纳入议题")
    REFERRED = "referred", _("已转办")
    REJECTED = "rejected", _("不予受理")
    RESOLVED = "resolved", _("已现场解决")


OPEN_STATUSES = [AppealStatus.NEW]


class Appeal(AtPlace):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    text = models.TextField(_("内容"))
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="appeals"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="appeals"
    )
    # The home of whoever raised it, when known: "how many households raised this matter".
    household = models.ForeignKey(
        "places.Place",
        verbose_name=_("反映户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反映人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    # A walk-in, a caller or a chat-group member without an account.
    reporter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("反映人电话"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.NEW
    )
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name=_("所属议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    referred_to = models.CharField(_("转办单位"), max_length=100, blank=True)
    decision_note = models.TextField(_("处理说明"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("反映时间"), default=timezone.now)
    # An integration's retry carries the same key and must not create a second appeal.
    idempotency_key = models.CharField(_("幂等键"), max_length=100, null=True, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entered_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="appeal_idempotency_key_per_caller",
            ),
            models.CheckConstraint(
                condition=Q(reporter__isnull=False) | ~Q(reporter_name=""),
                name="appeal_has_a_reporter",
            ),
        ]
        indexes = [
            # Appeals under place X (a range of place_path), newest first or in a period: the
            # inbox and API list of every status, the dashboard's counts. With the place
            # joined instead, PostgreSQL sorted a community's 37,000 appeals at 1,000,000
            # homes on disk to show the newest 100 (bench/RESULTS.md).
            # The id too, so that the keys of a page come from the index alone (core/paging.py).
            models.Index(fields=["place_path", "created_at", "id"], name="appeal_path_created"),
            # The inbox's default, "new under X": before it, PostgreSQL walked every new
            # appeal of the city newest first and looked up each one's place.
            models.Index(
                fields=["status", "place_path", "created_at"], name="appeal_status_path_created"
            ),
            # "My appeals".
            models.Index(fields=["reporter", "created_at"], name="appeal_reporter_created"),
        ]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def reporter_display(self) -> str:
        """The reporter as the public and other residents may see them: masked."""
        if self.reporter is not None:
            return mask_name(self.reporter.name)
        return mask_name(self.reporter_name)

    @property
    def reporter_phone_masked(self) -> str:
        if self.reporter is not None:
            return self.reporter.phone_masked
        return mask_phone(self.reporter_phone)


class AppealEvent(models.Model):
    """One step of an appeal's timeline, as the resident sees it."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=AppealStatus.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("诉求进展")
        verbose_name_plural = _("诉求进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.status}"


def _photo_path(instance: AppealPhoto, filename: str) -> str:
    return f"appeals/{timezone.now():%Y/%m}/{new_uid()}.{filename.rsplit('.', 1)[-1]}"


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to=_photo_path)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")

    def __str__(self) -> str:
        return str(self.image.name)
