"""Any number of app servers: the dashboard reads from a replica, uploads go through the
storage API, and the cache and sessions live in Redis (docs/operations.md).

The settings that switch these on are tested in tests/test_settings.py; here they are used.
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.core.files.storage import InMemoryStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from qinlin.appeals.models import Appeal, Category
from qinlin.core.db import REPLICA, reads_from_replica
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from tests.factories import PlaceFactory
from tests.stats.helpers import YEAR, build

REDIS_URL = "redis://127.0.0.1:6379/1"
YEAR_QUERY = f"from={YEAR}-01-01&to={YEAR}-12-31"


@pytest.fixture(scope="module", autouse=True)
def _replica(django_db_setup: None) -> Iterator[None]:
    """A `replica` alias that is a test mirror of the primary: its own connection to the
    same test database, as QINLIN_DATABASE_REPLICA_URL would give in production. Module
    scope, because the database markers check their aliases before a test's own fixtures."""
    config = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    config["TEST"] = {**config["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[REPLICA] = config  # the same dict as settings.DATABASES
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def _tables(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


# The replica's connection sees only committed rows, hence transactional tests.
on_both = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@on_both
@pytest.mark.usefixtures("default_categories")
def test_the_dashboard_reads_its_figures_from_the_replica(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    build(places, frank)
    client.force_login(frank)
    url = reverse("stats:dashboard-place", args=[places["community"].uid]) + "?" + YEAR_QUERY
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert "topics_topic" in _tables(replica)
    assert "appeals_appeal" in _tables(replica)
    # The primary answers only who is asking (the session and the person), before the view.
    assert len(primary) <= 2, _tables(primary)
    assert "django_session" in _tables(primary)
    assert "topics_topic" not in _tables(primary)


@on_both
@pytest.mark.usefixtures("default_categories")
def test_the_lists_the_report_and_the_api_read_from_the_replica(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    build(places, frank)
    client.force_login(frank)
    uid = places["community"].uid
    urls = [
        reverse("stats:list", args=[uid, "topics_resolved"]) + "?" + YEAR_QUERY,
        reverse("stats:report", args=[uid, YEAR]),
        reverse("stats:report-xlsx", args=[uid, YEAR]),
        f"/api/v1/stats/{uid}?{YEAR_QUERY}",
    ]
    for url in urls:
        # Each page computes its figures here, rather than reusing those the one before kept
        # in the cache (stats/cache.py): the point is where computing them reads.
        cache.clear()
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPLICA]) as replica,
        ):
            assert client.get(url).status_code == 200, url
        assert "topics_topic" in _tables(replica), url
        assert "topics_topic" not in _tables(primary), url


@on_both
def test_writes_and_reads_inside_a_transaction_stay_on_the_primary(
    places: dict[str, Place],
) -> None:
    with (
        reads_from_replica(),
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        read = Place.objects.get(pk=places["compound_a"].pk)
        assert read._state.db == REPLICA
        PlaceFactory.create(kind=PlaceKind.BUILDING, name="9号楼", parent=read)
        with transaction.atomic():
            locked = Place.objects.get(pk=places["compound_b"].pk)
        assert locked._state.db == DEFAULT_DB_ALIAS
    assert "INSERT" not in _tables(replica)
    assert "INSERT" in _tables(primary)
    assert Place.objects.filter(name="9号楼", parent=places["compound_a"]).exists()


@on_both
def test_outside_the_context_and_without_a_replica_everything_reads_the_primary(
    places: dict[str, Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        assert Place.objects.get(pk=places["compound_a"].pk)._state.db == DEFAULT_DB_ALIAS
        monkeypatch.delitem(connections.settings, REPLICA)
        with reads_from_replica():
            assert Place.objects.get(pk=places["compound_a"].pk)._state.db == DEFAULT_DB_ALIAS
    assert len(replica) == 0


# --- uploads -----------------------------------------------------------------------------


def _photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "door.jpg"
    return buffer


@pytest.mark.django_db
def test_an_appeals_photo_is_stored_and_served_through_the_storage_api(
    client: Client, alice: Person, places: dict[str, Place], settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    client.force_login(alice)
    response = client.post(
        reverse("appeals:appeal-new"),
        {
            "category": Category.objects.get(code="property").pk,
            "text": "单元门坏了，关不上",
            "place": places["unit_a"].uid,
            "photos": [_photo()],
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    name = appeal.photos.get().image.name
    assert isinstance(default_storage, InMemoryStorage)
    assert default_storage.exists(name)
    # Nothing reached the disk: another server would not have found it there.
    assert not settings.MEDIA_ROOT.exists()
    served = client.get(reverse("appeals:photo", args=[appeal.uid, 0]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    content = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    served.close()
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (40, 30)


# --- Redis -------------------------------------------------------------------------------


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[redis.Redis]:
    """The cache and sessions as QINLIN_REDIS_URL configures them, in Redis DB 1 under a
    prefix of this test's own, removed afterwards."""
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answering at {REDIS_URL}: {error}")
    prefix = f"test-scaleout-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield server
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()


def test_counters_in_redis_count_every_increment_from_many_threads(
    redis_cache: redis.Redis,
) -> None:
    assert cache.add("appeals:per-minute", 0, timeout=60)
    assert not cache.add("appeals:per-minute", 0, timeout=60)

    def bump() -> None:
        for _ in range(50):
            cache.incr("appeals:per-minute")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("appeals:per-minute") == 400


@pytest.mark.django_db
def test_a_session_lives_in_redis_and_survives_a_redis_flush(
    client: Client, alice: Person, redis_cache: redis.Redis, settings: Any
) -> None:
    client.force_login(alice)
    home = reverse("core:home")
    assert client.get(home).status_code == 200
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    sessions = list(redis_cache.scan_iter(f"{prefix}:*cached_db*"))
    assert len(sessions) == 1
    redis_cache.delete(*sessions)
    assert client.get(home).status_code == 200
