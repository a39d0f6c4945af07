"""Shapes of input for survey campaigns; the services in campaigns.py enforce the rules.

The questionnaire itself is not a Django form: its inputs are drawn by the template from the
questions, the raw values go to `campaign_respond`, and the one error it raises names each
bad answer — so the checks live in one place and the messages sit next to their questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from qinlin.evaluation.campaigns import MAX_OPTIONS, MAX_TEXT_ANSWER
from qinlin.evaluation.models import Question, QuestionKind, ServiceDomain

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    place = forms.ChoiceField(label=_("调查范围"))
    title = forms.CharField(
        label=_("问卷标题"), max_length=120, help_text=_("例如：居家养老服务满意度调查")
    )
    domain = forms.ChoiceField(label=_("服务领域"), choices=ServiceDomain.choices)
    organiser = forms.CharField(label=_("调查机构"), max_length=100)
    intro = forms.CharField(
        label=_("说明（选填）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("显示在问卷开头：调查目的、大约用时、答卷如何使用。"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=_DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=_DATE)

    def __init__(self, *args: Any, places: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is None:
            # Editing a draft: the place stays what it was.
            del self.fields["place"]
        else:
            self.fields["place"].choices = places  # type: ignore[attr-defined]


class OptionsField(forms.CharField):
    """Options typed one per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value: Any) -> list[str]:
        text: str = super().clean(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=300)
    options = OptionsField(
        label=_("选项"),
        required=False,
        max_length=MAX_OPTIONS * 100,
        help_text=_("单选题、多选题：每行写一个选项，2 至 10 个。评分题和文字题不填。"),
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)

    @classmethod
    def for_question(cls, question: Question, data: QueryDict | None = None) -> QuestionForm:
        return cls(
            data,
            prefix=f"q{question.pk}",
            initial={
                "kind": question.kind,
                "text": question.text,
                "options": question.options,
                "required": question.required,
            },
        )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("要处理的问题"),
        max_length=MAX_TEXT_ANSWER,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("可以改写：去掉姓名、门牌等个人信息，写清楚问题。"),
    )


@dataclass
class Item:
    """One question of the questionnaire as the page draws it: what was chosen or typed
    (kept when the answers are refused) and what is wrong with it."""

    question: Question
    name: str
    chosen: list[str] = field(default_factory=list)
    typed: str = ""
    problem: str = ""

    @property
    def kind(self) -> str:
        return self.question.kind


def answers_from_post(questions: Sequence[Question], data: QueryDict) -> dict[int, object]:
    """The raw answer to each question from a submitted questionnaire (inputs `q<id>`)."""
    answers: dict[int, object] = {}
    for question in questions:
        name = f"q{question.pk}"
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.pk] = data.getlist(name)
        else:
            answers[question.pk] = data.get(name, "")
    return answers


def questionnaire(
    questions: Sequence[Question],
    data: QueryDict | None = None,
    problems: Mapping[int, str] | None = None,
) -> list[Item]:
    problems = problems or {}
    items = []
    for question in questions:
        name = f"q{question.pk}"
        chosen = data.getlist(name) if data is not None else []
        typed = data.get(name, "") if data is not None else ""
        items.append(
            Item(
                question=question,
                name=name,
                chosen=chosen,
                typed=typed if question.kind == QuestionKind.TEXT else "",
                problem=problems.get(question.pk, ""),
            )
        )
    return items
