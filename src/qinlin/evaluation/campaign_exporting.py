"""A campaign's results as an xlsx workbook, for the report the third-party body writes.

Two sheets, each opening with the campaign's title and period: 汇总 (per question: the count
and share of each option or score, the mean score, how many answered) and 答卷 (one row per
response, one column per question, no names — what the body needs to cross-tabulate).
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.xlsx import cell
from qinlin.evaluation.campaigns import ACTION, CampaignResults, campaign_results
from qinlin.evaluation.models import Answer, Campaign, CampaignResponse, Question, QuestionKind
from qinlin.people.models import Person

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(campaign: Campaign) -> str:
    return _("调查时间：%(start)s 至 %(end)s") % {
        "start": campaign.starts_on.isoformat(),
        "end": campaign.ends_on.isoformat(),
    }


def campaign_export_xlsx(*, actor: Person, campaign: Campaign) -> bytes:
    """The workbook; those who run the campaign download it, and each download is audited."""
    if not can(actor, ACTION, campaign.place):
        raise ForbiddenError()
    results = campaign_results(campaign)
    data = _workbook(campaign, results)
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="evaluation.campaign.exported",
            obj=campaign,
            data={"responses": results.responses},
        )
    return data


def _workbook(campaign: Campaign, results: CampaignResults) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _summary(book.create_sheet(_("汇总")), campaign, results)
    _responses(book.create_sheet(_("答卷")), campaign, [r.question for r in results.questions])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet: Any, campaign: Campaign, results: CampaignResults) -> None:
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 12
    sheet.append([cell(sheet, campaign.title, strong=True)])
    sheet.append([_period(campaign)])
    sheet.append(
        [
            cell(
                sheet,
                _("调查机构：%(organiser)s；调查范围：%(place)s")
                % {"organiser": campaign.organiser, "place": campaign.place.name},
            )
        ]
    )
    sheet.append(
        [
            _("答卷 %(n)s 份（网上填写 %(online)s 份，入户代录 %(door)s 份）")
            % {"n": results.responses, "online": results.online, "door": results.door}
        ]
    )
    for result in results.questions:
        question = result.question
        sheet.append([])
        sheet.append(
            [
                cell(sheet, f"{question.position}. {question.text}", strong=True),
                _("%(kind)s · 作答 %(n)s 人")
                % {"kind": question.get_kind_display(), "n": result.answered},
            ]
        )
        if question.kind == QuestionKind.TEXT:
            sheet.append([_("文字回答见“答卷”表。")])
            continue
        header = _("分值") if question.kind == QuestionKind.RATING else _("选项")
        sheet.append(
            [
                cell(sheet, header, strong=True),
                cell(sheet, _("人数"), strong=True),
                cell(sheet, _("比例（%）"), strong=True),
            ]
        )
        for bar in result.bars:
            sheet.append(
                [cell(sheet, bar.label), bar.count, cell(sheet, float(bar.share), fmt="0.0")]
            )
        if question.kind == QuestionKind.RATING:
            mean = float(result.mean) if result.mean is not None else None
            sheet.append([cell(sheet, _("平均分"), strong=True), cell(sheet, mean, fmt="0.0")])


def _responses(sheet: Any, campaign: Campaign, questions: list[Question]) -> None:
    """One row per response (no names), one column per question, in the order answered."""
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 17
    sheet.column_dimensions["C"].width = 10
    sheet.freeze_panes = "D5"
    sheet.append([cell(sheet, campaign.title, strong=True)])
    sheet.append([_period(campaign)])
    sheet.append([])
    sheet.append(
        [
            cell(sheet, _("序号"), strong=True),
            cell(sheet, _("填写时间"), strong=True),
            cell(sheet, _("方式"), strong=True),
            *(cell(sheet, f"{q.position}. {q.text}", strong=True) for q in questions),
        ]
    )
    values: dict[int, dict[int, Any]] = defaultdict(dict)
    answers = Answer.objects.filter(response__campaign=campaign).values_list(
        "response_id", "question_id", "value"
    )
    for response_id, question_id, value in answers.iterator(chunk_size=2000):
        values[response_id][question_id] = value
    responses = (
        CampaignResponse.objects.filter(campaign=campaign)
        .order_by("at", "id")
        .values_list("id", "at", "respondent_id")
    )
    online, door = _("网上填写"), _("入户代录")
    for number, (pk, at, respondent_id) in enumerate(responses.iterator(chunk_size=2000), 1):
        local: datetime = timezone.localtime(at).replace(tzinfo=None, microsecond=0)
        row = [
            number,
            cell(sheet, local, fmt="yyyy-mm-dd hh:mm"),
            door if respondent_id is None else online,
        ]
        for question in questions:
            value = values[pk].get(question.pk)
            if isinstance(value, list):
                value = "、".join(str(v) for v in value)
            row.append(cell(sheet, value) if value is not None else None)
        sheet.append(row)
