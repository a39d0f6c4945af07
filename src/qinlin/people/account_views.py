"""The account pages: login (with its second step and its lockout), the security settings
(password, two-step verification) and "forgot password"."""

from __future__ import annotations

import time
from base64 import b32encode
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from qinlin.core.errors import DomainError
from qinlin.core.permissions import can
from qinlin.core.ratelimit import client_ip
from qinlin.people import services
from qinlin.people.current import current_person
from qinlin.people.forms import (
    LoginCodeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetCodeForm,
    PasswordResetForm,
    TwoStepCodeForm,
)
from qinlin.people.models import Person

# Between the password and the code, the session holds who passed the first step, not a login.
PENDING_KEY = "qinlin_two_step"
PENDING_SECONDS = 300
PENDING_TRIES = 5
RESET_PHONE_KEY = "qinlin_reset_phone"


class LoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Django's view names the site by its host; the top bar names it as every page does.
        context.pop("site_name", None)
        context.pop("site", None)
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        person = form.get_user()
        if services.two_step_device(person) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "person": person.pk,
            "backend": getattr(person, "backend", ""),
            "since": int(time.time()),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("people:login-code")


class LogoutView(auth_views.LogoutView):
    pass


def _pending(request: HttpRequest) -> tuple[Person, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending["since"] > PENDING_SECONDS:
        return None
    person = Person.objects.filter(pk=pending["person"], is_active=True).first()
    return (person, pending) if person is not None else None


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app, or one of the recovery codes.
    Until it is right the session is not logged in; wrong codes count as failed logins for
    the phone and the address."""
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("请重新输入手机号码和密码。"))
        return redirect("people:login")
    person, pending = found
    device = services.two_step_device(person)
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and device is not None:
        code = "".join(form.cleaned_data["code"].split())
        allowed, _detail = device.verify_is_allowed()
        used = device if allowed and device.verify_token(code) else None
        recovery = services.two_step_recovery_device(person) if used is None else None
        if recovery is not None and len(code) == 8 and recovery.verify_token(code):
            used, allowed = recovery, True
        if used is not None:
            del request.session[PENDING_KEY]
            login(request, person, backend=pending["backend"] or None)
            otp_login(request, used)
            return redirect(pending["next"])
        pending["tries"] += 1
        request.session[PENDING_KEY] = pending
        user_login_failed.send(
            sender=__name__, credentials={Person.USERNAME_FIELD: person.phone}, request=request
        )
        if pending["tries"] >= PENDING_TRIES:
            del request.session[PENDING_KEY]
            messages.error(request, _("验证码错误次数过多，请重新登录。"))
            return redirect("people:login")
        form.add_error(
            "code",
            _("验证码不正确，请输入验证器应用中当前显示的 6 位数字。")
            if allowed
            else _("尝试过于频繁，请稍等片刻再输入。"),
        )
    return render(request, "people/login_code.html", {"form": form})


def login_locked(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """What django-axes answers a locked phone or address (AXES_LOCKOUT_CALLABLE). The
    same words for every phone, registered or not; each further try restarts the wait."""
    until = timezone.localtime() + timedelta(minutes=settings.QINLIN_LOGIN_LOCK_MINUTES)
    context = {"until": until, "minutes": settings.QINLIN_LOGIN_LOCK_MINUTES}
    return render(request, "people/locked.html", context, status=429)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """账号安全: change the password; the way to two-step verification for staff."""
    person = current_person(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_password_change(
                person=person,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            exc.add_to(form)
        else:
            # This session goes on under the new hash; every other one has ended.
            update_session_auth_hash(request, person)
            messages.success(request, _("密码已修改，其他设备上的登录已全部退出。"))
            return redirect("people:security")
    return render(
        request,
        "people/security.html",
        {
            "form": form,
            "two_step_on": services.two_step_device(person) is not None,
            "may_use_two_step": can(person, "core.use_workspace"),
        },
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def two_step(request: HttpRequest) -> HttpResponse:
    """两步验证: set up (a QR code and the secret as text), confirm with a code, turn off."""
    person = current_person(request)
    device = services.two_step_device(person)
    if device is None and not can(person, "core.use_workspace"):
        raise PermissionDenied
    form = TwoStepCodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "begin":
                services.two_step_begin(person=person)
                return redirect("people:two-step")
            if action == "confirm" and form.is_valid():
                confirmed = services.two_step_confirm(person=person, code=form.cleaned_data["code"])
                otp_login(request, confirmed)
                messages.success(
                    request, _("两步验证已开启。以后登录时，输入密码后还需输入验证码。")
                )
                return _recovery_codes(request, services.two_step_recovery_issue(person=person))
            if action == "recovery" and form.is_valid():
                codes = services.two_step_recovery_renew(
                    person=person, code=form.cleaned_data["code"]
                )
                return _recovery_codes(request, codes)
            if action == "disable" and form.is_valid():
                services.two_step_disable(person=person, code=form.cleaned_data["code"])
                messages.success(request, _("两步验证已关闭。"))
                return redirect("people:security")
        except DomainError as exc:
            exc.add_to(form)
    setting_up = services.two_step_device(person, confirmed=False) if device is None else None
    recovery = services.two_step_recovery_device(person) if device is not None else None
    context: dict[str, Any] = {
        "form": form,
        "device": device,
        "setting_up": setting_up,
        "recovery_left": recovery.token_set.count() if recovery is not None else 0,
    }
    if setting_up is not None:
        # segno writes the SVG from the otpauth address's bits; nothing in it is user text.
        context["qr"] = mark_safe(  # noqa: S308
            segno.make(setting_up.config_url, error="m").svg_inline(border=2, omitsize=True)
        )
        context["secret"] = _grouped(b32encode(setting_up.bin_key).decode())
    return render(request, "people/two_step.html", context)


def _recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The recovery codes, shown this once: only the person's screen ever has them."""
    return render(request, "people/two_step_recovery.html", {"codes": codes})


def password_reset(request: HttpRequest) -> HttpResponse:
    """忘记密码: whatever phone is entered, the next page says the same thing."""
    if request.user.is_authenticated:
        return redirect("people:security")
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = services.normalise_phone(form.cleaned_data["phone"])
        services.password_reset_request(phone=phone, address=client_ip(request))
        request.session[RESET_PHONE_KEY] = phone
        return redirect("people:password-reset-code")
    return render(request, "people/password_reset.html", {"form": form})


def password_reset_code(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:security")
    phone = request.session.get(RESET_PHONE_KEY, "")
    form = PasswordResetCodeForm(request.POST or None, initial={"phone": phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            exc.add_to(form)
        else:
            request.session.pop(RESET_PHONE_KEY, None)
            messages.success(request, _("密码已重设，请用新密码登录。"))
            return redirect("people:login")
    context = {
        "form": form,
        "minutes": settings.QINLIN_RESET_CODE_MINUTES,
        "per_hour": settings.QINLIN_RESET_PER_PHONE_HOUR,
    }
    return render(request, "people/password_reset_code.html", context)
