"""Execution (办理) of a decided topic: its tasks and their progress reports."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid


class TaskStatus(models.TextChoices):
    NOT_STARTED = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")


class Task(models.Model):
    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=120)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due_on", "id"]
        indexes = [
            # Overdue tasks under a place: open tasks by due date (the workspace, the list).
            models.Index(fields=["status", "due_on"], name="task_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        """Past its due date and not done; computed, never stored."""
        return self.status != TaskStatus.DONE and self.due_on < (today or timezone.localdate())


def _photo_path(instance: models.Model, filename: str) -> str:
    return f"works/{timezone.now():%Y/%m}/{new_uid()}.{filename.rsplit('.', 1)[-1]}"


class Photo(models.Model):
    """A checked photo (see appeals.photos.clean_photo), served only through a permission check."""

    image = models.FileField(_("照片"), upload_to=_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.image.name)


class TaskReport(models.Model):
    """A progress report: what was done, the status it leaves the task in, photos."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("进展"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.at:%Y-%m-%d}"


class TaskPhoto(Photo):
    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="photos")


class Acceptance(models.Model):
    """验收: the people who inspected the finished work, what they found, and whether it
    passed. A failed acceptance stays on record beside the one that later passes."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="acceptances"
    )
    held_on = models.DateField(_("验收日期"))
    # Names and roles as written on the acceptance sheet: not everyone present has an account.
    participants = models.CharField(_("验收人员"), max_length=300)
    opinion = models.TextField(_("验收意见"))
    passed = models.BooleanField(_("验收合格"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.held_on}"


class AcceptancePhoto(Photo):
    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="photos")


class TenderStatus(models.TextChoices):
    OPEN = "open", _("接受投标")
    PUBLISHED = "published", _("投标公示中")
    AWARDED = "awarded", _("已定标")


class Tender(models.Model):
    """A public tender (公开招标) for the work a topic decided."""

    uid = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=new_uid, editable=False
    )
    topic = models.ForeignKey(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="tenders"
    )
    title = models.CharField(_("招标项目"), max_length=120)
    requirements = models.TextField(_("招标要求"))
    deadline = models.DateTimeField(_("投标截止时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TenderStatus.choices, default=TenderStatus.OPEN
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    awarded_bid = models.ForeignKey(
        "works.Bid",
        verbose_name=_("中标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    award_reason = models.TextField(_("定标理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("招标")
        verbose_name_plural = _("招标")
        ordering = ["-created_at"]
        constraints = [
            # An award names its bid and says why; the services keep the two together.
            models.CheckConstraint(
                condition=~models.Q(status="awarded")
                | (models.Q(awarded_bid__isnull=False) & ~models.Q(award_reason="")),
                name="tender_award_has_bid_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    vendor = models.CharField(_("投标单位"), max_length=100)
    price = models.DecimalField(_("报价（元）"), max_digits=12, decimal_places=2)
    product = models.CharField(_("产品型号"), max_length=120, blank=True)
    qualifications = models.TextField(_("资质"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        ordering = ["price", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "vendor"], name="bid_once_per_vendor"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.price}"


class BidDocument(Photo):
    """A photo of a bid's papers: the quotation, a licence, a qualification certificate."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")


class BidComment(models.Model):
    """A resident's comment on the published bids, before the award."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("意见"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.at:%Y-%m-%d}"


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, exactly (no floats)."""
    return f"{fen // 100}.{fen % 100:02d}"


class FundingSource(models.TextChoices):
    MAINTENANCE_FUND = "maintenance_fund", _("公共维修基金")
    RESIDENTS = "residents", _("居民自筹")
    PROPERTY_SUBSIDY = "property_subsidy", _("物业补贴")
    GOVERNMENT = "government", _("政府资金")
    DONATION = "donation", _("共建单位捐赠")


class ShareMode(models.TextChoices):
    AREA = "area", _("按面积分摊")
    EQUAL = "equal", _("按户平均分摊")


class FundingPlan(models.Model):
    """Who pays what for a topic's work; amounts in fen (1 yuan = 100 fen), exact."""

    topic = models.OneToOneField(
        "topics.Topic", verbose_name=_("议题"), on_delete=models.PROTECT, related_name="funding"
    )
    total_fen = models.PositiveBigIntegerField(_("总费用（分）"))
    scope = models.ForeignKey(
        "places.Place", verbose_name=_("分摊范围"), on_delete=models.PROTECT, related_name="+"
    )
    share_mode = models.CharField(_("分摊方式"), max_length=10, choices=ShareMode.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("资金方案")
        verbose_name_plural = _("资金方案")

    def __str__(self) -> str:
        return f"{self.topic_id} {self.total_fen}"

    @property
    def total_yuan(self) -> str:
        return yuan(self.total_fen)


class FundingLine(models.Model):
    plan = models.ForeignKey(FundingPlan, on_delete=models.CASCADE, related_name="lines")
    source = models.CharField(_("资金来源"), max_length=20, choices=FundingSource.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="funding_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.amount_fen}"

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("未缴")
    PAID = "paid", _("已缴")
    EXEMPT = "exempt", _("减免")


class HomeShare(models.Model):
    """A home's part of the residents' own contribution, and whether it is paid."""

    plan = models.ForeignKey(FundingPlan, on_delete=models.CASCADE, related_name="shares")
    home = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.PositiveBigIntegerField(_("应缴（分）"))
    status = models.CharField(
        _("缴费状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    exempt_reason = models.CharField(_("减免理由"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["home__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "home"], name="home_share_once"),
            models.CheckConstraint(
                condition=~models.Q(status="exempt") | ~models.Q(exempt_reason=""),
                name="home_share_exempt_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home_id} {self.amount_fen}"

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)
