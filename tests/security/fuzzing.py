"""schemathesis over the whole OpenAPI document of /api/v1, in-process through the WSGI
application, as several roles (API tokens); shared by tests/security/test_fuzz_api.py and
bench/fuzz_api.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from qinlin.api.api import api
from qinlin.api.services import api_token_issue
from tests.security.world import World

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

# Left out: a request that fits the schema may still be refused by a rule of the domain
# (403, 409, "a notice written freely needs place, title and body"); pydantic ignores
# unknown fields rather than refusing them; the public endpoints take a token (the optional
# Authorization header) but need none.
NOT_CHECKED = [
    positive_data_acceptance,
    negative_data_rejection,
    ignored_auth,
    missing_required_header,
]

# The roles the fuzzer calls as: a resident, the grid worker, the community and the admin.
ROLES = ("alice", "dave", "frank", "grace")


def tokens(world: World) -> dict[str, str]:
    return {
        name: api_token_issue(actor=None, person=world.people[name], name="fuzz")[1]
        for name in ROLES
    }


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """The WSGI handler would close the connection after each request, and with it the test's
    transaction: the test client unhooks the same signal for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(case: schemathesis.Case[Any], token: str) -> None:
    """One generated request, rolled back after its checks: no 5xx, the status code and body
    as documented."""
    with transaction.atomic():
        case.call_and_validate(
            base_url="http://localhost",
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=NOT_CHECKED,
        )
        transaction.set_rollback(True)
