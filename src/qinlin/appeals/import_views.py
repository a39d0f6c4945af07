"""The staff page that imports a building chat group's export into a compound as appeals."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qinlin.appeals.importing import COLUMNS, appeals_import
from qinlin.appeals.models import Category
from qinlin.appeals.selectors import categories_active
from qinlin.core.errors import DomainError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.places.importing import MAX_FILE_BYTES, ImportRejected, read_rows
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_ancestors

ACCEPTED_SUFFIXES = (".xlsx", ".csv")


class ChatImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("聊天记录文件"),
        help_text=gettext_lazy("Excel 表格（.xlsx）或 CSV 文件，首行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("默认类别"),
        queryset=Category.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("“类别”一栏为空的消息归入这个类别。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = categories_active()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(
                _("请上传 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）。")
            )
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件太大（上限 10 MB）。"))
        return upload


@require_http_methods(["GET", "POST"])
@login_required
def appeal_import(request: HttpRequest, uid: str) -> HttpResponse:
    """Upload a chat group's export; a rejected file lists every row to fix."""
    place = get_object_or_404(Place, uid=uid)
    person = request.user
    assert isinstance(person, Person)
    if not can(person, "appeals.import", place):
        raise PermissionDenied
    context: dict[str, Any] = {
        "place": place,
        "ancestors": place_ancestors(place),
        "columns": COLUMNS,
        "is_compound": place.kind == PlaceKind.COMPOUND,
    }
    if not context["is_compound"]:
        return render(request, "appeals/import.html", context)
    form = ChatImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = appeals_import(
                actor=person,
                compound=place,
                rows=read_rows(upload.read(), upload.name or ""),
                default_category=form.cleaned_data["category"],
            )
        except ImportRejected as exc:
            context["rejected"] = exc
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            context["report"] = report
            messages.success(request, _("群消息已导入。"))
    return render(request, "appeals/import.html", context)
