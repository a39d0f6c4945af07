"""The one NinjaAPI at /api/v1; each domain app adds a router from its `api.py`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from qinlin.api.services import api_token_person
from qinlin.core.errors import DomainError


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


api = NinjaAPI(
    title="Qinlin API",
    version="1",
    description=str(_("亲邻议事开放接口：地点、人员及各业务模块。")),
    urls_namespace="api",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": exc.code, "message": str(exc.message), "field": exc.field},
        status=exc.status,
    )


from qinlin.people.api import router as people_router  # noqa: E402
from qinlin.places.api import router as places_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/people", people_router)
