"""Shapes of input for tasks and progress reports; the services enforce the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.forms import MultipleFileInput, PhotosField
from qinlin.people.models import Person
from qinlin.works.models import FundingSource, ShareMode, TaskStatus


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=120)
    responsible: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("负责人"), queryset=Person.objects.none()
    )
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "task"
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("进展"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    photos = PhotosField(
        label=_("照片（选填）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )


class FundingForm(forms.Form):
    """Amounts in yuan with two decimals; the service works in fen."""

    total = forms.DecimalField(
        label=_("总费用（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    scope = forms.ChoiceField(label=_("分摊范围"))
    share_mode = forms.ChoiceField(label=_("分摊方式"), choices=ShareMode.choices)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs["prefix"] = "funding"
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]
        for source, label in FundingSource.choices:
            self.fields[f"line_{source}"] = forms.DecimalField(
                label=label, required=False, min_value=0, max_digits=12, decimal_places=2
            )

    def lines_fen(self) -> dict[str, int]:
        return {
            source: int(self.cleaned_data[f"line_{source}"] * 100)
            for source in FundingSource.values
            if self.cleaned_data.get(f"line_{source}")
        }


class TenderForm(forms.Form):
    title = forms.CharField(label=_("招标项目"), max_length=120)
    requirements = forms.CharField(
        label=_("招标要求"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("数量、规格、质保、工期、投标单位的资质要求等。"),
    )
    deadline = forms.DateTimeField(
        label=_("投标截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "tender"
        super().__init__(*args, **kwargs)


class BidForm(forms.Form):
    vendor = forms.CharField(label=_("投标单位"), max_length=100)
    price = forms.DecimalField(
        label=_("报价（元）"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    product = forms.CharField(label=_("产品型号"), max_length=120, required=False)
    qualifications = forms.CharField(
        label=_("资质"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    documents = PhotosField(
        label=_("投标文件照片（报价单、营业执照、资质证书，选填）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "bid"
        super().__init__(*args, **kwargs)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("您的意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AwardForm(forms.Form):
    bid = forms.TypedChoiceField(label=_("中标单位"), coerce=int)
    reason = forms.CharField(
        label=_("定标理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不一定选最低价：质量、质保和居民意见都可以是理由。"),
    )

    def __init__(self, *args: Any, bids: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs["prefix"] = "award"
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = bids  # type: ignore[attr-defined]


class AcceptanceForm(forms.Form):
    held_on = forms.DateField(
        label=_("验收日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    participants = forms.CharField(
        label=_("验收人员"),
        max_length=300,
        help_text=_("例如：业委会主任 王建国、居民代表 李秀英、物业项目经理 陈强"),
    )
    opinion = forms.CharField(
        label=_("验收意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    passed = forms.TypedChoiceField(
        label=_("验收结论"),
        choices=[("yes", _("合格，进入测评")), ("no", _("不合格，整改后再验收"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    photos = PhotosField(
        label=_("现场照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("验收合格须至少一张。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "acceptance"
        super().__init__(*args, **kwargs)
