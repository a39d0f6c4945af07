"""A person's data on request: the resident's own download, and the subdistrict admin's
export and erasure from the people register (people.personal_data)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.forms import PersonEraseForm
from qinlin.people.models import Person
from qinlin.people.personal_data import person_erase, person_export


def _download(data: bytes, subject: Person) -> HttpResponse:
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qinlin-{subject.uid}.json"'
    return response


def _subject(request: HttpRequest, uid: str) -> Person:
    subject = Person.objects.filter(uid=uid).first()
    if subject is None:
        raise Http404
    if not can(current_person(request), "people.personal_data", subject):
        raise PermissionDenied
    return subject


@require_POST
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """下载我的数据: everything stored about the signed-in person, as JSON."""
    person = current_person(request)
    return _download(person_export(person=person, actor=person), person)


@require_POST
@login_required
def person_data_export(request: HttpRequest, uid: str) -> HttpResponse:
    subject = _subject(request, uid)
    try:
        data = person_export(person=subject, actor=current_person(request))
    except ForbiddenError:
        raise PermissionDenied from None
    return _download(data, subject)


@login_required
def person_data_erase(request: HttpRequest, uid: str) -> HttpResponse:
    subject = _subject(request, uid)
    form = PersonEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erased = person_erase(
                person=subject, actor=current_person(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            exc.add_to(form)
        else:
            messages.success(
                request, _("已删除个人信息，此人现在显示为“%(name)s”。") % {"name": erased.name}
            )
            return redirect("core:workspace")
    return render(request, "people/person_erase.html", {"subject": subject, "form": form})
