"""Server-rendered SVG bar charts: no script, prints well, reads on a phone.

`bar_chart` draws one horizontal bar per labelled count: the label and the figure on a line,
the bar under it. Widths are percentages of the chart's width, so the SVG fills whatever
column it is put in while its text keeps the page's size (a scaled viewBox would shrink the
text to nothing on a phone). Colours come from qinlin.css (`.chart-*`), with presentation
attributes as a fallback where the stylesheet is absent (a saved page, an e-mail).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

ROW_HEIGHT = 46
LABEL_BASELINE = 17
BAR_TOP = 24
BAR_HEIGHT = 14
# Longer labels are cut with "…" so they leave room for the figure on the same line; the
# whole label is in the bar's <title> and in the table or sheet beside the chart.
LABEL_CHARS = 16


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _percent(count: int, total: int) -> Decimal:
    if total <= 0:
        return Decimal("0.0")
    return (Decimal(count * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    total: int | None = None,
    title: str = "",
    highlight: int | None = None,
) -> SafeString:
    """An SVG with one bar per (label, count), in the given order.

    With `total`, each bar is the count's share of it and the figure reads "12 · 40.0%";
    without, bars are scaled to the largest count and the figure is the count alone.
    `highlight` (an index) draws that bar in the accent colour, e.g. the winning option.
    `title` is what a screen reader announces for the chart as a whole.
    """
    scale = total if total is not None else max((count for _label, count in items), default=0)
    rows = []
    for index, (label, count) in enumerate(items):
        share = _percent(count, scale)
        figure = (
            _("%(count)s · %(share)s%%") % {"count": count, "share": share}
            if total is not None
            else str(count)
        )
        top = index * ROW_HEIGHT
        rows.append(
            format_html(
                "<g><title>{tip}</title>"
                '<text class="chart-label" x="0" y="{baseline}">{short}</text>'
                '<text class="chart-figure" x="100%" y="{baseline}" text-anchor="end">'
                "{figure}</text>"
                '<rect class="chart-track" x="0" y="{bar}" width="100%" height="{height}" '
                'rx="3" fill="#eef1f4"/>'
                '<rect class="{css}" x="0" y="{bar}" width="{width}%" height="{height}" '
                'rx="3" fill="#b3261e"/></g>',
                tip=_("%(label)s：%(figure)s") % {"label": label, "figure": figure},
                figure=figure,
                baseline=top + LABEL_BASELINE,
                short=_short(label),
                bar=top + BAR_TOP,
                height=BAR_HEIGHT,
                css="chart-bar chart-bar-hi" if index == highlight else "chart-bar",
                width=min(share, Decimal(100)),
            )
        )
    body = format_html_join("\n", "{}", ((row,) for row in rows))
    height = max(len(items), 1) * ROW_HEIGHT
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="100%" height="{}" '
        'role="img" aria-label="{}">{}</svg>',
        height,
        title,
        body,
    )


COLUMN_AREA = 120  # the tallest column, in pixels
AXIS_GAP = 20  # room under the columns for the labels


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str = "",
) -> SafeString:
    """An SVG of grouped columns: one group per label (a month), one column per series
    (appeals, topics), scaled to the largest value; each column's figure sits on top of it.
    Horizontal positions are percentages, like `bar_chart`, so it fits a phone or a page."""
    peak = max((v for _name, values in series for v in values), default=0)
    group = Decimal(100) / max(len(labels), 1)
    width = (group * Decimal("0.8") / max(len(series), 1)).quantize(Decimal("0.01"))
    parts = []
    for index, label in enumerate(labels):
        left = group * index + group * Decimal("0.1")
        for number, (name, values) in enumerate(series):
            value = values[index] if index < len(values) else 0
            height = round(COLUMN_AREA * value / peak) if peak else 0
            x = (left + width * number).quantize(Decimal("0.01"))
            parts.append(
                format_html(
                    "<g><title>{tip}</title>"
                    '<rect class="chart-col chart-col-{n}" x="{x}%" y="{y}" width="{w}%" '
                    'height="{h}" fill="{fill}"/>'
                    '<text class="chart-figure chart-small" x="{mid}%" y="{ty}" '
                    'text-anchor="middle">{value}</text></g>',
                    tip=_("%(label)s %(name)s：%(value)s")
                    % {"label": label, "name": name, "value": value},
                    n=number,
                    x=x,
                    y=16 + COLUMN_AREA - height,
                    w=width,
                    h=height,
                    fill="#b3261e" if number == 0 else "#6e7781",
                    mid=(x + width / 2).quantize(Decimal("0.01")),
                    ty=12 + COLUMN_AREA - height,
                    value=value if value else "",
                )
            )
        parts.append(
            format_html(
                '<text class="chart-label chart-small" x="{}%" y="{}" text-anchor="middle">{}'
                "</text>",
                (group * index + group / 2).quantize(Decimal("0.01")),
                16 + COLUMN_AREA + AXIS_GAP - 4,
                label,
            )
        )
    body = format_html_join("\n", "{}", ((part,) for part in parts))
    return format_html(
        '<svg class="chart chart-columns" xmlns="http://www.w3.org/2000/svg" width="100%" '
        'height="{}" role="img" aria-label="{}">{}</svg>',
        16 + COLUMN_AREA + AXIS_GAP,
        title,
        body,
    )
