"""Shapes of input for the request-for-disclosure pages (依申请公开); the services enforce the
rules, so a required text left empty is refused by the service, in the service's words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class RequestFileForm(forms.Form):
    # A plain text field under a select: which places a resident may ask about is a rule of
    # the service (a tampered value is refused there with a 403), not a shape of the input.
    place = forms.CharField(
        label=_("关于哪里"),
        max_length=16,
        widget=forms.Select,
        help_text=_("您家所在的小区，或更具体的楼栋、单元。"),
    )
    text = forms.CharField(
        label=_("希望公开什么"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": _("例如：请公开小区停车费去年的收入和支出明细。"),
            }
        ),
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.choices = places
        if places:
            self.fields["place"].initial = places[0][0]


class RequestAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("承办人"))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("请选择承办人")), *people]  # type: ignore[attr-defined]


class RequestAnswerForm(forms.Form):
    title = forms.CharField(label=_("标题"), required=False, max_length=120)
    body = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class RequestRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不予公开的理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("理由会告知申请人，请写明依据。"),
    )
