"""The security walk's world, built once per module (its records take a few seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.walk import Answers, Walker, walk_all
from tests.security.world import World, build


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, media: Path) -> Iterator[World]:
    """Made in a transaction that is rolled back when the module's tests are done."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        made = build()
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def walker(world: World, media: Path, settings: Any) -> Walker:
    # The files the world's records point to are in the module's media folder.
    settings.MEDIA_ROOT = media
    return Walker(world)


@pytest.fixture(scope="module")
def module_walker(world: World) -> Walker:
    return Walker(world)


@pytest.fixture(scope="module")
def answers(world: World, module_walker: Walker) -> Answers:
    """Every page and operation, asked once by every persona (GET and POST for pages)."""
    return walk_all(module_walker, world)
