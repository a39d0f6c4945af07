"""The dashboard's choice of place and period (GET `place`, `from`, `to`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.forms import PeriodForm as CorePeriodForm
from qinlin.places.models import Place

# A dashboard over decades would be a different report; this also bounds the year shortcuts.
FIRST_YEAR = 2000


class PeriodForm(CorePeriodForm):
    """The period: `from` and `to`, local days, both included; both or neither."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start: date | None = cleaned.get("from")
        end: date | None = cleaned.get("to")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError(_("请同时填写开始日期和结束日期。"), code="half_period")
        outside = (
            start is not None
            and end is not None
            and (start.year < FIRST_YEAR or end.year > timezone.localdate().year + 1)
        )
        if outside:
            raise forms.ValidationError(
                _("统计期间须在 %(first)s 年至明年之间。") % {"first": FIRST_YEAR},
                code="period_out_of_range",
            )
        return cleaned


class PlacePeriodForm(PeriodForm):
    """The period and one of the places the person may see."""

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.ChoiceField(
            label=_("地点"),
            required=False,
            choices=[(p.uid, f"{p.get_kind_display()} · {p.name}") for p in places],
            error_messages={"invalid_choice": _("您无权查看这个地点的数据，或地点不存在。")},
        )
        self.order_fields(["place", "from", "to"])
