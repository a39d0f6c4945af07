"""The page people get when the server fails: 503 while the database cannot be reached (the
service is temporarily unavailable, and retrying will work), 500 for anything else.

Django calls `server_error` (handler500) for any exception a view or middleware lets escape,
with DEBUG off. It reads nothing from the database, so it answers even when that is the
failure; the change the request was making was rolled back with its transaction.
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


def server_error(request: HttpRequest) -> HttpResponse:
    if _database_unreachable():
        status = 503
        heading = _("服务暂时无法使用")
        explanation = _("数据库暂时无法连接，您刚才的操作没有保存。")
        advice = _("请稍等一两分钟后重试；如果一直如此，请联系社区工作人员。")
    else:
        status = 500
        heading = _("服务器出错了")
        explanation = _("处理您的请求时出错，您刚才的操作没有保存。")
        advice = _("请稍后重试；如果一直如此，请联系社区工作人员。")
    if request.path.startswith("/api/"):
        code = "unavailable" if status == 503 else "server_error"
        response: HttpResponse = JsonResponse(
            {"detail": f"{heading}：{explanation}", "code": code}, status=status
        )
    else:
        context = {
            "site_name": settings.QINLIN_SITE_NAME,
            "heading": heading,
            "explanation": explanation,
            "advice": advice,
        }
        response = HttpResponse(render_to_string("errors/page.html", context), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
