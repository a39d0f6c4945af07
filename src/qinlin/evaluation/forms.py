"""Shapes of input for audits and satisfaction surveys; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.forms import MultipleFileInput, PhotosField
from qinlin.evaluation.models import DEFAULT_SATISFIED, Level, Verdict

DATE = {"type": "date"}


class AuditForm(forms.Form):
    held_on = forms.DateField(
        label=_("评估日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    panel = forms.CharField(
        label=_("评估组成员"),
        max_length=300,
        help_text=_("例如：党员代表 宋淑珍、居民代表 罗凤英、第三方机构 吴海燕"),
    )
    findings = forms.CharField(
        label=_("评估意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(label=_("结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    problems = forms.CharField(
        label=_("发现的问题（每行一条，选填）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每条问题都会作为反馈问题跟踪到解决。"),
    )
    documents = PhotosField(
        label=_("评估材料照片（选填）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "audit"
        super().__init__(*args, **kwargs)


class SurveyForm(forms.Form):
    scope = forms.ChoiceField(label=_("测评范围"))
    closes_on = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    min_rate = forms.IntegerField(
        label=_("最低参与率（%）"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("参与户数达到这一比例，议题才能办结。"),
    )
    satisfied_levels = forms.MultipleChoiceField(
        label=_("计入满意率的等级"),
        choices=Level.choices,
        initial=list(DEFAULT_SATISFIED),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs["prefix"] = "survey"
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]


class ResponseForm(forms.Form):
    level = forms.ChoiceField(
        label=_("您对这件事的办理满意吗？"), choices=Level.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见建议（选填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
