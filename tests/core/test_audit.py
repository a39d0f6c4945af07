"""The audit log is an append-only hash chain, and `qinlin audit-verify` says whether it holds."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from qinlin.cli import main as qinlin_main
from qinlin.core.audit import audit_record, audit_verify, event_hash, events_after
from qinlin.core.models import GENESIS_HASH, AppendOnlyError, AuditEvent
from qinlin.people.models import Person
from qinlin.places.models import Place

pytestmark = pytest.mark.django_db

# These tests break the chain on purpose; the check after each test (conftest) lets them.
tampered = pytest.mark.tampers_with_audit

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def _chain(n: int, actor: Person | None = None, obj: Place | None = None) -> list[AuditEvent]:
    return [
        audit_record(actor=actor, verb="tests.thing.happened", obj=obj, data={"n": i})
        for i in range(n)
    ]


@contextmanager
def _tamperable() -> Iterator[None]:
    """Lets raw SQL change the log, as an attacker with database access could.

    On PostgreSQL the trigger is disabled inside the test's own transaction, so the rollback
    at the end of the test restores it. PostgreSQL will not alter a table with deferred
    foreign-key checks pending (the actor column), so those run first.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield


def _raw_set_data(event: AuditEvent, data: dict[str, object]) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET data = {cast} WHERE id = %s",  # noqa: S608
            [json.dumps(data), event.pk],
        )


