"""Issue 14, item 5: schemathesis over every operation of /api/v1, as four roles, with the
world of tests/security/world.py; bounded here (25 cases per operation and role), 500 and
more in `make soak` (bench/fuzz_api.py)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.security.fuzzing import ROLES, call, in_test_transaction, schema, tokens
from tests.security.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def role_tokens(world: World) -> dict[str, str]:
    return tokens(world)


@schema.parametrize()
@settings(
    # bench/fuzz_api.py (`make soak`) runs the same test with QINLIN_FUZZ_EXAMPLES=500.
    max_examples=int(os.environ.get("QINLIN_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_generated_request_as_documented(
    case: object, role: str, role_tokens: dict[str, str]
) -> None:
    with in_test_transaction():
        call(case, role_tokens[role])  # type: ignore[arg-type]
