"""The backup drill: every table of every app holds rows, `qinlin backup` copies them, the data
is changed and deleted, `qinlin restore` brings back exactly what was copied, row by row and
file by file; and restore refuses what it cannot restore, changing nothing."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import sys
import tarfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from qinlin.api.services import api_token_issue
from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_submit
from qinlin.core.audit import audit_verify
from qinlin.core.backup import FORMAT, backup_create, stored_files
from qinlin.core.models import AuditEvent
from qinlin.core.roles import Role
from qinlin.demo.data import load_demo
from qinlin.demo.photos import jpeg
from qinlin.demo.story import play_story
from qinlin.evaluation.models import Verdict
from qinlin.evaluation.services import audit_add
from qinlin.notify.services import preferences_save
from qinlin.organisations.activities import activity_create
from qinlin.people.models import Person, RoleAssignment
from qinlin.people.services import (
    claim_codes_issue,
    password_reset_request,
    two_step_begin,
    two_step_confirm,
    two_step_recovery_issue,
)
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, BallotChannel, Vote
from qinlin.votes.services import ballot_cast
from qinlin.works.services import TASK_STAGES
from qinlin.works.tendering import bid_add, tender_open
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Tables the drill leaves empty, each with its reason. Empty on purpose: every table of
# every installed app is filled, so a new table fails the drill until it is filled too.
EXCLUDED: dict[str, str] = {
    # django-axes tables our settings never write: successful logins are not kept
    # (AXES_DISABLE_ACCESS_LOG), failures are counted in AccessAttempt alone (no
    # AXES_ENABLE_ACCESS_FAILURE_LOG) and expire by AXES_COOLOFF_TIME, not per attempt.
    "axes_accesslog": "never written",
    "axes_accessfailurelog": "never written",
    "axes_accessattemptexpiration": "never written",
}


def _photo(name: str) -> tuple[str, io.BytesIO]:
    return name, io.BytesIO(jpeg((200, 120, 40)))


def _fill_what_the_demo_leaves_empty() -> None:
    """Rows, through the services, in the tables neither the demo nor its story fills."""
    sub = Place.objects.get(kind=PlaceKind.SUBDISTRICT)
    # The demo numbers its people 139…, as the factory does: this one stands apart.
    admin = PersonFactory.create(name="备份演练", phone="16600000001")
    RoleAssignment.objects.create(person=admin, role=Role.SUBDISTRICT_ADMIN, place=sub)
    resident = Person.objects.filter(residencies__isnull=False).order_by("pk").first()
    assert resident is not None
    home = resident.residencies.order_by("pk").first().home  # type: ignore[union-attr]

    api_token_issue(actor=admin, person=admin, name="备份演练")
    appeal_submit(
        actor=resident,
        text="楼道灯坏了",
        category=Category.objects.order_by("pk").first(),  # type: ignore[arg-type]
        place=home,
        reporter=resident,
        photos=[_photo("lamp.jpg")],
    )
    preferences_save(
        actor=resident, email="drill@example.org", channels={}, quiet_hours=True, digest=False
    )
    claim_codes_issue(actor=admin, place=home.parent)  # type: ignore[arg-type]
    compound = home.parent.parent.parent  # type: ignore[union-attr]
    activity_create(
        actor=admin,
        place=compound,  # type: ignore[arg-type]
        title="备份演练讲座",
        kind="lecture",
        organiser="社区",
        location="活动室",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1),
        capacity=20,
        photos=[_photo("poster.jpg")],
    )
    decided = Topic.objects.filter(stage__in=TASK_STAGES).order_by("pk").first()
    assert decided is not None
    tender = tender_open(
        actor=admin,
        topic=decided,
        title="备份演练采购",
        requirements="演练用。",
        deadline=timezone.now() + timedelta(days=1),
    )
    bid_add(
        actor=admin,
        tender=tender,
        vendor="演练公司",
        price=Decimal("100.00"),
        documents=[_photo("quote.jpg")],
    )
    # The demo's year was imported closed; one of its topics goes back to evaluation, as
    # the demo itself moves dates, so that an audit can be added to it.
    evaluating = Topic.objects.filter(stage=Stage.CLOSED).order_by("pk").first()
    assert evaluating is not None
    Topic.objects.filter(pk=evaluating.pk).update(stage=Stage.EVALUATING)
    audit_add(
        actor=admin,
        topic=evaluating,
        held_on=timezone.localdate(),
        panel="演练评估组",
        findings="演练。",
        verdict=Verdict.PASSED,
        documents=[_photo("report.jpg")],
    )
    vote = Vote.objects.filter(closed_at__isnull=True).order_by("pk").first()
    assert vote is not None
    ballot = Ballot.objects.filter(vote=vote).order_by("pk").first()
    assert ballot is not None
    ballot_cast(
        actor=admin,
        vote=vote,
        home=ballot.home,
        choices=dict.fromkeys(ballot.choices, "abstain"),
        channel=BallotChannel.DOOR,
        paper_no="drill-1",
    )
    # Django's own tables, written as the admin site and the login write them.
    group = Group.objects.create(name="备份演练")
    group.permissions.add(Permission.objects.order_by("pk").first())  # type: ignore[arg-type]
    admin.groups.add(group)
    admin.user_permissions.add(Permission.objects.order_by("pk").first())  # type: ignore[arg-type]
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=Group.objects.all(), action_flag=CHANGE, single_object=True
    )
    session = SessionStore()
    session["drill"] = True
    session.create()
    # The account tables, as a failed login, two-step set-up and a reset request write them.
    Client().post(reverse("people:login"), {"username": admin.phone, "password": "wrong"})
    device = two_step_begin(person=admin)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    two_step_confirm(person=admin, code=f"{totp.token():06d}")
    two_step_recovery_issue(person=admin)
    password_reset_request(phone=str(admin.phone), address="127.0.0.1")


def _digests() -> dict[str, str]:
    """One digest per table over all its rows, in a stable order."""
    result = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return result


def _files() -> dict[str, bytes]:
    result = {}
    for name in stored_files(default_storage):
        with default_storage.open(name, "rb") as handle:
            result[name] = handle.read()
    return result


def _empty_tables() -> set[str]:
    with connection.cursor() as cursor:
        empty = set()
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is None:
                empty.add(table)
    return empty


def _damage() -> None:
    """What a bad day does: rows changed, rows deleted, a file lost, a stranger added."""
    Ballot.objects.all().delete()
    Person.objects.filter(pk__in=Person.objects.order_by("pk").values("pk")[:5]).update(name="被改")
    Place.objects.filter(kind=PlaceKind.HOME).update(area=Decimal("1.00"))
    default_storage.delete(next(iter(stored_files(default_storage))))
    default_storage.save("stray/left-behind.txt", io.BytesIO(b"not in the backup"))


@pytest.mark.usefixtures("default_categories")
def test_restore_brings_back_every_table_row_by_row_and_every_file(
    tmp_path: Path, settings: Any
) -> None:
    started = time.monotonic()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    play_story()
    _fill_what_the_demo_leaves_empty()
    tables = set(connection.introspection.table_names())
    assert tables - _empty_tables() == tables - set(EXCLUDED)

    before, files = _digests(), _files()
    path = tmp_path / "drill.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    assert _digests() == before, "a backup must change nothing"

    _damage()
    assert _digests() != before
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)

    assert "已恢复并核对无误" in out.getvalue()
    after = _digests()
    changed = {t for t in tables if after[t] != before[t]}
    assert changed == {AuditEvent._meta.db_table}, "only the restore's own event is new"
    restored = AuditEvent.objects.order_by("-id").first()
    assert restored is not None
    assert restored.verb == "core.backup.restored"
    assert _files() == files
    assert audit_verify().ok
    with tarfile.open(path) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    sys.stdout.write(
        f"\nbackup drill on {connection.vendor}: {len(tables)} tables, "
        f"{sum(manifest['tables'].values())} rows, {len(files)} files, "
        f"{path.stat().st_size // 1024} KiB, {time.monotonic() - started:.1f} s\n"
    )


def _backup(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "small.tar.gz"
    return path, backup_create(path=path)


def _rewrite(path: Path, change: dict[str, Any]) -> Path:
    """The same backup with its manifest changed."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        members = [(m, archive.extractfile(m)) for m in archive.getmembers()]
        forged = path.with_name("forged.tar.gz")
        with tarfile.open(forged, "w:gz") as out:
            for member, handle in members:
                if member.name == "manifest.json":
                    data = json.dumps(manifest | change).encode()
                    member.size = len(data)
                    out.addfile(member, io.BytesIO(data))
                else:
                    out.addfile(member, handle)
    return forged


