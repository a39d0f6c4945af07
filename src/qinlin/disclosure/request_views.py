"""Pages for requests for disclosure (依申请公开): a resident files a request and follows it;
staff see the open requests under their places, earliest due first, assign them, draft the
answer notice (published on the notice's own page) or refuse with a reason."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client
from qinlin.disclosure.forms_requests import (
    RequestAnswerForm,
    RequestAssignForm,
    RequestFileForm,
    RequestRefuseForm,
)
from qinlin.disclosure.models import OPEN_REQUEST, DisclosureRequest, NoticeStatus
from qinlin.disclosure.selectors import requests_open_under
from qinlin.disclosure.services import (
    request_answer_draft,
    request_assign,
    request_file,
    request_refuse,
)
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import (
    assignee_choices,
    person_confirmed_homes,
    person_role_assignments,
)
from qinlin.places.models import Place, PlaceKind

# The places a resident may ask about: never a whole community, never one home.
_ASKABLE_KINDS = (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)
LIST_LIMIT = 200
# Sentence-final punctuation dropped when a request's text is quoted in a title.
_END = "。．.！!？?；;，,、 "


# --- residents -------------------------------------------------------------------------------


def _askable_places(person: Person) -> list[tuple[str, str]]:
    """The compound of each confirmed home, then its building and unit, in tree order (two
    queries whatever the number of homes)."""
    paths = {path for home in person_confirmed_homes(person) for path in home.ancestor_paths}
    if not paths:
        return []
    found = {
        p.path: p
        for p in Place.objects.filter(path__in=paths, kind__in=_ASKABLE_KINDS).order_by("path")
    }
    return [
        (place.uid, " ".join(found[a].name for a in place.ancestor_paths if a in found))
        for place in found.values()
    ]


def _my_requests_page(
    request: HttpRequest,
    person: Person,
    form: RequestFileForm,
    *,
    can_file: bool,
    status: int = 200,
) -> HttpResponse:
    mine = list(
        DisclosureRequest.objects.filter(requester=person)
        .select_related("place__parent__parent", "notice")
        .order_by("-at", "-id")[:LIST_LIMIT]
    )
    return render(
        request,
        "disclosure/my_requests.html",
        {
            "form": form,
            "requests": mine,
            "can_file": can_file,
            "due_days": settings.QINLIN_DISCLOSURE_DUE_DAYS,
        },
        status=status,
    )


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """我的公开申请: the resident's requests with their answers, and the form to file one."""
    person = current_person(request)
    places = _askable_places(person)
    # A post with no fields at all is still a post: it gets its errors, not a blank form.
    form = RequestFileForm(request.POST if request.method == "POST" else None, places=places)
    if request.method != "POST":
        return _my_requests_page(request, person, form, can_file=bool(places))
    if form.is_valid():
        place = Place.objects.filter(uid=form.cleaned_data["place"]).first()
        if place is None:
            raise PermissionDenied
        try:
            filed = request_file(
                actor=person, place=place, text=form.cleaned_data["text"], client=Client.of(request)
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("已登记您的申请，答复期限为 %(due)s。") % {"due": filed.due_on.isoformat()},
            )
            return redirect("disclosure:my-requests")
    return _my_requests_page(request, person, form, can_file=bool(places), status=400)


# --- staff -----------------------------------------------------------------------------------


def _request_places(person: Person) -> list[Place]:
    places: dict[int, Place] = {}
    for assignment in person_role_assignments(person):
        if can(person, "disclosure.requests", assignment.place):
            places.setdefault(assignment.place.pk, assignment.place)
    return list(places.values())


@login_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    """The open requests under the person's places, earliest due first; overdue in red."""
    person = current_person(request)
    places = _request_places(person)
    if not places:
        raise PermissionDenied
    rows = [
        (r, _due_days(r.due_on))
        for r in requests_open_under(places).select_related("place__parent__parent", "notice")[
            :LIST_LIMIT
        ]
    ]
    return render(
        request,
        "disclosure/requests.html",
        {"rows": rows, "overdue": sum(1 for _r, late in rows if late > 0)},
    )


