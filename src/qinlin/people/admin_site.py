"""The admin site: entered only through the login page, and by a person with two-step
verification only once their code was checked in this session."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device


class QinlinAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        return not user_has_device(user) or bool(user.is_verified())  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """The admin's own login form would let a password alone in; the site's asks for
        the second step. Someone logged in who may not enter is told so, not sent round."""
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('people:login')}?{urlencode({'next': target})}")


class QinlinAdminConfig(AdminConfig):
    """django.contrib.admin with QinlinAdminSite as `admin.site`."""

    default_site = "qinlin.people.admin_site.QinlinAdminSite"
