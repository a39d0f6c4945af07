"""Shared pieces of the notification tests: fixed local times, robots, and readable rows."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django_tasks_db.models import DBTaskResult

from qinlin.notify.kinds import Channel, Kind
from qinlin.notify.models import Notification, Platform, Robot
from qinlin.places.models import Place

SHANGHAI = ZoneInfo("Asia/Shanghai")


def dead_url() -> str:
    """An address on the loopback where nothing listens: a port just given up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot"


def local(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    """An instant on 2 March 2026, Asia/Shanghai (where the quiet hours are counted)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


NOON = local(12)


def robot(
    place: Place,
    *,
    kinds: list[Kind],
    platform: str = Platform.WEBHOOK,
    url: str = "http://127.0.0.1:1/robot",
    secret: str = "",
    language: str = "zh-hans",
    active: bool = True,
    name: str = "上河园网格工作群",
) -> Robot:
    return Robot.objects.create(
        place=place,
        name=name,
        platform=platform,
        url=url,
        secret=secret,
        kinds=[str(k) for k in kinds],
        language=language,
        active=active,
    )


def rows(event_key: str | None = None, /, **filters: object) -> set[tuple[str, str]]:
    """(recipient, channel) of the messages written, the recipient by name."""
    found = Notification.objects.filter(**filters).select_related("person", "robot")
    if event_key is not None:
        found = found.filter(event_key=event_key)
    return {(str(n.person or n.robot), n.channel) for n in found}


def in_app(**filters: object) -> set[str]:
    """Who got an in-app message (filtered, e.g. by kind)."""
    return {name for name, channel in rows(**filters) if channel == Channel.IN_APP}


def queued(event_key: str) -> list[DBTaskResult[..., Any]]:
    """The delivery tasks queued for an event."""
    return [
        t
        for t in DBTaskResult.objects.filter(task_path="qinlin.notify.delivery.deliver")
        if t.args_kwargs["args"] == [event_key]
    ]
