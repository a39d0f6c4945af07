"""Shapes of input for the vote pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinlin.votes.models import ITEMS
from qinlin.votes.rules import Choice

CHOICE_LABELS = [
    (Choice.AGREE.value, _("同意")),
    (Choice.DISAGREE.value, _("不同意")),
    (Choice.ABSTAIN.value, _("弃权")),
]


class VoteForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("表决范围"), help_text=_("例如单元门维修只由本单元业主表决。")
    )
    closes_at = forms.DateTimeField(
        label=_("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    secret = forms.BooleanField(label=_("无记名表决（任何人都看不到每户的选择）"), required=False)
    changeable = forms.BooleanField(label=_("截止前允许改票"), required=False, initial=True)

    def __init__(
        self, *args: Any, scopes: list[tuple[str, str]], options: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]
        self.option_fields = []
        for key, label in options:
            name = f"item_{key}"
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("不付诸表决")), *ITEMS],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_(
                    "第六至八项须经参与表决面积和人数各四分之三以上同意，其他事项须过半数同意。"
                ),
            )
            self.option_fields.append(name)

    def items(self) -> dict[str, int]:
        """Option key -> Art. 278 item, for the options put to the vote."""
        return {
            name.removeprefix("item_"): self.cleaned_data[name]
            for name in self.option_fields
            if self.cleaned_data.get(name)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in self.option_fields):
            raise forms.ValidationError(_("请至少为一个方案选择表决事项。"))
        return data


class BallotForm(forms.Form):
    """One home's ballot: a choice per option, and for paper ballots their number or proxy."""

    paper_no = forms.CharField(label=_("纸质票编号"), required=False, max_length=40)
    proxy_name = forms.CharField(label=_("受托人（书面委托时填写）"), required=False, max_length=50)

    def __init__(self, *args: Any, letters: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for letter in letters:
            self.fields[f"option_{letter}"] = forms.ChoiceField(
                label=_("方案 %(letter)s") % {"letter": letter},
                choices=CHOICE_LABELS,
                widget=forms.RadioSelect,
                required=False,
            )
        self.letters = letters

    def choices(self) -> dict[str, str]:
        return {letter: self.cleaned_data.get(f"option_{letter}") or "" for letter in self.letters}

    def problems(self) -> list[str]:
        """Every error, each naming its field: the door-to-door row has no field of its own
        to show them beside."""
        return [
            str(error) if name == "__all__" else f"{self.fields[name].label}：{error}"
            for name, errors in self.errors.items()
            for error in errors
        ]
