"""Shapes of input for the places pages; the import service enforces the rules."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from qinlin.places.importing import MAX_FILE_BYTES

ACCEPTED_SUFFIXES = (".xlsx", ".csv")


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("房屋名册文件"),
        help_text=_("Excel 表格（.xlsx）或 CSV 文件，首行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("只检查，不导入"),
        required=False,
        help_text=_("检查文件并显示将会新建和更新多少，不改动任何数据。"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(
                _("请上传 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）。")
            )
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件太大（上限 10 MB）。"))
        return upload
