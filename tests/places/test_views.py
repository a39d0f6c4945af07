"""The place pages: public figures, staff-only home details, import and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.places.importing import places_import_homes, read_rows
from qinlin.places.models import Place
from tests.places.sheets import csv_bytes, home_row, xlsx
from tests.places.test_import import SIMPLE, snapshot

pytestmark = pytest.mark.django_db


def page(client: Client, place: Place, name: str = "places:place-detail", **kwargs) -> str:
    return reverse(name, args=[place.uid, *kwargs.values()])


def as_(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client


def big_compound(compound: Place) -> None:
    """10 buildings × 2 units × 6 floors × 2 rooms = 240 homes, with owners."""
    rows: list[list[object]] = []
    for b in range(1, 11):
        for u in (1, 2):
            for f in range(1, 7):
                for r in (1, 2):
                    n = len(rows)
                    rows.append(
                        home_row(
                            f"{b}号楼",
                            f"{u}单元",
                            f"{f}0{r}",
                            f"R-{n}",
                            "88.8",
                            f"业主{n}",
                            f"137{n:08d}",
                        )
                    )
    places_import_homes(actor=None, compound=compound, rows=read_rows(xlsx(rows), "big.xlsx"))


# --- place detail ----------------------------------------------------------------------------


def test_anyone_sees_a_compounds_figures_and_buildings(client: Client, places) -> None:
    response = client.get(page(client, places["compound_a"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "上河园" in body
    assert "北苑社区" in body  # breadcrumbs
    assert "3号楼" in body
    assert "209.50" in body  # total area
    assert reverse("places:place-import", args=[places["compound_a"].uid]) not in body


def test_a_unit_shows_homes_only_to_the_building_team(client: Client, places, carol) -> None:
    url = page(client, places["unit_a"])
    public = client.get(url).content.decode()
    assert "89.50" not in public
    assert places["home_a"].uid not in public
    staff = as_(client, carol).get(url).content.decode()
    assert "89.50" in staff
    assert places["home_a"].uid in staff


def test_a_resident_does_not_see_the_homes_of_their_unit(client: Client, places, alice) -> None:
    body = as_(client, alice).get(page(client, places["unit_a"])).content.decode()
    assert "120.00" not in body


def test_a_home_page_shows_its_area_only_to_staff(client: Client, places, dave) -> None:
    url = page(client, places["home_a2"])
    assert "120.00" not in client.get(url).content.decode()
    assert "120.00" in as_(client, dave).get(url).content.decode()


def test_the_building_team_of_another_compound_sees_no_homes(client: Client, places, dave) -> None:
    body = as_(client, dave).get(page(client, places["unit_b"])).content.decode()
    assert "76.30" not in body


def test_unknown_place_is_404(client: Client, places) -> None:
    assert client.get(reverse("places:place-detail", args=["nope"])).status_code == 404


def test_staff_see_import_and_export_links_on_their_compound_only(
    client: Client, places, dave
) -> None:
    as_(client, dave)
    own = client.get(page(client, places["compound_a"])).content.decode()
    assert reverse("places:place-import", args=[places["compound_a"].uid]) in own
    assert reverse("places:place-export", args=[places["compound_a"].uid, "csv"]) in own
    other = client.get(page(client, places["compound_b"])).content.decode()
    assert reverse("places:place-import", args=[places["compound_b"].uid]) not in other


@pytest.mark.parametrize("level", ["subdistrict", "community", "compound_a", "building_a"])
def test_place_pages_stay_within_a_query_budget_whatever_the_size(
    client: Client, places, dave, django_assert_max_num_queries, level
) -> None:
    big_compound(places["compound_a"])
    as_(client, dave)
    # A compound's page also shows its 1+2+N team (5 queries) and its community's partners.
    with django_assert_max_num_queries(18 if level == "compound_a" else 12):
        response = client.get(page(client, places[level]))
    assert response.status_code == 200


def test_a_large_unit_page_stays_within_the_budget(
    client: Client, places, dave, django_assert_max_num_queries
) -> None:
    big_compound(places["compound_a"])
    unit = Place.objects.get(name="1单元", parent__name="10号楼")
    as_(client, dave)
    with django_assert_max_num_queries(12):
        body = client.get(page(client, unit)).content.decode()
    assert body.count("88.80") == 12


# --- import page -----------------------------------------------------------------------------


def upload(data: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_import_page_shows_the_form_and_the_column_table(client: Client, places, dave) -> None:
    response = as_(client, dave).get(page(client, places["compound_a"], "places:place-import"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    for header in ("楼栋", "不动产登记号", "开发商未售", "owner_phone"):
        assert header in body


def test_posting_a_good_file_imports_it_and_shows_the_report(client: Client, places, dave) -> None:
    url = page(client, places["compound_a"], "places:place-import")
    response = as_(client, dave).post(url, {"file": upload(xlsx(SIMPLE))})
    assert response.status_code == 200
    body = response.content.decode()
    assert "房屋名册已导入" in body
    assert "新建楼栋 2 个、单元 3 个、房屋 5 户。" in body
    assert Place.objects.filter(name="6号楼").exists()


def test_a_bad_file_lists_every_bad_row_and_changes_nothing(client: Client, places, dave) -> None:
    rows = [home_row(), home_row(room="102", area="abc"), home_row(room="103", owner_name="张明")]
    before = snapshot()
    url = page(client, places["compound_a"], "places:place-import")
    response = as_(client, dave).post(url, {"file": upload(csv_bytes(rows), "x.csv")})
    assert response.status_code == 200
    body = response.content.decode()
    assert "表格中有 2 处需要修改" in body
    assert '<td class="num">3</td><td>面积</td>' in body
    assert '<td class="num">4</td><td>业主手机</td>' in body
    assert snapshot() == before


def test_check_only_imports_nothing(client: Client, places, dave) -> None:
    before = snapshot()
    url = page(client, places["compound_a"], "places:place-import")
    response = as_(client, dave).post(url, {"file": upload(xlsx(SIMPLE)), "dry_run": "on"})
    assert "检查结果（尚未导入）" in response.content.decode()
    assert snapshot() == before


def test_a_file_of_the_wrong_kind_is_refused_by_the_form(client: Client, places, dave) -> None:
    url = page(client, places["compound_a"], "places:place-import")
    response = as_(client, dave).post(url, {"file": upload(b"%PDF", "scan.pdf")})
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()


def test_grid_worker_cannot_open_another_compounds_import(client: Client, places, dave) -> None:
    url = page(client, places["compound_b"], "places:place-import")
    assert as_(client, dave).get(url).status_code == 403
    before = snapshot()
    assert client.post(url, {"file": upload(xlsx(SIMPLE))}).status_code == 403
    assert snapshot() == before


def test_a_resident_gets_403_and_a_visitor_the_login_page(client: Client, places, alice) -> None:
    url = page(client, places["compound_a"], "places:place-import")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]
    assert as_(client, alice).get(url).status_code == 403


def test_importing_into_a_building_explains_that_only_compounds_can(
    client: Client, places, dave
) -> None:
    url = page(client, places["building_a"], "places:place-import")
    response = as_(client, dave).post(url, {"file": upload(xlsx(SIMPLE))})
    assert response.status_code == 200
    assert "只能向小区导入房屋名册" in response.content.decode()
    assert not Place.objects.filter(name="6号楼").exists()


def test_unknown_place_import_is_404(client: Client, places, dave) -> None:
    url = reverse("places:place-import", args=["nope"])
    assert as_(client, dave).get(url).status_code == 404


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_grid_worker_downloads_the_register(client: Client, places, dave, alice, fmt) -> None:
    before = AuditEvent.objects.count()
    response = as_(client, dave).get(
        reverse("places:place-export", args=[places["compound_a"].uid, fmt])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert f".{fmt}" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = response.content
    if fmt == "csv":
        assert alice.phone in data.decode("utf-8-sig")
    else:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 3
    assert AuditEvent.objects.count() == before + 1


def test_export_is_forbidden_outside_ones_compound(client: Client, places, dave, alice) -> None:
    assert (
        as_(client, dave)
        .get(reverse("places:place-export", args=[places["compound_b"].uid, "csv"]))
        .status_code
        == 403
    )
    assert (
        as_(client, alice)
        .get(reverse("places:place-export", args=[places["compound_a"].uid, "csv"]))
        .status_code
        == 403
    )


def test_export_of_a_building_or_an_unknown_format_is_404(client: Client, places, dave) -> None:
    as_(client, dave)
    assert (
        client.get(
            reverse("places:place-export", args=[places["building_a"].uid, "csv"])
        ).status_code
        == 404
    )
    assert client.get(f"/places/{places['compound_a'].uid}/export.pdf").status_code == 404
