"""Run by test_worker_kill.py in a fresh interpreter against the worker's own database:
migrate it and write the robots' messages the worker will deliver.

    python -m tests.notify.kill_seed <sink url> <events> <every>

Every event posts to a generic-webhook robot at 上河园; every `every`-th event happens in
3号楼, where a WeCom robot posts too.
"""

from __future__ import annotations

import os
import sys

import django

SECRET = "kill-test-secret"


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinlin.settings")
    django.setup()
    from django.core.management import call_command

    from qinlin.notify.kinds import Kind
    from qinlin.notify.models import Platform, Robot
    from qinlin.notify.outbox import Compose, Message, notify_people
    from tests.factories import tree

    url, events, every = argv[0], int(argv[1]), int(argv[2])
    call_command("migrate", verbosity=0)
    places = tree()
    for place, platform in (
        (places["compound_a"], Platform.WEBHOOK),
        (places["building_a"], Platform.WECOM),
    ):
        Robot.objects.create(
            place=place,
            name=f"{place.name} {platform}",
            platform=platform,
            url=f"{url}{platform}?key=kill",
            secret=SECRET,
            kinds=[Kind.NEW_APPEAL],
        )

    def message(n: int) -> Compose:
        return lambda: Message(f"新诉求 #{n:03d}", "楼道灯坏了", f"/appeals/{n}/")

    for n in range(events):
        notify_people(
            kind=Kind.NEW_APPEAL,
            event_key=f"kill:{n:03d}",
            people=[],
            compose=message(n),
            place=places["building_a"] if n % every == 0 else places["compound_a"],
        )


if __name__ == "__main__":
    main(sys.argv[1:])
