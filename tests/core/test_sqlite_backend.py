"""The SQLite backend asks again for the write lock (core/sqlite/base.py); the eight writers of
tests/core/test_sqlite_writers.py exercise it for real."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.backends.sqlite3 import base

from qinlin.core.sqlite.base import ATTEMPTS, DatabaseWrapper


def _begin_failing(monkeypatch: pytest.MonkeyPatch, times: int, message: str) -> list[int]:
    calls: list[int] = []

    def begin(_self: object) -> None:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError(message)

    monkeypatch.setattr(base.DatabaseWrapper, "_start_transaction_under_autocommit", begin)
    return calls


def _begin() -> None:
    # The method under test reads nothing of the connection; a bare instance will do.
    DatabaseWrapper._start_transaction_under_autocommit(DatabaseWrapper.__new__(DatabaseWrapper))


def test_a_transaction_that_finds_the_write_lock_taken_asks_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _begin_failing(monkeypatch, ATTEMPTS - 1, "database is locked")
    _begin()
    assert len(calls) == ATTEMPTS


def test_after_the_last_attempt_the_error_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _begin_failing(monkeypatch, ATTEMPTS, "database is locked")
    with pytest.raises(OperationalError, match="database is locked"):
        _begin()
    assert len(calls) == ATTEMPTS


def test_other_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _begin_failing(monkeypatch, 1, "disk I/O error")
    with pytest.raises(OperationalError, match="disk I/O error"):
        _begin()
    assert len(calls) == 1
