"""Shapes of input for a person's notification choices and a place's group robots; the
services enforce the rules (an address format, the allowed robot addresses, who may)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qinlin.notify.kinds import PERSONAL_CHANNELS, Kind
from qinlin.notify.models import Platform
from qinlin.notify.services import ROBOT_KINDS

CHANNEL_PREFIX = "channels-"


def quiet_label() -> str:
    start, end = settings.QINLIN_QUIET_HOURS
    return _("夜间免打扰（%(start)s–%(end)s）") % {
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


class PreferencesForm(forms.Form):
    """The email address, the switches, and one row of channel boxes per kind shown."""

    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("选了“电子邮件”的通知发到这里；不填则不发邮件。"),
    )
    quiet_hours = forms.BooleanField(label=_("夜间免打扰"), required=False)
    digest = forms.BooleanField(label=_("工作提醒改为每日摘要"), required=False)

    def __init__(self, *args: Any, kinds: list[Kind], staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["quiet_hours"].label = quiet_label()
        if not staff:
            del self.fields["digest"]
        for kind in kinds:
            self.fields[CHANNEL_PREFIX + kind.value] = forms.MultipleChoiceField(
                label=kind.label,
                choices=[(c.value, c.label) for c in PERSONAL_CHANNELS],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def rows(self) -> list[tuple[Kind, forms.BoundField]]:
        return [(kind, self[CHANNEL_PREFIX + kind.value]) for kind in self.kinds]

    def channels(self) -> dict[str, list[str]]:
        return {kind.value: self.cleaned_data[CHANNEL_PREFIX + kind.value] for kind in self.kinds}


class RobotForm(forms.Form):
    place = forms.ChoiceField(label=_("所属地点"))
    name = forms.CharField(
        label=_("群名称"), max_length=60, help_text=_("例如：上河园网格工作群、3号楼业主群")
    )
    platform = forms.ChoiceField(label=_("平台"), choices=Platform.choices)
    url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=500,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("在群设置的“群机器人”里添加机器人后复制的完整地址。"),
    )
    secret = forms.CharField(
        label=_("加签密钥（可不填）"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("钉钉、飞书机器人开启“加签”时显示的密钥；通用 Webhook 用它签名。"),
    )
    clear_secret = forms.BooleanField(label=_("删除已保存的密钥"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("推送哪些通知"),
        choices=[(k.value, k.label) for k in ROBOT_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("消息语言"), choices=settings.LANGUAGES)
    quiet_hours = forms.BooleanField(
        label=_("夜间免打扰"),
        required=False,
        help_text=_("夜间的消息等到早上再发；值班的工作群可以关掉。"),
    )
    active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(
        self, *args: Any, places: list[tuple[str, str]], secret_saved: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]
        self.fields["quiet_hours"].label = quiet_label()
        if secret_saved:
            self.fields["secret"].label = _("加签密钥")
            self.fields["secret"].help_text = _("已保存。留空则保持不变；输入新的密钥则替换。")
        else:
            del self.fields["clear_secret"]
