"""Party organisation (domain.md §1, mechanism 1): compound party branches and their members.

A branch is formed for one compound (单建) or jointly for several small ones (联建).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qinlin.core.ids import new_uid


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
