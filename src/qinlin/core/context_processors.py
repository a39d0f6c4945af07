from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qinlin.core.permissions import can


def qinlin(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    person = user if user is not None and user.is_authenticated else None
    return {
        "site_name": settings.QINLIN_SITE_NAME,
        "uses_workspace": bool(person) and can(person, "core.use_workspace"),
    }
