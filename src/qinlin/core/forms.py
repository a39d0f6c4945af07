"""Form parts shared by several pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = {"type": "date"}
BAD_DATE = _("请填写有效的日期（年-月-日），例如 2026-01-31。")


class PeriodForm(forms.Form):
    """A period of local days, both included (GET `from` and `to`); either may be left out,
    but `from` may not come after `to`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so the fields are named here rather than declared.
        for name, label in (("from", _("从")), ("to", _("到"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                error_messages={"invalid": BAD_DATE},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("from")
        end: date | None = cleaned.get("to")
        if start is not None and end is not None and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"), code="bad_period")
        return cleaned