def _request_for(person: Person, uid: str) -> DisclosureRequest:
    """The request if the person handles requests at its place; a 404 that reveals nothing
    to anyone else."""
    found = (
        DisclosureRequest.objects.filter(uid=uid)
        .select_related("place__parent__parent", "requester", "assignee", "notice")
        .first()
    )
    if found is None or not can(person, "disclosure.requests", found.place):
        raise Http404
    return found


def _due_days(due_on: date) -> int:
    """Days past the due date (positive) or left before it (negative or zero)."""
    return (timezone.localdate() - due_on).days


def _request_page(
    request: HttpRequest,
    found: DisclosureRequest,
    *,
    assign_form: RequestAssignForm | None = None,
    answer_form: RequestAnswerForm | None = None,
    refuse_form: RequestRefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = current_person(request)
    is_open = found.status in OPEN_REQUEST
    draft = found.notice if found.notice and found.notice.state == NoticeStatus.DRAFT else None
    context: dict[str, object] = {
        "req": found,
        "is_open": is_open,
        "draft": draft,
        "late": _due_days(found.due_on),
    }
    if is_open:
        people = assignee_choices("disclosure.requests", found.place)
        context["can_assign"] = bool(people)
        context["assign_form"] = assign_form or RequestAssignForm(
            people=people,
            initial={"assignee": found.assignee.uid if found.assignee else ""},
        )
        context["can_draft"] = draft is None and can(person, "disclosure.publish", found.place)
        context["answer_form"] = answer_form or RequestAnswerForm(
            initial={
                "title": _("关于“%(text)s”的公开答复")
                % {"text": Truncator(" ".join(found.text.split()).rstrip(_END)).chars(30)}
            }
        )
        context["refuse_form"] = refuse_form or RequestRefuseForm()
    return render(request, "disclosure/request_detail.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _request_page(request, _request_for(current_person(request), uid))


def _closed(request: HttpRequest, found: DisclosureRequest, error: ConflictError) -> HttpResponse:
    """Someone else closed the request (or drafted its answer) meanwhile: say so, show it."""
    messages.error(request, str(error))
    return redirect("disclosure:request", uid=found.uid)


@login_required
@require_POST
def request_assign_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    found = _request_for(person, uid)
    form = RequestAssignForm(
        request.POST, people=assignee_choices("disclosure.requests", found.place)
    )
    if form.is_valid():
        assignee = Person.objects.get(uid=form.cleaned_data["assignee"])
        try:
            request_assign(actor=person, request=found, assignee=assignee)
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, found, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已交由 %(name)s 承办。") % {"name": assignee.name})
            return redirect("disclosure:request", uid=found.uid)
    return _request_page(request, found, assign_form=form, status=400)


@login_required
@require_POST
def request_answer_view(request: HttpRequest, uid: str) -> HttpResponse:
    """Draft the answer notice; it is edited and published on the notice's own page, and
    publishing it answers the request."""
    person = current_person(request)
    found = _request_for(person, uid)
    form = RequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            notice = request_answer_draft(
                actor=person,
                request=found,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, found, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("答复公示的草稿已保存。请核对内容，选择公开渠道后发布。"))
            return redirect("disclosure:notice", uid=notice.uid)
    return _request_page(request, found, answer_form=form, status=400)


@login_required
@require_POST
def request_refuse_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    found = _request_for(person, uid)
    form = RequestRefuseForm(request.POST)
    if form.is_valid():
        try:
            request_refuse(actor=person, request=found, reason=form.cleaned_data["reason"])
        except ForbiddenError:
            raise PermissionDenied from None
        except ConflictError as error:
            return _closed(request, found, error)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已答复申请人：不予公开。"))
            return redirect("disclosure:request", uid=found.uid)
    return _request_page(request, found, refuse_form=form, status=400)