def _refused(path: Path, places: dict[str, Place]) -> str:
    before = _digests()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    assert refused.value.returncode == 2
    assert _digests() == before
    return str(refused.value)


def test_a_backup_records_migrations_row_counts_and_the_audit_head(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    _, manifest = _backup(tmp_path)
    assert manifest["format"] == FORMAT
    assert manifest["engine"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["core"]
    assert manifest["tables"]["places_place"] == Place.objects.count()
    last = AuditEvent.objects.order_by("-id").first()
    assert manifest["audit"]["head"] == (last.hash if last else "")


def test_restore_refuses_a_file_that_is_not_a_backup(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    junk = tmp_path / "notes.tar.gz"
    junk.write_bytes(b"shopping list")
    assert "不是亲邻备份文件" in _refused(junk, places)


def test_restore_refuses_a_backup_of_the_other_engine(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    path, _ = _backup(tmp_path)
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    assert "不能恢复到" in _refused(_rewrite(path, {"engine": other}), places)


def test_restore_refuses_a_backup_from_newer_code(tmp_path: Path, places: dict[str, Place]) -> None:
    path, manifest = _backup(tmp_path)
    migrations = manifest["migrations"] | {"core": [*manifest["migrations"]["core"], "9999_x"]}
    message = _refused(_rewrite(path, {"migrations": migrations}), places)
    assert "core.9999_x" in message


def test_restore_refuses_an_archive_reaching_outside_the_media_folder(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    path, _ = _backup(tmp_path)
    with tarfile.open(path, "r:gz") as archive:
        members = [(m, archive.extractfile(m)) for m in archive.getmembers()]
        evil = tmp_path / "evil.tar.gz"
        with tarfile.open(evil, "w:gz") as out:
            for member, handle in members:
                out.addfile(member, handle)
            sneaky = tarfile.TarInfo("media/../../etc/cron.d/x")
            sneaky.size = 1
            out.addfile(sneaky, io.BytesIO(b"x"))
    assert "不是亲邻备份文件" in _refused(evil, places)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file is SQLite's")
def test_a_sqlite_backup_is_a_database_sqlite_opens(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    path, manifest = _backup(tmp_path)
    with tarfile.open(path, "r:gz") as archive:
        archive.extract("db.sqlite3", tmp_path, filter="data")
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        count = copy.execute("SELECT COUNT(*) FROM places_place").fetchone()[0]
    finally:
        copy.close()
    assert count == manifest["tables"]["places_place"]


def test_backup_into_a_missing_folder_is_refused_with_exit_2(tmp_path: Path, places) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "nowhere" / "b.tar.gz"))
    assert refused.value.returncode == 2
    assert "不存在" in str(refused.value)


def test_restore_check_describes_the_backup_and_changes_nothing(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    path, _ = _backup(tmp_path)
    Place.objects.filter(kind=PlaceKind.HOME).update(area=Decimal("1.00"))
    before = _digests()
    out = io.StringIO()
    call_command("restore", str(path), "--check", stdout=out)
    assert "可以恢复：small.tar.gz" in out.getvalue()
    assert _digests() == before


def test_a_backup_without_media_leaves_the_stored_files_out_and_alone(
    tmp_path: Path, places: dict[str, Place]
) -> None:
    default_storage.save("kept/photo.jpg", io.BytesIO(jpeg((1, 2, 3))))
    path = tmp_path / "db-only.tar.gz"
    call_command("backup", str(path), "--no-media", stdout=io.StringIO())
    with tarfile.open(path) as archive:
        assert not [n for n in archive.getnames() if n.startswith("media/")]
    default_storage.save("later/photo.jpg", io.BytesIO(jpeg((4, 5, 6))))
    call_command("restore", str(path), stdout=io.StringIO())
    assert set(stored_files(default_storage)) == {"kept/photo.jpg", "later/photo.jpg"}
