"""Shapes of input for the topic and meeting pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.models import Category
from qinlin.people.models import Person
from qinlin.topics.models import Capacity, MeetingKind
from qinlin.topics.requirements import OPTION_NEEDS, TEXT_NEEDS
from qinlin.topics.states import Need, Stage, Transition
from qinlin.votes.rules import MeetingRule

TEXTAREA_NEEDS = (Need.FINDINGS, Need.NOTICE_DRAFT, Need.EVALUATION, Need.TALLY)


class BoardFilterForm(forms.Form):
    place = forms.ChoiceField(label=_("网格"), required=False)
    stage = forms.ChoiceField(
        label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices]
    )
    category = forms.ModelChoiceField(
        label=_("类别"), required=False, queryset=Category.objects.all(), empty_label=_("全部类别")
    )
    q = forms.CharField(label=_("标题含"), required=False, max_length=50)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class AdvanceForm(forms.Form):
    """The inputs of one transition: its text needs, and the option where a decision is taken."""

    def __init__(
        self, *args: Any, step: Transition, options: Any, people: Any, **kwargs: Any
    ) -> None:
        kwargs["prefix"] = f"to-{step.target}"
        super().__init__(*args, **kwargs)
        self.step = step
        for need in step.needs:
            if need in OPTION_NEEDS and "option" not in self.fields:
                self.fields["option"] = forms.ModelChoiceField(
                    label=_("决定采用的方案"), queryset=options, required=False
                )
            if need in TEXT_NEEDS:
                widget = (
                    forms.Textarea(attrs={"rows": 3}) if need in TEXTAREA_NEEDS else forms.TextInput
                )
                # Not required here: the service names everything missing in one message.
                self.fields[need.value] = forms.CharField(
                    label=capfirst(need.label), max_length=4000, widget=widget, required=False
                )
            if need == Need.RESPONSIBLE:
                self.fields["responsible"] = forms.ModelMultipleChoiceField(
                    label=_("负责人"),
                    queryset=people,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
        if not step.needs:
            self.fields["note"] = forms.CharField(
                label=_("说明（选填，公开）"), required=False, max_length=4000
            )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("议题标题"), max_length=120)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(is_active=True), empty_label=None
    )


class NewTopicForm(TopicForm):
    place = forms.ChoiceField(label=_("所属网格"))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


class OptionForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=120)
    description = forms.CharField(
        label=_("方案内容"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    estimated_cost = forms.DecimalField(
        label=_("预计费用（元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    funding = forms.CharField(
        label=_("资金来源设想"),
        required=False,
        max_length=200,
        help_text=_("例如：公共维修基金；居民自筹 + 物业补贴"),
    )


class ResponsibleForm(forms.Form):
    people: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("负责人"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("会议时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(label=_("会议地点"), max_length=120, required=False)
    topics = forms.MultipleChoiceField(label=_("议程（议题）"), widget=forms.CheckboxSelectMultiple)
    people = forms.MultipleChoiceField(
        label=_("邀请参会人员"), required=False, widget=forms.CheckboxSelectMultiple
    )
    others = forms.CharField(
        label=_("其他参会人员"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("每行一人：姓名，身份\n例如：王建国，居民代表")}
        ),
        help_text=_(
            "身份可写：党员、居民代表、两代表一委员、法律顾问、利益相关方、第三方、物业公司、业委会、楼长、社区工作人员"
        ),
    )

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topics  # type: ignore[attr-defined]
        self.fields["people"].choices = people  # type: ignore[attr-defined]

    def clean_others(self) -> list[tuple[str, str]]:
        """ "Name，capacity" per line; the capacity is matched by its label in either language."""
        by_label = {str(label): value for value, label in Capacity.choices}
        by_label.update({value: value for value in Capacity.values})
        rows: list[tuple[str, str]] = []
        errors: list[str] = []
        for number, line in enumerate(self.cleaned_data["others"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",", 1)]
            capacity = by_label.get(parts[1]) if len(parts) == 2 else None
            if not parts[0] or capacity is None:
                errors.append(
                    str(_("第 %(n)s 行：请写成“姓名，身份”，身份从提示中选。")) % {"n": number}
                )
                continue
            rows.append((parts[0], capacity))
        if errors:
            raise forms.ValidationError(errors)
        return rows


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    capacity = forms.ChoiceField(label=_("身份"), choices=Capacity.choices)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"), max_length=16000, widget=forms.Textarea(attrs={"rows": 8})
    )


class ResolutionForm(forms.Form):
    option = forms.ChoiceField(label=_("方案"))
    rule = forms.ChoiceField(
        label=_("表决规则"),
        choices=[
            (MeetingRule.MAJORITY_OF_ATTENDEES.value, _("到会人员过半数同意")),
            (MeetingRule.MAJORITY_OF_CAST.value, _("表态票数过半数同意（弃权不计）")),
            (MeetingRule.TWO_THIRDS_OF_ATTENDEES.value, _("到会人员三分之二以上同意")),
        ],
    )
    agree = forms.IntegerField(label=_("同意"), min_value=0)
    disagree = forms.IntegerField(label=_("不同意"), min_value=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0, initial=0)

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = options  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=500)
