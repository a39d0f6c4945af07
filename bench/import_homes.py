"""Bench: import a 2,000-home compound register into a fresh SQLite database.

    .venv/bin/python bench/import_homes.py        (or: make bench)

Builds a realistic register (10 buildings of 2–4 units, 2–4 homes a floor, areas 45–160 m²,
owners with phones, co-owners, buyers of several homes, developer-unsold homes), times the
import, then a re-import of the same file, the export, and a file with 5 bad rows that must be
rejected with exactly 5 problems and leave the database unchanged. Exits 1 if any check fails
or the import takes 10 s or more.
"""

from __future__ import annotations

import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HOMES = 2_000
BUILDINGS = 10
LIMIT_SECONDS = 10.0
HEADER = [
    "楼栋",
    "单元",
    "房号",
    "不动产登记号",
    "面积",
    "业主姓名",
    "业主手机",
    "业主标识",
    "开发商未售",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def setup_django(data_dir: Path) -> None:
    # The environment decides the database: it must be set before Django reads settings.
    os.environ["QINLIN_DATA_DIR"] = str(data_dir)
    os.environ["QINLIN_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinlin.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def register_rows(rng: random.Random) -> list[list[object]]:
    """About 2,170 rows for exactly HOMES homes (co-owners add rows)."""
    rows: list[list[object]] = []
    homes = 0
    phone_no = 0
    investors: list[tuple[str, str, str]] = []  # (name, phone, key) of multi-home buyers

    def person() -> tuple[str, str]:
        nonlocal phone_no
        phone_no += 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        return name, f"1{rng.choice('3589')}{phone_no:09d}"

    for _ in range(30):
        name, phone = person()
        investors.append((name, phone, f"INV{len(investors) + 1:03d}"))
    per_building = HOMES // BUILDINGS
    for b in range(1, BUILDINGS + 1):
        units, per_floor = rng.randint(2, 4), rng.randint(2, 4)
        floors = -(-per_building // (units * per_floor))
        built = 0
        for u in range(1, units + 1):
            for floor in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    if built == per_building:
                        break
                    built += 1
                    homes += 1
                    area: object = round(rng.uniform(45, 160), 2)
                    if homes % 7 == 0:
                        area = f"{area:.2f}"  # some typed as text, as real registers are
                    home = [
                        f"{b}号楼",
                        f"{u}单元",
                        f"{floor}{r:02d}",
                        f"鲁(2020)潍坊市不动产权第{homes:07d}号",
                        area,
                    ]
                    draw = rng.random()
                    if draw < 0.03:
                        rows.append([*home, "", "", "", "是"])
                    elif draw < 0.08:
                        name, phone, key = rng.choice(investors)
                        rows.append([*home, name, phone, key, "否"])
                    elif draw < 0.85:
                        name, phone = person()
                        rows.append([*home, name, phone, "", "否"])
                        if rng.random() < 0.1:
                            co_name, co_phone = person()
                            rows.append([*home, co_name, co_phone, "", "否"])
                    else:
                        rows.append([*home, "", "", "", "否"])
    # An investor drawn for one home only still has a key; that is allowed.
    assert homes == HOMES, homes
    return rows


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_five_bad_rows(rows: list[list[object]]) -> list[list[object]]:
    bad = [list(row) for row in rows]
    bad[10][4] = "八十九"  # area not a number
    bad[200][4] = 0  # area zero
    bad[400][2] = ""  # room missing
    bad[600][6] = "1380000"  # phone too short
    bad[800][5], bad[800][6] = "", "13912345678"  # phone without a name
    return bad


def fingerprint() -> tuple[int, ...]:
    from qinlin.core.models import AuditEvent
    from qinlin.people.models import Person, Residency
    from qinlin.places.models import Place

    return (
        Place.objects.count(),
        Person.objects.count(),
        Residency.objects.count(),
        AuditEvent.objects.count(),
        hash(tuple(Place.objects.order_by("id").values_list("area", "register_no"))),
    )


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="qinlin-bench-"))
    try:
        setup_django(data_dir)
        return run()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run() -> int:
    from qinlin.places.exporting import places_export_homes
    from qinlin.places.importing import ImportRejected, places_import_homes, read_rows
    from qinlin.places.models import PlaceKind
    from qinlin.places.services import place_create

    sub = place_create(actor=None, kind=PlaceKind.SUBDISTRICT, name="北苑街道")
    com = place_create(actor=None, kind=PlaceKind.COMMUNITY, name="北苑社区", parent=sub)
    compound = place_create(actor=None, kind=PlaceKind.COMPOUND, name="上河园", parent=com)

    rows = register_rows(random.Random(2022))
    data = xlsx(rows)

    started = time.perf_counter()
    sheet = read_rows(data, "上河园.xlsx")
    parsed = time.perf_counter()
    report = places_import_homes(actor=None, compound=compound, rows=sheet)
    done = time.perf_counter()
    read_s, import_s, total_s = parsed - started, done - parsed, done - started

    started = time.perf_counter()
    again = places_import_homes(actor=None, compound=compound, rows=read_rows(data, "again.xlsx"))
    reimport_s = time.perf_counter() - started

    started = time.perf_counter()
    exported = places_export_homes(compound, "xlsx")
    export_s = time.perf_counter() - started
    round_trip = places_import_homes(
        actor=None, compound=compound, rows=read_rows(exported, "export.xlsx")
    )

    before = fingerprint()
    started = time.perf_counter()
    try:
        places_import_homes(
            actor=None,
            compound=compound,
            rows=read_rows(xlsx(with_five_bad_rows(rows)), "bad.xlsx"),
        )
    except ImportRejected as exc:
        problems = exc.problems
    else:
        problems = []
    bad_s = time.perf_counter() - started
    unchanged = fingerprint() == before

    checks = {
        f"2,000 homes created ({report.homes_created})": report.homes_created == HOMES,
        f"import under {LIMIT_SECONDS:.0f} s ({total_s:.2f} s)": total_s < LIMIT_SECONDS,
        "re-import changes nothing": not again.changed,
        "export → import changes nothing": not round_trip.changed,
        f"bad file: 5 problems reported ({len(problems)})": len(problems) == 5,
        "bad file: database unchanged": unchanged,
    }
    from django.utils import timezone

    today = timezone.localdate()
    cores = os.cpu_count() or 0
    print(
        f"Qinlin bench: register import — {today}, "
        f"Python {platform.python_version()}, {cores} cores"
    )
    print(f"  file:       {len(rows)} rows, {HOMES} homes, {len(data) / 1024:.0f} KiB xlsx")
    print(
        f"  created:    {report.buildings_created} buildings, {report.units_created} units, "
        f"{report.homes_created} homes, {report.people_created} people, "
        f"{report.residencies_confirmed} owner residencies"
    )
    print(f"  read xlsx:  {read_s:.2f} s")
    print(f"  import:     {import_s:.2f} s  (total with reading {total_s:.2f} s)")
    print(f"  re-import:  {reimport_s:.2f} s  (same file, nothing changed)")
    print(f"  export:     {export_s:.2f} s  (xlsx, {len(exported) / 1024:.0f} KiB)")
    print(
        f"  bad file:   {bad_s:.2f} s  ({len(problems)} problems, database unchanged: {unchanged})"
    )
    for problem in problems:
        print(f"              {problem}")
    for label, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {label}")
    print(
        f"\n| {today} | {cores} cores, {platform.machine()} | "
        f"`.venv/bin/python bench/import_homes.py` | {len(rows)} rows / {HOMES} homes: "
        f"read {read_s:.2f} s + import {import_s:.2f} s = {total_s:.2f} s; re-import "
        f"{reimport_s:.2f} s; export {export_s:.2f} s; 5-bad-row file rejected in {bad_s:.2f} s "
        f"with {len(problems)} problems, DB unchanged |"
    )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
