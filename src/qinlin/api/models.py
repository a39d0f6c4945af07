"""API tokens for integrations (a hotline system, a city platform)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属人员"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text=_("接口以此人的角色和权限访问数据。"),
    )
    name = models.CharField(_("用途"), max_length=100)
    # Only the SHA-256 of the token is stored; the token itself is shown once at creation.
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
