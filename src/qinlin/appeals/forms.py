"""Shapes of input for the appeal pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.models import AppealStatus, Category, Channel
from qinlin.appeals.photos import MAX_PHOTOS
from qinlin.places.models import Place, PlaceKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (photos.clean_photo)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]


class AppealForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("是哪方面的事？"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    text = forms.CharField(
        label=_("请说说是什么事"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("例如：3号楼2单元的单元门关不上，晚上谁都能进。")}
        ),
    )
    place = forms.ChoiceField(label=_("在哪里"))
    photos = PhotosField(
        label=_("照片（选填，最多 6 张）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(
        self, *args: Any, places: list[tuple[str, str]], categories: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        if places:
            self.fields["place"].initial = places[0][0]


def _place_options(scopes: list[Place]) -> list[tuple[str, str]]:
    """Compounds, and below a compound its buildings and units, for staff selects."""
    options: list[tuple[str, str]] = []
    for scope in scopes:
        kinds = (
            [PlaceKind.COMPOUND]
            if scope.kind in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY)
            else [PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT]
        )
        rows = (
            Place.objects.filter(scope.subtree_q(), kind__in=kinds)
            .select_related("parent__parent")
            .order_by("path")
        )
        options.extend((p.uid, p.address) for p in rows)
    return options


class InboxFilterForm(forms.Form):
    place = forms.ChoiceField(label=_("地点"), required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.all(), required=False, empty_label=_("全部")
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部")), *Channel.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *AppealStatus.choices], required=False
    )
    date_from = forms.DateField(
        label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, scopes: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("全部")), *_place_options(scopes)]  # type: ignore[attr-defined]


class TriageForm(forms.Form):
    """One of the four decisions, for one appeal or a batch."""

    action = forms.ChoiceField(
        choices=[
            ("accept", _("纳入议题")),
            ("refer", _("转办")),
            ("reject", _("不予受理")),
            ("resolve", _("现场解决")),
        ]
    )
    uids = forms.CharField(required=False)
    topic = forms.CharField(required=False)
    title = forms.CharField(required=False, max_length=120)
    to = forms.CharField(required=False, max_length=100)
    note = forms.CharField(required=False, max_length=2000)


class EntryForm(forms.Form):
    """Fast entry of appeals heard offline; channel and place stay between entries."""

    # Online appeals are filed by residents themselves; staff enter the offline channels.
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        initial=Channel.DOOR_MEETING,
    )
    place = forms.ChoiceField(label=_("地点"))
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
    )
    reporter_name = forms.CharField(
        label=_("反映人姓名"),
        max_length=50,
        help_text=_("可只写姓氏，如“王女士”。"),
    )
    reporter_phone = forms.CharField(
        label=_("反映人电话（选填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args: Any, scopes: list[Place], categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _place_options(scopes)  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
