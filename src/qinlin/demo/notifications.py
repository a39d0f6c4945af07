"""The demo's notification set-up: 上河园's grid work group has a robot that posts new
appeals and notices, day and night, to the local test webhook `qinlin demo` starts."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from qinlin.core.roles import Role
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Platform, Robot
from qinlin.notify.services import robot_save
from qinlin.people.models import Person
from qinlin.places.models import Place

ROBOT_NAME = "上河园网格工作群"
SINK_PORT = 8019


def sink_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/robot/shanghe"


def allow_sink(port: int) -> None:
    """Let this process's robots post to this run's sink (`qinlin demo` serving)."""
    others = [p for p in settings.QINLIN_ROBOT_URL_PREFIXES if not p.endswith("/robot/shanghe")]
    settings.QINLIN_ROBOT_URL_PREFIXES = [*others, sink_url(port)]


def load_robots(people: dict[Role, Person], shanghe: Place) -> None:
    url = sink_url(SINK_PORT)
    allowed = [*settings.QINLIN_ROBOT_URL_PREFIXES, url]
    with override_settings(QINLIN_ROBOT_URL_PREFIXES=allowed):
        _save_robot(people, shanghe, url)


def _save_robot(people: dict[Role, Person], shanghe: Place, url: str) -> None:
    robot_save(
        actor=people[Role.COMMUNITY_STAFF],
        place=shanghe,
        name=ROBOT_NAME,
        platform=Platform.WEBHOOK,
        url=url,
        secret="demo-secret",  # noqa: S106 - the demo's own, printed for the local sink
        kinds=[Kind.NEW_APPEAL, Kind.NOTICE_PUBLISHED, Kind.TASK_OVERDUE],
        language="zh-hans",
        active=True,
        quiet_hours=False,
    )


def point_robots_at(port: int) -> Robot | None:
    """Aim the demo robot at the sink's port of this run (the port may change between runs)."""
    robot = Robot.objects.select_related("place", "created_by").filter(name=ROBOT_NAME).first()
    allow_sink(port)
    url = sink_url(port)
    if robot is None or robot.created_by is None or robot.url == url:
        return robot
    return robot_save(
        actor=robot.created_by,
        place=robot.place,
        name=robot.name,
        platform=robot.platform,
        url=url,
        secret=robot.secret,
        kinds=robot.kinds,
        language=robot.language,
        active=robot.active,
        quiet_hours=robot.quiet_hours,
        robot=robot,
    )
