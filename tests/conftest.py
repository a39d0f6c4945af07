"""Personas shared by every test (style.md rule 19).

alice lives in compound A (上河园) and owns 3-2-101; bob lives in compound B; carol is the
building head of A's building 3; dave is A's grid worker; erin is A's branch secretary;
frank is community staff; grace is the subdistrict admin; oscar is an outsider with a login
and no home.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from qinlin.core.audit import audit_verify
from qinlin.core.ratelimit import HOUR, LIMITS
from qinlin.core.roles import Role
from qinlin.people.models import Person
from qinlin.places.models import Place
from tests.factories import PersonFactory, holding, resident_of, tree


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in zh-hans: a page requested in English leaves the thread's
    language active, and commands called in-process would then answer in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploads made by tests land in a temporary folder, not in the project's data/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache, which outlives a test's database; each test
    starts with none spent (tests/core/test_ratelimit.py spends them on purpose)."""
    cache.clear()


@pytest.fixture
def no_rate_limits(settings: Any) -> None:
    """For a test that files more than an hour's worth through a page or the API on purpose
    (fuzzing, load): every abuse limit of core/ratelimit.py off."""
    settings.QINLIN_RATE_LIMITS = dict.fromkeys(LIMITS, (0, 0, HOUR))


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Argon2 is slow on purpose; tests create hundreds of people and test no hash strength
    (tests/test_settings.py checks that production settings use Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _notifications_never_fail_quietly(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """In production a broken notification handler is logged and the change goes through;
    in tests it is a failure."""
    yield
    broken = [r for r in caplog.records if r.name == "qinlin.notify.events"]
    assert not broken, broken[0].getMessage() + "\n" + str(broken[0].exc_text)


@pytest.fixture(autouse=True)
def _audit_chain_holds(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that used the database leaves an audit chain that verifies.

    Each test's data is rolled back (or flushed), so the chain is checked at the end of each
    test rather than once per session: the database is set up before this fixture, so it is
    still there when this one ends. A test that breaks the chain on purpose says so with
    `@pytest.mark.tampers_with_audit`."""
    uses_db = "_django_db_helper" in request.fixturenames or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db or request.node.get_closest_marker("tampers_with_audit"):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    yield
    if connection.needs_rollback:
        # The test's transaction is already lost (a command run through run_from_argv closes
        # the connection, which on PostgreSQL rolls it back): nothing of it is left to verify.
        return
    report = audit_verify()
    assert report.ok, f"the audit chain breaks at event #{report.broken_id}: {report.reason}"


@pytest.fixture
def places(db: None) -> dict[str, Place]:
    return tree()


@pytest.fixture
def alice(places: dict[str, Place]) -> Person:
    return resident_of(places["home_a"], name="李爱丽")


@pytest.fixture
def bob(places: dict[str, Place]) -> Person:
    return resident_of(places["home_b"], name="王博")


@pytest.fixture
def carol(places: dict[str, Place]) -> Person:
    return holding("陈楼长", Role.BUILDING_HEAD, places["building_a"])


@pytest.fixture
def dave(places: dict[str, Place]) -> Person:
    return holding("杜网格", Role.GRID_WORKER, places["compound_a"])


@pytest.fixture
def erin(places: dict[str, Place]) -> Person:
    return holding("郑书记", Role.BRANCH_SECRETARY, places["compound_a"])


@pytest.fixture
def frank(places: dict[str, Place]) -> Person:
    return holding("冯社工", Role.COMMUNITY_STAFF, places["community"])


@pytest.fixture
def grace(places: dict[str, Place]) -> Person:
    return holding("葛主任", Role.SUBDISTRICT_ADMIN, places["subdistrict"])


@pytest.fixture
def oscar(db: None) -> Person:
    return PersonFactory.create(name="欧外人")


@pytest.fixture
def default_categories(transactional_db: None) -> None:
    """The six categories a data migration loads; an earlier transactional test's flush may
    have emptied the table, and rolling back serialised data clashes with the content types
    that flush recreates, so the migration's own function puts them back."""
    migration = importlib.import_module("qinlin.appeals.migrations.0003_default_categories")
    migration.add(apps, None)
