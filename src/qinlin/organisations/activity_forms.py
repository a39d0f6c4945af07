"""Shapes of input for announcing an activity; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.forms import MultipleFileInput, PhotosField
from qinlin.organisations.models import ActivityKind

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.Form):
    place = forms.ChoiceField(label=_("面向"))
    title = forms.CharField(label=_("活动名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    organiser = forms.CharField(label=_("主办"), max_length=100)
    partners = forms.MultipleChoiceField(
        label=_("共建单位"), required=False, widget=forms.CheckboxSelectMultiple
    )
    location = forms.CharField(label=_("地点"), max_length=120)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=MOMENT)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=MOMENT)
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    volunteer_hours = forms.DecimalField(
        label=_("志愿服务时长（小时，选填）"),
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("志愿服务类活动：签到的人各记这么多小时。"),
    )
    description = forms.CharField(
        label=_("活动介绍"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(
        label=_("照片（选填）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(
        self,
        *args: Any,
        places: list[tuple[str, str]],
        partners: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]
        self.fields["partners"].choices = partners  # type: ignore[attr-defined]
