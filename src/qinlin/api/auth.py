"""How API callers are recognised: a bearer token, or the browser's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from qinlin.api.services import api_token_person


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` for integrations."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = api_token_person(token)
        if person is not None:
            request.user = person
        return person


class OptionalTokenAuth(APIKeyHeader):
    """Lets anonymous callers through to public endpoints, while still recognising a token."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key and key.startswith("Bearer "):
            person = api_token_person(key.removeprefix("Bearer ").strip())
            if person is not None:
                request.user = person
                return person
        return True
