"""Shapes of input for channels, notices and objections; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.disclosure.models import MAX_PERIOD_DAYS, ChannelKind


class ChannelForm(forms.Form):
    place = forms.ChoiceField(label=_("地点"))
    kind = forms.ChoiceField(label=_("类型"), choices=ChannelKind.choices)
    name = forms.CharField(
        label=_("名称"), max_length=80, help_text=_("例如：上河园3号楼公示栏、上河园业主群")
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class SubjectForm(forms.Form):
    subject = forms.ChoiceField(label=_("公开事项"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]


class FreeNoticeForm(forms.Form):
    place = forms.ChoiceField(label=_("地点"))
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class NoticeForm(forms.Form):
    """The draft as it will be published, and where to."""

    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("发布时，手机号、身份证号和本小区人员的姓名会自动隐去部分字符。"),
    )
    period_days = forms.IntegerField(
        label=_("公示期（天）"), min_value=1, max_value=MAX_PERIOD_DAYS
    )
    channels = forms.MultipleChoiceField(
        label=_("公开渠道"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = channels  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=300)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("您的异议"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ObjectionRecordForm(forms.Form):
    author_name = forms.CharField(label=_("提出人"), max_length=40)
    text = forms.CharField(
        label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
