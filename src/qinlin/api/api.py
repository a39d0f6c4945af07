"""The one NinjaAPI at /api/v1; each domain app adds a router from its `api.py`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from qinlin.api.auth import TokenAuth
from qinlin.core.errors import DomainError
from qinlin.core.ratelimit import RateLimitedError

# What django-ninja answers, before any endpoint runs, to parameters or a body that do not
# match their schema; documented on every operation that takes either.
INVALID_REQUEST: dict[str, Any] = {
    "description": "The parameters or the body do not match their schema; `detail` lists "
    "each problem with its location (`loc`) and message (`msg`).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["detail"],
                "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
            }
        }
    },
}


# A body that is not JSON at all (see http_error below), on every operation that takes one.
UNREADABLE_BODY: dict[str, Any] = {
    "description": "The body is not JSON (`code` is `bad_body`).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        }
    },
}


class QinlinAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, INVALID_REQUEST)
                if operation.get("requestBody"):
                    responses.setdefault(400, UNREADABLE_BODY)
        return schema


api = QinlinAPI(
    title="Qinlin API",
    version="1",
    description=str(_("亲邻议事开放接口：地点、人员及各业务模块。")),
    urls_namespace="api",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = api.create_response(
        request,
        {"code": exc.code, "message": str(exc.message), "field": exc.field},
        status=exc.status,
    )
    if isinstance(exc, RateLimitedError):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """A body that is not JSON at all is answered like every other bad input (code, message,
    field), as each operation documents its 400; other HTTP errors keep django-ninja's form."""
    if exc.status_code == 400:
        body = {"code": "bad_body", "message": str(_("请求正文不是有效的 JSON。")), "field": ""}
        return api.create_response(request, body, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from qinlin.appeals.api import router as appeals_router  # noqa: E402
from qinlin.disclosure.api import router as disclosure_router  # noqa: E402
from qinlin.evaluation.api import router as evaluation_router  # noqa: E402
from qinlin.notify.api import router as notifications_router  # noqa: E402
from qinlin.organisations.activity_api import router as activities_router  # noqa: E402
from qinlin.organisations.api import router as organisations_router  # noqa: E402
from qinlin.people.api import router as people_router  # noqa: E402
from qinlin.places.api import router as places_router  # noqa: E402
from qinlin.stats.api import router as stats_router  # noqa: E402
from qinlin.topics.api import meetings_router  # noqa: E402
from qinlin.topics.api import router as topics_router  # noqa: E402
from qinlin.works.api import router as works_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/people", people_router)
api.add_router("/appeals", appeals_router)
api.add_router("/topics", topics_router)
api.add_router("/meetings", meetings_router)
api.add_router("/works", works_router)
api.add_router("/activities", activities_router)
api.add_router("/disclosure", disclosure_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/organisations", organisations_router)
api.add_router("/notifications", notifications_router)
api.add_router("/stats", stats_router)