def _raw_delete(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


def test_each_event_links_to_the_hash_of_the_one_before(places, dave: Person) -> None:
    events = _chain(4, actor=dave, obj=places["home_a"])
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == 4


def test_event_records_actor_object_and_place(places, dave: Person) -> None:
    event = audit_record(actor=dave, verb="tests.thing.happened", obj=places["home_a"])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == dave
    assert stored.object_type == "places.place"
    assert stored.object_id == places["home_a"].uid
    assert stored.place_path == places["home_a"].path


def test_stored_hash_is_the_hash_of_the_stored_content(places) -> None:
    event = _chain(1, obj=places["compound_a"])[0]
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.hash == event_hash(
        prev_hash=stored.prev_hash,
        at=stored.at,
        actor_id=stored.actor_id,
        verb=stored.verb,
        object_type=stored.object_type,
        object_id=stored.object_id,
        place_path=stored.place_path,
        data=stored.data,
    )


def test_an_empty_log_verifies() -> None:
    report = audit_verify()
    assert report.ok
    assert report.checked == 0


def test_an_untouched_chain_verifies() -> None:
    _chain(5)
    report = audit_verify()
    assert report.ok
    assert report.checked == 5
    assert report.broken_id is None


def test_decimal_and_date_data_round_trip_and_still_verify(places) -> None:
    event = audit_record(
        actor=None,
        verb="tests.thing.happened",
        obj=places["home_a"],
        data={
            "area": Decimal("89.50"),
            "starts_on": date(2024, 5, 1),
            "at": datetime(2024, 5, 1, 8, 30, tzinfo=timezone.get_current_timezone()),
            "nested": {"b": [1, 2.5, None], "a": "上河园"},
        },
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data["area"] == "89.50"
    assert stored.data["starts_on"] == "2024-05-01"
    assert stored.data["at"].startswith("2024-05-01T08:30:00")
    assert stored.data["nested"] == {"a": "上河园", "b": [1, 2.5, None]}
    assert stored.data == event.data
    assert audit_verify().ok


def test_saving_an_existing_event_is_refused() -> None:
    event = _chain(1)[0]
    event.verb = "tests.thing.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_is_refused() -> None:
    event = _chain(1)[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused() -> None:
    _chain(2)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(verb="tests.thing.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(verb="tests.thing.happened").delete()
    assert AuditEvent.objects.count() == 2


@on_postgres
def test_postgres_refuses_raw_update() -> None:
    event = _chain(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw_set_data(event, {"n": 99})
    assert AuditEvent.objects.get(pk=event.pk).data == {"n": 0}


@on_postgres
def test_postgres_refuses_raw_delete() -> None:
    event = _chain(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw_delete(event)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@tampered
def test_changed_data_is_detected_at_that_event() -> None:
    events = _chain(5)
    with _tamperable():
        _raw_set_data(events[2], {"n": 99})
    report = audit_verify()
    assert not report.ok
    assert report.broken_id == events[2].pk
    assert report.checked == 2
    assert report.reason == "内容与摘要不符"


@tampered
def test_changed_data_with_a_recomputed_hash_breaks_the_next_link() -> None:
    events = _chain(4)
    target = events[1]
    forged = event_hash(
        prev_hash=target.prev_hash,
        at=target.at,
        actor_id=None,
        verb=target.verb,
        object_type="",
        object_id="",
        place_path="",
        data={"n": 99},
    )
    with _tamperable():
        _raw_set_data(target, {"n": 99})
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditevent SET hash = %s WHERE id = %s", [forged, target.pk]
            )
    report = audit_verify()
    assert report.broken_id == events[2].pk
    assert report.reason == "与前一事件的摘要衔接不上"


@tampered
def test_a_deleted_middle_event_is_detected_at_the_next_one() -> None:
    events = _chain(5)
    with _tamperable():
        _raw_delete(events[2])
    report = audit_verify()
    assert report.broken_id == events[3].pk
    assert report.checked == 2
    assert report.reason == "与前一事件的摘要衔接不上"


@tampered
def test_a_deleted_first_event_is_detected() -> None:
    events = _chain(3)
    with _tamperable():
        _raw_delete(events[0])
    assert audit_verify().broken_id == events[1].pk


@tampered
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("verb", "tests.thing.forged"),
        ("object_id", "someone-else"),
        ("place_path", "0000"),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_one_changed_field_of_a_middle_event_is_detected_at_that_event(
    column: str, value: str | datetime
) -> None:
    events = _chain(5)
    with _tamperable(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, events[2].pk],
        )
    report = audit_verify()
    assert (report.broken_id, report.checked) == (events[2].pk, 2)
    assert report.reason == "内容与摘要不符"


@tampered
def test_two_swapped_events_are_detected_where_the_order_breaks() -> None:
    events = _chain(5)
    first, second = events[1].pk, events[2].pk
    spare = events[-1].pk + 1000
    with _tamperable(), connection.cursor() as cursor:
        for old, new in ((first, spare), (second, first), (spare, second)):
            cursor.execute("UPDATE core_auditevent SET id = %s WHERE id = %s", [new, old])
    report = audit_verify()
    assert (report.broken_id, report.checked) == (first, 1)
    assert report.reason == "与前一事件的摘要衔接不上"


@tampered
def test_removing_the_newest_events_is_caught_by_the_head_published_before() -> None:
    events = _chain(5)
    published = events[2].hash
    assert events_after(published) == 2
    with _tamperable():
        for event in events[2:]:
            _raw_delete(event)
    assert audit_verify().ok, "the chain alone cannot show it"
    assert events_after(published) is None
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", head=published, stdout=StringIO(), stderr=err)
    assert exited.value.code == 1
    assert f"审计链中没有链头 {published}" in err.getvalue()


def test_command_confirms_a_published_head_is_still_in_the_chain() -> None:
    events = _chain(4)
    out = StringIO()
    call_command("audit_verify", head=events[1].hash, stdout=out)
    assert f"链头 {events[1].hash[:12]} 仍在链中，其后又记录了 2 条事件" in out.getvalue()


def test_command_refuses_a_head_that_is_not_a_hash() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("audit_verify", head="8d1c58")
    assert refused.value.returncode == 2
    assert "64 位十六进制摘要" in str(refused.value)


def test_two_events_cannot_follow_the_same_predecessor() -> None:
    """Two writers that both read the same head would fork the chain; the database refuses."""
    first = _chain(1)[0]
    at = timezone.now()
    fork = AuditEvent(
        at=at,
        verb="tests.thing.forked",
        prev_hash=first.prev_hash,
        hash=event_hash(
            prev_hash=first.prev_hash,
            at=at,
            actor_id=None,
            verb="tests.thing.forked",
            object_type="",
            object_id="",
            place_path="",
            data={},
        ),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    assert audit_verify().ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    errors: list[BaseException] = []

    def append() -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    audit_record(actor=None, verb="tests.thing.happened", data={"i": i})
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit_verify()
    assert report.ok
    assert report.checked == 60


def test_command_reports_an_intact_chain() -> None:
    _chain(3)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链完整：已核验 3 条事件" in out.getvalue()


@tampered
def test_command_names_the_first_broken_event_and_exits_1() -> None:
    events = _chain(3)
    with _tamperable():
        _raw_set_data(events[1], {"n": 99})
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert f"第一个损坏的事件：#{events[1].pk}（内容与摘要不符）" in err.getvalue()
    assert out.getvalue() == ""


def test_qinlin_audit_verify_runs_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    _chain(2)
    qinlin_main(["qinlin", "audit-verify"])
    assert "已核验 2 条事件" in capsys.readouterr().out


@tampered
def test_qinlin_audit_verify_exits_1_on_a_broken_chain(
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = _chain(2)
    with _tamperable():
        _raw_delete(events[0])
    with pytest.raises(SystemExit) as exited:
        qinlin_main(["qinlin", "audit-verify"])
    assert exited.value.code == 1
    assert f"#{events[1].pk}" in capsys.readouterr().err
