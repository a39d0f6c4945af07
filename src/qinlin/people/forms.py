"""Shapes of input for the people pages; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from qinlin.people.models import Relation
from qinlin.people.services import normalise_phone


def _code_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "tel", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("手机号码或密码不正确，请重新输入。"),
        "inactive": _("此账号已停用，请联系社区工作人员。"),
    }

    def clean_username(self) -> str:
        return normalise_phone(self.cleaned_data["username"])


class SignupForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少 8 位，不要全是数字。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    claim_code = forms.CharField(
        label=_("入户认证码（选填）"),
        max_length=12,
        required=False,
        help_text=_("手机号已登记在房屋名册中的业主，需填写工作人员发放的认证码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class ClaimForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("我与这套房屋的关系"), choices=Relation.choices, widget=forms.RadioSelect
    )


class ClaimCodeForm(forms.Form):
    code = forms.CharField(
        label=_("入户认证码"),
        max_length=12,
        help_text=_("工作人员发放的纸条上的 8 位认证码，例如 K7QP-3MXA。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


class ClaimCodesForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("认证码对应的身份"), choices=Relation.choices, initial=Relation.OWNER
    )
    confirm = forms.BooleanField(
        label=_("我明白：重新生成后，这些房屋此前未使用的认证码全部作废。"), required=True
    )


class PersonEraseForm(forms.Form):
    reason = forms.CharField(
        label=_("删除理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如本人申请的日期和方式；记入审计日志。"),
    )


class LoginCodeForm(forms.Form):
    code = _code_field(_("验证器应用中的 6 位验证码"))


class TwoStepCodeForm(forms.Form):
    code = _code_field(_("验证码"))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少 8 位，不要全是数字。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordResetForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "username", "autofocus": True}
        ),
    )


class PasswordResetCodeForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少 8 位，不要全是数字。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
