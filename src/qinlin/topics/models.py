"""Topics (议题): public matters formed from residents' appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid
from qinlin.topics.states import Stage


class Topic(models.Model):
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at"]
        indexes = [
            # Open topics at a place (the similar-matter finder, the board).
            models.Index(fields=["place", "stage"], name="topic_place_stage"),
        ]

    def __str__(self) -> str:
        return self.title
