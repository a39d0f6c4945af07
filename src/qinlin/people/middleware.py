"""Staff sessions end after QINLIN_STAFF_IDLE_MINUTES without a request.

Staff pages show households' names, phones and votes; a workstation left logged in at the
community office should not stay open for the cookie's two weeks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from qinlin.core.permissions import can
from qinlin.people.models import Person

SEEN_KEY = "qinlin_seen"
# Whether the session is a staff one is decided at login: a page then costs no role query.
STAFF_KEY = "qinlin_staff"
# The last-seen time is written at most this often, not on every request.
_SEEN_RESOLUTION = 60


def session_mark_staff(
    sender: object, request: HttpRequest, user: Person, **kwargs: object
) -> None:
    """At login (user_logged_in): note whether the idle limit applies to this session."""
    if can(user, "core.use_workspace"):
        request.session[STAFF_KEY] = True
        request.session[SEEN_KEY] = int(time.time())


class StaffIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(STAFF_KEY) and request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen > settings.QINLIN_STAFF_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    _("您已超过 %(minutes)s 分钟没有操作，为保护居民信息已自动退出，请重新登录。")
                    % {"minutes": settings.QINLIN_STAFF_IDLE_MINUTES},
                )
                login = reverse("people:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if not isinstance(seen, int) or now - seen >= _SEEN_RESOLUTION:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
