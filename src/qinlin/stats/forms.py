"""The dashboard's choice of place and period (GET `place`, `from`, `to`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinlin.core.errors import DomainError
from qinlin.core.forms import PeriodForm as CorePeriodForm
from qinlin.places.models import Place
from qinlin.stats.selectors import Period

# A dashboard over decades would be a different report; this also bounds the year shortcuts.
FIRST_YEAR = 2000


def period_between(start: date | None, end: date | None) -> Period:
    """The period asked for (this calendar year when neither day is given), or the
    DomainError saying what is wrong with it: the dashboard's form and the API share it."""
    if start is None and end is None:
        return Period.year(timezone.localdate().year)
    if start is None or end is None:
        raise DomainError(_("请同时填写开始日期和结束日期。"), code="half_period", field="from")
    if start > end:
        raise DomainError(_("开始日期不能晚于结束日期。"), code="bad_period", field="from")
    if start.year < FIRST_YEAR or end.year > timezone.localdate().year + 1:
        raise DomainError(
            _("统计期间须在 %(first)s 年至明年之间。") % {"first": FIRST_YEAR},
            code="period_out_of_range",
            field="from",
        )
    return Period(start, end)


class PeriodForm(CorePeriodForm):
    """The period: `from` and `to`, local days, both included; both or neither."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                period_between(cleaned.get("from"), cleaned.get("to"))
            except DomainError as error:
                raise forms.ValidationError(str(error), code=error.code) from None
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
