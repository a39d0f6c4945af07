"""The annual report: the year's figures as a printable page and an xlsx workbook."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.stats.figures import stats_for
from qinlin.stats.report import report_sections
from qinlin.stats.selectors import Period
from tests.stats.helpers import build


def _as_read(value: object) -> object:
    """What the sheet gives back: numbers as numbers, an empty cell as None."""
    if value == "":
        return None
    return float(value) if isinstance(value, Decimal) else value


def test_the_workbook_has_a_sheet_per_area_with_the_figures_of_the_page(
    client: Client, places: dict[str, Place], grace: Person
) -> None:
    build(places, grace)
    client.force_login(grace)
    url = reverse("stats:report-xlsx", args=[places["community"].uid, 2025])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sections = report_sections(stats_for(places["community"], Period.year(2025)))
    assert book.sheetnames == [s.title for s in sections]
    for section in sections:
        rows = list(book[section.title].iter_rows(min_row=5, values_only=True))
        assert [(str(r[0]).strip(), r[1]) for r in rows] == [
            (line.label, _as_read(line.value)) for line in section.lines
        ]
    first = next(book["组织"].iter_rows(max_row=2, values_only=True))
    assert "2025" in str(first[0])


def test_the_page_shows_every_line_and_the_charts(
    client: Client, places: dict[str, Place], grace: Person, django_assert_max_num_queries: Any
) -> None:
    build(places, grace)
    client.force_login(grace)
    url = reverse("stats:report", args=[places["compound_a"].uid, 2025])
    with django_assert_max_num_queries(45):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for section in report_sections(stats_for(places["compound_a"], Period.year(2025))):
        assert section.title in html
    assert html.count("<svg") >= 2


def test_a_resident_or_another_community_gets_no_report(
    client: Client, places: dict[str, Place], alice: Person, dave: Person
) -> None:
    client.force_login(alice)
    url = reverse("stats:report", args=[places["community"].uid, 2025])
    assert client.get(url).status_code == 403
    client.force_login(dave)  # the grid worker of compound A only
    assert (
        client.get(reverse("stats:report", args=[places["compound_b"].uid, 2025])).status_code
        == 403
    )


def test_a_year_out_of_range_is_refused_clearly(
    client: Client, places: dict[str, Place], grace: Person
) -> None:
    client.force_login(grace)
    response = client.get(reverse("stats:report", args=[places["community"].uid, 1999]))
    assert response.status_code == 404
    assert "年度须在" in response.content.decode()


def test_an_area_share_reads_in_square_metres() -> None:
    from qinlin.stats.figures import Rate

    assert Rate("参与面积比例", 8950, 12000, unit="area").parts == "89.50 / 120.00 ㎡"
    assert Rate("参与户数比例", 3, 4).parts == "3 / 4"
