"""Shapes of input for the appeal pages; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from qinlin.appeals.models import Category
from qinlin.appeals.photos import MAX_PHOTOS


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
