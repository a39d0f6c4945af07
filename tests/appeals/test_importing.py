"""Importing a chat group's export: every row checked first, all or nothing, no duplicates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from qinlin.appeals.import_views import appeal_import
from qinlin.appeals.importing import COLUMNS, ChatImportReport, appeals_import, parse_time
from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Category, Channel
from qinlin.cli import main
from qinlin.core.audit import audit_verify
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.places.importing import ImportRejected, Problem, read_rows
from qinlin.places.models import Place
from qinlin.urls import urlpatterns as root_urlpatterns
from tests.places.sheets import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["时间", "发言人", "手机", "位置", "内容", "类别"]
ENGLISH = ["time", "speaker", "phone", "place", "text", "category"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def run(
    compound: Place,
    data: bytes,
    filename: str = "群消息.xlsx",
    *,
    actor: Person | None = None,
    default: str | None = "property",
) -> ChatImportReport:
    return appeals_import(
        actor=actor,
        compound=compound,
        rows=read_rows(data, filename),
        default_category=category(default) if default else None,
    )


def rejected(compound: Place, data: bytes, filename: str = "群消息.xlsx") -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        run(compound, data, filename)
    return caught.value.problems


def snapshot() -> tuple[int, int, int]:
    return Appeal.objects.count(), AppealEvent.objects.count(), AuditEvent.objects.count()


def messages(alice: Person) -> list[list[object]]:
    excel_cell = datetime(2022, 5, 3, 19, 20)  # noqa: DTZ001 — Excel cells have no time zone
    return [
        [excel_cell, "李爱丽", alice.phone, "", "单元门坏了，关不上", ""],
        ["2022/5/3 19:25", "王阿姨", "138 1234 5678", "3号楼/2单元/102", "楼门关不上", "物业服务"],
        ["2022-05-04 08:01:30", "老张", "", "3号楼", "楼下电动车充电桩不够", "parking"],
        ["2022年5月4日 9:00", "小刘", "", "3-2-101", "垃圾桶满了没人清", "Environment"],
    ]


def test_a_chat_export_becomes_appeals_of_the_compound(places, alice, dave) -> None:
    report = run(places["compound_a"], xlsx(messages(alice), HEADER), actor=dave)

    assert report == ChatImportReport(rows=4, created=4, skipped_duplicates=0, residents_matched=1)
    appeals = {a.text: a for a in Appeal.objects.select_related("reporter", "category")}
    door = appeals["单元门坏了，关不上"]
    assert door.reporter == alice
    assert door.reporter_name == ""
    assert door.household == places["home_a"]
    assert door.place == places["compound_a"]
    assert door.created_at == local("2022-05-03 19:20")
    assert door.category.code == "property"  # the default
    walk_in = appeals["楼门关不上"]
    assert walk_in.reporter is None
    assert (walk_in.reporter_name, walk_in.reporter_phone) == ("王阿姨", "13812345678")
    assert walk_in.place == places["home_a2"]
    assert walk_in.household == places["home_a2"]
    assert appeals["楼下电动车充电桩不够"].place == places["building_a"]
    assert appeals["楼下电动车充电桩不够"].category.code == "parking"
    assert appeals["楼下电动车充电桩不够"].created_at == local("2022-05-04 08:01:30")
    assert appeals["垃圾桶满了没人清"].place == places["home_a"]
    assert appeals["垃圾桶满了没人清"].category.code == "environment"
    for appeal in appeals.values():
        assert appeal.place_path == appeal.place.path
        assert appeal.channel == Channel.CHAT_GROUP
        assert appeal.status == AppealStatus.NEW
        assert appeal.entered_by == dave
        [event] = appeal.events.all()
        assert (event.status, event.at, event.actor) == (
            AppealStatus.NEW,
            appeal.created_at,
            dave,
        )
    [audit] = AuditEvent.objects.filter(verb="appeals.import.done")
    assert audit.actor == dave
    assert audit.object_id == places["compound_a"].uid
    assert audit.data["created"] == 4
    assert audit.data["skipped_duplicates"] == 0
    assert audit.data["residents_matched"] == 1
    assert AuditEvent.objects.count() == 1
    assert audit_verify().ok


def test_csv_with_english_headers_in_gbk_or_utf8(places, alice) -> None:
    rows = messages(alice)[1:]
    rows = [["2022-05-03 19:25", *row[1:]] if i == 0 else row for i, row in enumerate(rows)]
    gbk = csv_bytes(rows, ENGLISH, encoding="gbk")
    assert run(places["compound_a"], gbk, "chat.csv").created == 3
    # The same messages again, saved by Excel as UTF-8 with a BOM: already there.
    again = csv_bytes(rows, ENGLISH, bom=True)
    assert run(places["compound_a"], again, "chat.csv").skipped_duplicates == 3
    assert Appeal.objects.count() == 3


def test_a_phone_of_someone_living_elsewhere_is_a_walk_in(places, bob) -> None:
    row = ["2022-05-03 19:20", "王博", bob.phone, "", "小区门口路灯不亮", ""]
    assert run(places["compound_a"], xlsx([row], HEADER)).residents_matched == 0
    appeal = Appeal.objects.get()
    assert appeal.reporter is None
    assert (appeal.reporter_name, appeal.reporter_phone) == ("王博", bob.phone)


def test_reimporting_the_same_export_creates_nothing_new(places, alice) -> None:
    data = xlsx(messages(alice), HEADER)
    run(places["compound_a"], data)
    second = run(places["compound_a"], data)
    assert (second.created, second.skipped_duplicates) == (0, 4)
    assert Appeal.objects.count() == 4
    # An export showing seconds, plus one new message and a double send in the same file.
    more = [
        ["2022-05-03 19:20:41", "李爱丽", alice.phone, "", "单元门坏了，关不上", ""],
        ["2022-05-05 10:00", "老张", "", "", "充电桩的事有人管吗", "parking"],
        ["2022-05-05 10:00", "老张", "", "", "充电桩的事有人管吗", "parking"],
    ]
    third = run(places["compound_a"], xlsx(more, HEADER))
    assert (third.created, third.skipped_duplicates) == (1, 2)
    assert Appeal.objects.count() == 5
    assert AuditEvent.objects.filter(verb="appeals.import.done").count() == 3


def test_the_same_messages_in_another_compound_are_not_duplicates(places, alice) -> None:
    rows = [["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""]]
    run(places["compound_a"], xlsx(rows, HEADER))
    assert run(places["compound_b"], xlsx(rows, HEADER)).created == 1


def test_every_bad_row_is_reported_and_nothing_is_written(places, alice) -> None:
    rows: list[list[object]] = [
        ["2022-05-03 19:20", "王阿姨", "", "", "正常的一行", ""],
        ["昨天晚上", "王阿姨", "", "", "时间看不懂", ""],
        ["2099-01-01 08:00", "王阿姨", "", "", "时间在将来", ""],
        ["2022-05-03 19:21", "", "", "", "没有发言人", ""],
        ["2022-05-03 19:22", "王阿姨", "12345", "", "手机号不对", ""],
        ["2022-05-03 19:23", "王阿姨", "", "9号楼", "没有这栋楼", ""],
        ["2022-05-03 19:24", "王阿姨", "", "3号楼/5单元", "没有这个单元", ""],
        ["2022-05-03 19:25", "王阿姨", "", "", "", ""],
        ["2022-05-03 19:26", "王阿姨", "", "", "类别不对", "绿化"],
        ["2022-05-03 19:27", "王阿姨", "", "", "字" * 2001, ""],
        [None, "王阿姨", "", "", "没有时间", ""],
    ]
    before = snapshot()
    problems = rejected(places["compound_a"], xlsx(rows, HEADER))
    found = {(p.row, p.column) for p in problems}
    assert found == {
        (3, "时间"),
        (4, "时间"),
        (5, "发言人"),
        (6, "手机"),
        (7, "位置"),
        (8, "位置"),
        (9, "内容"),
        (10, "类别"),
        (11, "内容"),
        (12, "时间"),
    }
    messages_by_row = {p.row: p.message for p in problems}
    assert "2022-05-03 19:20" in messages_by_row[3]
    assert "晚于现在" in messages_by_row[4]
    assert "9号楼" in messages_by_row[7]
    assert "“3号楼”下没有“5单元”" in messages_by_row[8]
    assert "物业服务" in messages_by_row[10]  # the categories to choose from
    assert str(problems[0]).startswith("第 3 行 · 时间：")
    assert snapshot() == before


@pytest.mark.parametrize(
    "cell",
    [
        "2022-05-03 19:20",
        "2022/5/3 19:20",
        "2022.5.3 19:20",
        "2022年5月3日 19:20",
        "2022-05-03T19:20:00",
        "２０２２-０５-０３ １９：２０",
        datetime(2022, 5, 3, 19, 20),  # noqa: DTZ001 — an Excel cell has no time zone
        44684.80555555555,  # the same moment as an Excel day number that lost its format
    ],
)
def test_message_times_in_the_ways_people_write_them(cell: object) -> None:
    parsed = parse_time(cell, now=timezone.now())
    assert parsed.replace(second=0, microsecond=0) == local("2022-05-03 19:20")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3号楼/2单元/101", "home_a"),
        ("上河园/3号楼/2单元/101", "home_a"),
        ("3-2-101", "home_a"),
        ("3号楼2单元101", "home_a"),
        ("3栋 2单元 102室", "home_a2"),
        ("３号楼／２单元", "unit_a"),
        ("3", "building_a"),
        ("上河园", "compound_a"),
    ],
)
def test_places_in_the_ways_people_write_them(places, text: str, expected: str) -> None:
    row = ["2022-05-03 19:20", "老张", "", text, "单元门坏了", ""]
    run(places["compound_a"], xlsx([row], HEADER))
    assert Appeal.objects.get().place == places[expected]


def test_a_missing_category_needs_a_default(places) -> None:
    rows = [["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""]]
    with pytest.raises(ImportRejected) as caught:
        run(places["compound_a"], xlsx(rows, HEADER), default=None)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "类别")
    assert "默认类别" in problem.message


def test_a_retired_category_is_refused(places) -> None:
    Category.objects.filter(code="elderly").update(is_active=False)
    rows = [["2022-05-03 19:20", "老张", "", "", "想报名助餐", "elderly"]]
    [problem] = rejected(places["compound_a"], xlsx(rows, HEADER))
    assert "已停用" in problem.message
    blank = [["2022-05-03 19:20", "老张", "", "", "想报名助餐", ""]]
    with pytest.raises(DomainError, match="已停用"):
        run(places["compound_a"], xlsx(blank, HEADER), default="elderly")


def test_header_problems_name_the_columns(places) -> None:
    header = ["时间", "发言人", "微信号", "位置", "类别"]
    problems = rejected(places["compound_a"], xlsx([["2022-05-03 19:20", "老张"]], header))
    assert {(p.row, p.column) for p in problems} == {(1, "微信号"), (1, "内容")}
    assert any("缺少必填的“内容”列" in str(p) for p in problems)


def test_an_empty_sheet_says_so(places) -> None:
    [problem] = rejected(places["compound_a"], xlsx([], HEADER))
    assert problem.row == 2
    assert "没有消息" in problem.message


def test_only_grid_workers_and_community_staff_import(places, carol, dave, frank) -> None:
    data = xlsx([["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""]], HEADER)
    with pytest.raises(ForbiddenError):
        run(places["compound_a"], data, actor=carol)
    with pytest.raises(ForbiddenError):
        run(places["compound_b"], data, actor=dave)
    assert Appeal.objects.count() == 0
    assert run(places["compound_b"], data, actor=frank).created == 1


def test_messages_go_into_a_compound_only(places) -> None:
    data = xlsx([["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""]], HEADER)
    with pytest.raises(DomainError, match="只能向小区导入"):
        run(places["building_a"], data)


def test_a_thousand_messages_import_in_few_queries(places, alice) -> None:
    rows = [
        [
            f"2022-05-{1 + n // 100:02d} {n % 24:02d}:{n % 60:02d}",
            f"居民{n}",
            alice.phone if n % 10 == 0 else f"137{n:08d}",
            "3号楼/2单元/101" if n % 3 == 0 else "3号楼",
            f"第{n}条：单元门又坏了",
            ["", "parking", "环境整治"][n % 3],
        ]
        for n in range(1000)
    ]
    data = xlsx(rows, HEADER)
    with CaptureQueriesContext(connection) as queries:
        report = run(places["compound_a"], data)
    assert report.created == 1000
    assert report.residents_matched == 100
    # Reads are one query per 900 keys; SQLite inserts about 80 rows per statement.
    assert len(queries) <= 40
    assert AppealEvent.objects.count() == 1000


def test_the_columns_are_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "appeals-import.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| {column.header} |" in doc
        assert f"`{column.key}`" in doc
    assert "qinlin appeals import" in doc


# --- the command line ------------------------------------------------------------------------


def qinlin(*args: object) -> int:
    """Run `qinlin appeals ARGS…`; its exit status.

    call_command rather than the full command line: Django closes every database connection
    after a command-line run, which would end the test's transaction on PostgreSQL.
    """
    try:
        call_command("appeals", *[str(arg) for arg in args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_imports_by_compound_name(places, alice, dave, tmp_path: Path, capsys) -> None:
    path = tmp_path / "群消息.xlsx"
    path.write_bytes(xlsx(messages(alice), HEADER))
    assert qinlin("import", "上河园", path, "--category", "facilities", "--actor", dave.phone) == 0
    out = capsys.readouterr().out
    assert "已导入 上河园" in out
    assert "新建诉求 4 条，其中 1 条记在已认证居民名下。" in out
    assert Appeal.objects.filter(entered_by=dave).count() == 4
    assert Appeal.objects.filter(category__code="facilities").count() == 1
    assert qinlin("import", places["compound_a"].uid, path, "--category", "property") == 0
    assert "跳过已导入过的重复消息 4 条。" in capsys.readouterr().out


def test_cli_reports_bad_rows_on_stderr_with_status_2(places, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""],
                ["明天", "老张", "", "", "x", ""],
            ],
            HEADER,
        )
    )
    assert qinlin("import", "上河园", path, "--category", "property") == 2
    err = capsys.readouterr().err
    assert "没有导入任何数据" in err
    assert "第 3 行 · 时间：" in err
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["没有这个小区", "{file}"], "找不到"),
        (["上河园", "{file}", "--category", "nope"], "property"),
        (["上河园", "{file}", "--actor", "13000000000"], "13000000000"),
        (["上河园", "{dir}/missing.xlsx"], "无法读取"),
        (["上河园", "{dir}/notes.txt"], ".xlsx"),
    ],
)
def test_cli_bad_arguments_exit_2(places, tmp_path: Path, capsys, args, says) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx([["2022-05-03 19:20", "老张", "", "", "路灯不亮", "property"]], HEADER))
    filled = [a.format(file=path, dir=tmp_path) for a in args]
    assert qinlin("import", *filled) == 2
    assert says in capsys.readouterr().err
    assert Appeal.objects.count() == 0


def test_cli_refuses_an_actor_without_permission(places, carol, tmp_path: Path, capsys) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx([["2022-05-03 19:20", "老张", "", "", "路灯不亮", "property"]], HEADER))
    assert qinlin("import", "上河园", path, "--actor", carol.phone) == 2
    assert "没有权限" in capsys.readouterr().err


def test_cli_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["qinlin", "appeals", "import", "上河园"])
    assert caught.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_cli_help_names_the_import(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["qinlin", "appeals", "import", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "COMPOUND" in out
    assert "--category" in out
    assert "--actor" in out


def test_naive_times_are_local_time(places) -> None:
    run(places["compound_a"], xlsx([["2022-05-03 23:30", "老张", "", "", "路灯不亮", ""]], HEADER))
    stored = Appeal.objects.get().created_at
    assert timezone.localtime(stored, SHANGHAI).hour == 23
    assert stored == local("2022-05-03 23:30")


# --- the page --------------------------------------------------------------------------------

# The lead wires the view at appeals:appeal-import; these tests mount it themselves, so they
# do not depend on the rest of the appeals pages.
urlpatterns = [
    *root_urlpatterns,
    path("test-appeal-import/<str:uid>/", appeal_import, name="test-appeal-import"),
]
page_urls = pytest.mark.urls(__name__)


def import_page(place: Place) -> str:
    return reverse("test-appeal-import", args=[place.uid])


@page_urls
def test_the_page_shows_the_columns_and_the_default_category(
    client: Client, places, dave, django_assert_max_num_queries
) -> None:
    client.force_login(dave)
    with django_assert_max_num_queries(12):
        response = client.get(import_page(places["compound_a"]))
    assert response.status_code == 200
    body = response.content.decode()
    for column in COLUMNS:
        assert f"<strong>{column.header}</strong>" in body
    assert "养老与社区服务" in body  # an option of the default category
    assert 'enctype="multipart/form-data"' in body


@page_urls
def test_uploading_an_export_imports_it(client: Client, places, alice, dave) -> None:
    client.force_login(dave)
    upload = SimpleUploadedFile("群消息.xlsx", xlsx(messages(alice), HEADER))
    response = client.post(
        import_page(places["compound_a"]),
        {"file": upload, "category": category("facilities").pk},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "新建诉求 4 条，其中 1 条记在已认证居民名下。" in body
    assert Appeal.objects.filter(entered_by=dave, channel=Channel.CHAT_GROUP).count() == 4
    assert Appeal.objects.filter(category__code="facilities").count() == 1


@page_urls
def test_a_bad_upload_lists_the_rows_and_imports_nothing(client: Client, places, dave) -> None:
    client.force_login(dave)
    rows = [
        ["2022-05-03 19:20", "老张", "", "", "路灯不亮", ""],
        ["2022-05-03 19:21", "老张", "123", "8号楼", "", ""],
    ]
    upload = SimpleUploadedFile("chat.csv", csv_bytes(rows, HEADER))
    before = snapshot()
    response = client.post(
        import_page(places["compound_a"]), {"file": upload, "category": category("property").pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "表格中有 3 处需要修改，没有导入任何数据。" in body
    assert '<td class="num">3</td><td>手机</td>' in body
    assert '<td class="num">3</td><td>位置</td>' in body
    assert '<td class="num">3</td><td>内容</td>' in body
    assert snapshot() == before


@page_urls
def test_the_page_refuses_other_files(client: Client, places, dave) -> None:
    client.force_login(dave)
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = client.post(
        import_page(places["compound_a"]), {"file": upload, "category": category("property").pk}
    )
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()
    assert Appeal.objects.count() == 0


@page_urls
def test_the_page_is_for_those_who_may_import_there(client: Client, places, carol, dave) -> None:
    url = import_page(places["compound_a"])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(carol)
    assert client.get(url).status_code == 403
    client.force_login(dave)
    assert client.get(import_page(places["compound_b"])).status_code == 403
    assert client.get(reverse("test-appeal-import", args=["nosuchplace"])).status_code == 404
    building = client.get(import_page(places["building_a"]))
    assert building.status_code == 200
    assert "只能向小区导入群消息" in building.content.decode()
    assert "<form" not in building.content.decode().split("</header>", 1)[1]
