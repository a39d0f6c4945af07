"""The audit log: append-only events chained by SHA-256 hash (see core/audit.py)."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("动作"), max_length=100)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    place_path = models.CharField(_("地点路径"), max_length=64, blank=True)
    data = models.JSONField(_("数据"), default=dict)
    # A hash can be the predecessor of one event only: two concurrent appends cannot fork.
    prev_hash = models.CharField(_("前一事件摘要"), max_length=64, unique=True)
    hash = models.CharField(_("摘要"), max_length=64, unique=True)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        indexes = [
            # The history of one object (timelines, "who saw this phone number").
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # Events under a place, newest first, for the staff audit view.
            models.Index(fields=["place_path", "id"], name="audit_place"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")
