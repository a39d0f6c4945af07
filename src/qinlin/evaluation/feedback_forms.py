"""Shapes of input for the feedback pages: the list's filters and period, and what is done
with one item. The services enforce the rules, so an empty answer is refused in the
service's words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.models import Category
from qinlin.core.forms import PeriodForm
from qinlin.evaluation.models import FeedbackSource, FeedbackStatus


class FeedbackFilterForm(forms.Form):
    """Filters of the list (GET). A bad value is reported beside its field and ignored."""

    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *FeedbackStatus.choices],
        error_messages={"invalid_choice": _("没有“%(value)s”这个状态，已显示全部状态。")},
    )
    source = forms.ChoiceField(
        label=_("来源"),
        required=False,
        choices=[("", _("全部")), *FeedbackSource.choices],
        error_messages={"invalid_choice": _("没有“%(value)s”这个来源，已显示全部来源。")},
    )


class FeedbackPeriodForm(PeriodForm):
    """The period the figures count, by the day an item was raised (GET `from` and `to`)."""


class FeedbackAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("处理人"))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("请选择处理人")), *people]  # type: ignore[attr-defined]


class FeedbackAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("处理情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做了什么、结果如何。居民也能看到这段话，请勿写入电话等个人信息。"),
    )
    resolved = forms.BooleanField(label=_("问题已解决（办结）"), required=False)


class FeedbackAppealForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("诉求类别"),
        queryset=Category.objects.none(),
        empty_label=_("请选择类别"),
        error_messages={"required": _("请选择诉求类别。")},
    )

    def __init__(self, *args: Any, categories: QuerySet[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
