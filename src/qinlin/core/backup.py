"""Backing up and restoring an installation: its database and its uploaded files.

A backup is one .tar.gz holding `manifest.json`, the database (`db.sqlite3`, copied with
SQLite's online backup API, or `db.dump` from `pg_dump -Fc`) and `media/…`, every file of
the default storage. The manifest records what restoring must reproduce: the applied
migrations, the rows of every table, the audit chain's head and a digest of every file.

Backing up writes nothing, so a backup is exactly what it copies. Restoring replaces the
whole database and every stored file, checks the result against the manifest, and then
appends one audit event saying which backup was restored (docs/security.md §8).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record, audit_verify, events_after
from qinlin.core.errors import DomainError
from qinlin.core.models import AuditEvent

FORMAT = "qinlin-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DATABASE = {"sqlite": "db.sqlite3", "postgresql": "db.dump"}


class BackupError(DomainError):
    """The backup could not be made or the file cannot be restored; nothing was changed."""

    code = "backup_refused"


class RestoreCheckError(Exception):
    """The restored data does not match its manifest: the restore happened and is wrong."""


@dataclass(frozen=True)
class Facts:
    """What the manifest records about a database."""

    migrations: dict[str, list[str]]
    tables: dict[str, int]
    head: str
    events: int


def _engine() -> str:
    if connection.vendor not in DATABASE:
        raise BackupError(
            _("不支持备份 %(engine)s 数据库，只支持 SQLite 和 PostgreSQL。")
            % {"engine": connection.vendor},
            code="unsupported_engine",
        )
    return connection.vendor


def _quote(table: str) -> str:
    return connection.ops.quote_name(table)


def _facts(cursor: Any, tables: list[str]) -> Facts:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - introspected names
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    cursor.execute("SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1")
    last = cursor.fetchone()
    return Facts(
        migrations=migrations,
        tables=counts,
        head=last[0] if last else "",
        events=counts.get(AuditEvent._meta.db_table, 0),
    )


def _live_facts() -> Facts:
    with connection.cursor() as cursor:
        return _facts(cursor, connection.introspection.table_names(cursor))


def client_tool(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, else the newest under /usr/lib/postgresql (Debian
    installs them there); a newer client reads and writes older servers' dumps, not the
    other way round."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[4]) if p.parts[4].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(
            _("找不到 PostgreSQL 客户端程序 %(tool)s：请安装 postgresql-client 后重试。")
            % {"tool": name},
            code="tool_missing",
        )
    return str(candidates[-1])


def _pg_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    command = [client_tool(tool), "--no-password"]
    if settings["HOST"]:
        command += ["--host", settings["HOST"]]
    if settings["PORT"]:
        command += ["--port", str(settings["PORT"])]
    if settings["USER"]:
        command += ["--username", settings["USER"]]
    env = dict(os.environ)
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    return [*command, *args, "--dbname", settings["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - a PostgreSQL client with arguments we build
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败：%(error)s") % {"tool": Path(command[0]).name, "error": done.stderr},
            code="tool_failed",
        )


def _snapshot_sqlite(target: Path) -> Facts:
    # The online backup API copies a consistent image page by page while the server keeps
    # writing; the facts are read from the copy, so they describe exactly what was copied.
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return _facts(cursor, [row[0] for row in cursor.fetchall()])
    finally:
        copy.close()


def _snapshot_postgres(target: Path) -> Facts:
    # pg_dump dumps the snapshot this transaction exports, so the counts read here describe
    # the very rows it writes, however busy the server is.
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts(cursor, connection.introspection.table_names(cursor))
        command, env = _pg_command(
            "pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target)
        )
        _run(command, env)
    return facts


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the storage: a local folder walked, or a bucket listed."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for sub in sorted(folders):
        yield from stored_files(storage, f"{folder}{sub}/")


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, path: Path, media: bool = True) -> dict[str, Any]:
    """Write a backup of the database and (unless `media` is off) every stored file to
    `path`, and return its manifest. The file appears only once it is complete."""
    engine = _engine()
    path = path.resolve()
    with tempfile.TemporaryDirectory(prefix="qinlin-backup-") as scratch:
        database = Path(scratch) / DATABASE[engine]
        snapshot = _snapshot_sqlite if engine == "sqlite" else _snapshot_postgres
        facts = snapshot(database)
        partial = path.with_name(f".{path.name}.partial")
        files: dict[str, str] = {}
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(database, arcname=DATABASE[engine])
            for name in stored_files(default_storage) if media else ():
                with default_storage.open(name, "rb") as handle:
                    files[name] = _digest(handle)
                    handle.seek(0)
                    info = tarfile.TarInfo(MEDIA + name)
                    info.size = default_storage.size(name)
                    archive.addfile(info, handle)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "database": DATABASE[engine],
                "migrations": facts.migrations,
                "tables": facts.tables,
                "audit": {"head": facts.head, "events": facts.events},
                "media": files if media else None,
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
            _add_bytes(archive, MANIFEST, text.encode("utf-8"))
        partial.replace(path)
    return manifest


def _not_a_backup(path: Path) -> BackupError:
    return BackupError(
        _("%(file)s 不是亲邻备份文件（应为 qinlin backup 生成的 .tar.gz）。") % {"file": path.name},
        code="not_a_backup",
    )


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        raise _not_a_backup(path) from None
    if member is None:
        raise _not_a_backup(path)
    try:
        manifest = json.loads(member.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _not_a_backup(path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_backup(path)
    if manifest.get("version") != VERSION:
        raise BackupError(
            _("备份格式版本 %(version)s 无法由此版本读取。") % {"version": manifest.get("version")},
            code="bad_version",
        )
    return manifest


def _check_fits(manifest: dict[str, Any], engine: str) -> None:
    if manifest.get("engine") != engine:
        raise BackupError(
            _("这是 %(theirs)s 数据库的备份，不能恢复到 %(ours)s 数据库。")
            % {"theirs": manifest.get("engine"), "ours": engine},
            code="other_engine",
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {
        (app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names
    }
    newer = sorted(f"{app}.{name}" for app, name in applied - known)
    if newer:
        raise BackupError(
            _("备份来自更新的版本（含本程序没有的迁移：%(names)s），请先升级亲邻再恢复。")
            % {"names": "、".join(newer[:5])},
            code="newer_schema",
        )


def _media_members(archive: tarfile.TarFile, path: Path) -> dict[str, tarfile.TarInfo]:
    """The archive's stored files by storage name; anything that could land outside the
    storage (an absolute path, `..`, a link) makes the archive unusable."""
    members = {}
    for member in archive.getmembers():
        if not member.name.startswith(MEDIA):
            continue
        name = PurePosixPath(member.name[len(MEDIA) :])
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise _not_a_backup(path)
        members[str(name)] = member
    return members


def _restore_database(archive: tarfile.TarFile, manifest: dict[str, Any], scratch: Path) -> None:
    name = DATABASE[manifest["engine"]]
    archive.extract(name, scratch, filter="data")
    database = scratch / name
    if manifest["engine"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    # pg_restore works on its own connection; ours must hold no lock on the tables it drops.
    connection.close()
    command, env = _pg_command(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(database)
    )
    _run(command, env)


def _restore_media(archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> None:
    for name in list(stored_files(default_storage)):
        default_storage.delete(name)
    for name, member in members.items():
        handle = archive.extractfile(member)
        if handle is None:  # pragma: no cover - _media_members keeps regular files only
            continue
        saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise RestoreCheckError(name)


def _check_restored(manifest: dict[str, Any]) -> list[str]:
    problems = []
    facts = _live_facts()
    for table, rows in manifest["tables"].items():
        if facts.tables.get(table) != rows:
            problems.append(
                _("表 %(table)s 应有 %(expected)d 行，实有 %(actual)s 行。")
                % {"table": table, "expected": rows, "actual": facts.tables.get(table, "—")}
            )
    report = audit_verify()
    if not report.ok:
        problems.append(
            _("审计链已损坏。第一个损坏的事件：#%(id)s（%(reason)s）")
            % {"id": report.broken_id, "reason": report.reason}
        )
    head = manifest["audit"]["head"]
    if head and events_after(head) != 0:
        problems.append(_("恢复后的审计链头与备份记录的不同。"))
    for name, digest in (manifest.get("media") or {}).items():
        if not default_storage.exists(name):
            problems.append(_("缺少上传文件 %(name)s。") % {"name": name})
            continue
        with default_storage.open(name, "rb") as handle:
            if _digest(handle) != digest:
                problems.append(_("上传文件 %(name)s 与备份不符。") % {"name": name})
    return problems


def backup_inspect(*, path: Path) -> dict[str, Any]:
    """The manifest of a backup that this installation can restore; refuses anything else."""
    engine = _engine()
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = _read_manifest(archive, path)
            _check_fits(manifest, engine)
            _media_members(archive, path)
            if manifest.get("database") not in archive.getnames():
                raise _not_a_backup(path)
    except (OSError, tarfile.TarError, EOFError):
        raise _not_a_backup(path) from None
    return manifest


def backup_restore(*, path: Path) -> dict[str, Any]:
    """Replace the database and every stored file with the backup's, check them against its
    manifest (row counts, the audit chain and its head, file digests) and record the restore
    as the chain's next event. The server and worker must be stopped first."""
    manifest = backup_inspect(path=path)
    with (
        tarfile.open(path, "r:gz") as archive,
        tempfile.TemporaryDirectory(prefix="qinlin-restore-") as scratch,
    ):
        _restore_database(archive, manifest, Path(scratch))
        if manifest["media"] is not None:
            _restore_media(archive, _media_members(archive, path))
    problems = _check_restored(manifest)
    if problems:
        raise RestoreCheckError("\n".join(problems))
    audit_record(
        actor=None,
        verb="core.backup.restored",
        data={
            "file": path.name,
            "created_at": manifest["created_at"],
            "head": manifest["audit"]["head"],
        },
    )
    return manifest
