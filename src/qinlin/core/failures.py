"""The pages people get when a request fails outside any view: 400 for a request Django
refuses before routing it (a host name the site does not serve, a suspicious header), 503
while the database cannot be reached (the service is temporarily unavailable, and retrying
will work), 500 for anything else. The API answers each in JSON, in the form of its
documented errors (code, message, field).

Django calls `bad_request` (handler400) and `server_error` (handler500) with DEBUG off. Neither
reads from the database, so they answer even when that is the failure; the change the request
was making was rolled back with its transaction.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30


def _database_unreachable() -> bool:
    # Unreachable (refused, lost, shutting down, locked past the busy timeout) is an outage
    # that retrying cures; an IntegrityError or ProgrammingError is a bug, a 500.
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def _answer(
    request: HttpRequest, status: int, *, code: str, heading: str, explanation: str, advice: str
) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"code": code, "message": f"{heading}：{explanation}", "field": ""}
        return JsonResponse(body, status=status)
    context = {
        "site_name": settings.QINLIN_SITE_NAME,
        "heading": heading,
        "explanation": explanation,
        "advice": advice,
    }
    return HttpResponse(render_to_string("errors/page.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(
        request,
        400,
        code="bad_request",
        heading=_("请求无效"),
        explanation=_("服务器无法处理这个请求，没有保存任何内容。"),
        advice=_("请从首页重新打开要去的页面；如果一直如此，请联系社区工作人员。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if not _database_unreachable():
        return _answer(
            request,
            500,
            code="server_error",
            heading=_("服务器出错了"),
            explanation=_("处理您的请求时出错，您刚才的操作没有保存。"),
            advice=_("请稍后重试；如果一直如此，请联系社区工作人员。"),
        )
    response = _answer(
        request,
        503,
        code="unavailable",
        heading=_("服务暂时无法使用"),
        explanation=_("数据库暂时无法连接，您刚才的操作没有保存。"),
        advice=_("请稍等一两分钟后重试；如果一直如此，请联系社区工作人员。"),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
