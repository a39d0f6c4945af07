"""API input no view can use, refused before any view reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


class RefuseNulMiddleware:
    """In the API, a NUL character in the path or a query parameter is refused in the API's
    own validation form (422), which every operation with parameters documents. PostgreSQL
    cannot store or even compare text holding one, so it would otherwise reach the database
    as a server error. Pages keep their own answer: their forms refuse a NUL on the field and
    keep what was typed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in(request) if request.path.startswith("/api/") else None
        if where is None:
            return self.get_response(request)
        message = _("请求中含有无法处理的空字符（NUL），请删除后重试。")
        return JsonResponse({"detail": [{"loc": list(where), "msg": message}]}, status=422)


def _nul_in(request: HttpRequest) -> tuple[str, str] | None:
    if NUL in request.path:
        return ("path", "")
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return ("query", name)
    # Form posts are left to their forms: Django's CharField refuses a NUL with an error on
    # the field and gives the page back with everything else that was typed.
    return None
