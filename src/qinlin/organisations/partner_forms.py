"""Shapes of input for partner units and their resources; partners.py enforces the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.organisations.models import PartnerKind, ResourceKind

Choices = list[tuple[str, Any]]


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=PartnerKind.choices)
    profile = forms.CharField(
        label=_("简介"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("手机号或座机号，例如 13800138000、0536-8123456"),
    )


class PartnerNewForm(PartnerForm):
    community = forms.ChoiceField(label=_("共建社区"))

    field_order = ["community", "name", "kind"]

    def __init__(self, *args: Any, communities: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities  # type: ignore[attr-defined]


class PartnerEditForm(PartnerForm):
    active = forms.BooleanField(label=_("在册"), required=False)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("资源类型"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("资源"), max_length=100)
    description = forms.CharField(
        label=_("说明"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    availability = forms.CharField(
        label=_("可提供时间"),
        max_length=100,
        required=False,
        help_text=_("例如：每月第二个周六上午"),
    )


class ResourceEditForm(ResourceForm):
    active = forms.BooleanField(label=_("可提供"), required=False)


class LinkForm(forms.Form):
    resource = forms.ChoiceField(label=_("资源"))
    target = forms.ChoiceField(
        label=_("用于"), help_text=_("本社区最近的议题、诉求和即将举办的活动")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, resources: Choices, targets: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resources  # type: ignore[attr-defined]
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
