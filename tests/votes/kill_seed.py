"""Run by test_server_kill.py in a fresh interpreter against the server's own database:
migrate it and open a door-to-door vote on unit 3-2 of 上河园 with `homes` homes.

    python -m tests.votes.kill_seed <homes>

Prints JSON: the vote's uid, the homes' uids, and the building head's phone and password.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

import django

PASSWORD = "kill-test-password"


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinlin.settings")
    django.setup()
    from django.core.management import call_command

    from qinlin.core.roles import Role
    from qinlin.places.models import PlaceKind
    from tests.factories import PlaceFactory, holding, tree
    from tests.votes.helpers import door_vote

    call_command("migrate", verbosity=0)
    places = tree()
    homes = [
        PlaceFactory.create(
            kind=PlaceKind.HOME, name=f"{1000 + i}", parent=places["unit_a"], area=Decimal("80")
        )
        for i in range(int(argv[0]))
    ]
    staff = holding("冯社工", Role.COMMUNITY_STAFF, places["community"])
    head = holding("陈楼长", Role.BUILDING_HEAD, places["building_a"])
    head.set_password(PASSWORD)
    head.save(update_fields=["password"])
    vote = door_vote(staff, places, changeable=True)
    json.dump(
        {"vote": vote.uid, "homes": [h.uid for h in homes], "phone": head.phone},
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
