"""Shapes of input for tasks and progress reports; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.forms import MultipleFileInput, PhotosField
from qinlin.people.models import Person
from qinlin.works.models import TaskStatus


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
