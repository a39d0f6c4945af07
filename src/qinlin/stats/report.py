"""The annual report of a place: the dashboard's figures for one calendar year, as sections
of lines that a printable page and an xlsx workbook (one sheet per section) both render, for
the subdistrict's year-end summary."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qinlin.core.xlsx import cell
from qinlin.stats.figures import Figure, Median, Rate, Stats

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Line:
    label: str
    value: int | Decimal | str
    note: str = ""
    indent: bool = False  # a part of the line above (by channel, by category, …)


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]


def _figure(figure: Figure, *, indent: bool = False) -> Line:
    return Line(figure.label, figure.count, indent=indent)


def _parts(figures: list[Figure]) -> list[Line]:
    return [_figure(f, indent=True) for f in figures if f.count]


def _rate(rate: Rate) -> Line:
    return Line(rate.label, rate.percent, rate.parts)


def _median(median: Median) -> Line:
    days = median.days if median.days is not None else "—"
    return Line(median.label, days, _("%(n)s 个议题") % {"n": median.count})


def report_sections(stats: Stats) -> list[Section]:
    o, a, ap, t = stats.organisation, stats.activities, stats.appeals, stats.topics
    m, v, d, e = stats.meetings, stats.votes, stats.disclosure, stats.evaluation
    return [
        Section(
            pgettext("report", "组织"),
            [
                _figure(o.compounds),
                _figure(o.branches),
                _figure(o.branches_single, indent=True),
                _figure(o.branches_joint, indent=True),
                _figure(o.members),
            ],
        ),
        Section(pgettext("report", "活动"), [_figure(a.held), _figure(a.participants)]),
        Section(
            pgettext("report", "诉求"),
            [
                _figure(ap.received),
                Line(_("按渠道"), ""),
                *_parts(ap.by_channel),
                Line(_("按类别"), ""),
                *_parts(ap.by_category),
            ],
        ),
        Section(
            pgettext("report", "议题"),
            [
                _figure(t.created),
                *_parts(t.created_by_stage),
                _figure(t.resolved),
                *_parts(t.resolved_by_category),
                _figure(t.open_now),
            ],
        ),
        Section(pgettext("report", "议事会议"), [_figure(m.held), *_parts(m.by_kind)]),
        Section(
            pgettext("report", "业主表决"),
            [_figure(v.held), _rate(v.participation), _rate(v.area_participation)],
        ),
        Section(
            pgettext("report", "公开"),
            [
                _figure(d.channels),
                _figure(d.new_channels),
                _figure(d.notices),
                _figure(d.proactive, indent=True),
                _figure(d.on_request, indent=True),
                _figure(d.requests_received),
                _figure(d.requests_closed),
                _figure(d.requests_on_time),
                _rate(d.on_time_rate),
            ],
        ),
        Section(
            pgettext("report", "测评"),
            [
                _figure(e.surveys),
                _rate(e.satisfaction_rate),
                _rate(e.response_rate),
                _figure(e.campaigns),
                Line(_("问卷答卷"), e.campaign_responses),
                _figure(e.feedback),
                _figure(e.feedback_closed),
                _rate(e.resolution_rate),
            ],
        ),
        Section(
            pgettext("report", "时效"),
            [_median(stats.timing.to_decision), _median(stats.timing.to_closing)],
        ),
    ]


def report_title(stats: Stats) -> str:
    return _("%(place)s %(year)s 年亲邻议事工作数据") % {
        "place": stats.place.name,
        "year": stats.period.start.year,
    }


def report_xlsx(stats: Stats) -> bytes:
    """One sheet per section: the title and period, then label, figure and note columns."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    period = _("统计期间：%(start)s 至 %(end)s") % {
        "start": stats.period.start.isoformat(),
        "end": stats.period.end.isoformat(),
    }
    for section in report_sections(stats):
        sheet = book.create_sheet(section.title[:31])
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 14
        sheet.column_dimensions["C"].width = 18
        sheet.append([cell(sheet, report_title(stats), strong=True)])
        sheet.append([cell(sheet, period)])
        sheet.append([])
        sheet.append([cell(sheet, h, strong=True) for h in (section.title, _("数值"), _("说明"))])
        for line in section.lines:
            label = ("    " if line.indent else "") + line.label
            sheet.append(
                [cell(sheet, label, strong=line.value == ""), cell(sheet, line.value), line.note]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
