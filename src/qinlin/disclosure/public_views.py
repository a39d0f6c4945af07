"""The public side of disclosure, readable without logging in: a published notice's page (with
its objections and the answers), its A4 print view with a QR code, its chat-group text, and a
place's list of notices. Drafts do not exist here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.masking import mask_name
from qinlin.core.ratelimit import Client
from qinlin.disclosure.forms import ObjectionForm
from qinlin.disclosure.models import Notice, NoticeStatus
from qinlin.disclosure.rendering import chat_text, issuer, public_url, qr_svg
from qinlin.disclosure.selectors import notice_get, notices_public_under
from qinlin.disclosure.services import may_object, objection_file
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.places.models import Place


def _public(uid: str) -> Notice:
    notice = notice_get(uid)
    if notice is None or notice.state == NoticeStatus.DRAFT:
        raise Http404
    return notice


def _page(
    request: HttpRequest, notice: Notice, form: Any = None, status: int = 200
) -> HttpResponse:
    user = request.user
    objecting = notice.in_period() and isinstance(user, Person) and may_object(user, notice)
    community, compound = issuer(notice.place)
    context = {
        "notice": notice,
        "community": community,
        "compound": compound,
        "objections": [(o, mask_name(o.author_name)) for o in notice.objections.all()],
        "objection_form": (form or ObjectionForm()) if objecting else None,
        "login_to_object": notice.in_period() and not user.is_authenticated,
    }
    return render(request, "disclosure/public_notice.html", context, status=status)


def notice_public(request: HttpRequest, uid: str) -> HttpResponse:
    return _page(request, _public(uid))


def notice_print(request: HttpRequest, uid: str) -> HttpResponse:
    """An A4 sheet for a notice board, in type large enough to read from two metres."""
    notice = _public(uid)
    community, compound = issuer(notice.place)
    url = public_url(request, notice)
    return render(
        request,
        "disclosure/notice_print.html",
        {
            "notice": notice,
            "community": community,
            "compound": compound,
            "url": url,
            "qr": qr_svg(url),
        },
    )


def notice_text(request: HttpRequest, uid: str) -> HttpResponse:
    """The text to paste into a chat group."""
    return HttpResponse(chat_text(request, _public(uid)), content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def objection_file_view(request: HttpRequest, uid: str) -> HttpResponse:
    notice = _public(uid)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            objection_file(
                actor=current_person(request),
                notice=notice,
                text=form.cleaned_data["text"],
                client=Client.of(request),
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("异议已提交，答复会公开在这里。"))
            return redirect(reverse("public:notice", args=[uid]) + "#objections")
    return _page(request, notice, form, status=400)


def notices_of_place(request: HttpRequest, uid: str) -> HttpResponse:
    place = Place.objects.select_related("parent__parent").filter(uid=uid).first()
    if place is None:
        raise Http404
    return render(
        request,
        "disclosure/place_notices.html",
        {"place": place, "notices": list(notices_public_under(place)[:100])},
    )
