"""Shapes of input for tasks and progress reports; the services enforce the rules."""

from __future__ import annotations

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
