"""Sign-up, claiming a home, and the staff pages that confirm people (login and the other
account pages: account_views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError
from qinlin.core.paging import KeyedPaginator
from qinlin.core.permissions import can
from qinlin.people import services
from qinlin.people.current import current_person
from qinlin.people.forms import ClaimCodeForm, ClaimCodesForm, ClaimForm, SignupForm
from qinlin.people.models import Person, Residency
from qinlin.people.selectors import people_under
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_ancestors


def _place(uid: str) -> Place:
    return get_object_or_404(Place, uid=uid)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:start")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                phone=form.cleaned_data["phone"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                language=get_language() or "zh-hans",
                claim_code=form.cleaned_data["claim_code"],
            )
        except DomainError as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。下一步：认证您的房屋。"))
            return redirect("people:claim")
    return render(request, "people/signup.html", {"form": form})


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    """Find one's home by walking down the tree (no typing needed on a phone), then claim it."""
    person = current_person(request)
    uid = request.GET.get("place") or request.POST.get("place")
    place = _place(uid) if uid else None
    if place is None:
        choices = Place.objects.filter(kind=PlaceKind.COMPOUND).order_by("name")
        query = request.GET.get("q", "").strip()
        if query:
            choices = choices.filter(name__icontains=query)
        return render(
            request,
            "people/claim.html",
            {"place": None, "choices": choices[:60], "q": query, "ancestors": []},
        )
    ancestors = [p for p in place_ancestors(place) if p.kind not in ("subdistrict", "community")]
    if place.kind != PlaceKind.HOME:
        return render(
            request,
            "people/claim.html",
            {"place": place, "choices": place.children.order_by("path"), "ancestors": ancestors},
        )
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.residency_claim(
                person=person, home=place, relation=form.cleaned_data["relation"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已提交，等待楼长或网格员确认。"))
            return redirect("core:home")
    return render(
        request, "people/claim.html", {"place": place, "form": form, "ancestors": ancestors}
    )


@login_required
def claim_code(request: HttpRequest) -> HttpResponse:
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            residency = services.residency_claim_with_code(
                person=current_person(request), code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(request, _("认证成功：%(home)s。") % {"home": residency.home.name})
            return redirect("core:home")
    return render(request, "people/claim_code.html", {"form": form})


@require_POST
@login_required
def residency_decide(request: HttpRequest, uid: str) -> HttpResponse:
    residency = get_object_or_404(Residency.objects.select_related("home", "person"), uid=uid)
    decision = request.POST.get("decision")
    if decision not in {"confirm", "reject"}:
        messages.error(request, _("请选择确认或驳回。"))
        return redirect("core:workspace")
    try:
        services.residency_decide(
            actor=current_person(request),
            residency=residency,
            approve=decision == "confirm",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if decision == "confirm":
            messages.success(
                request, _("已确认 %(name)s 的房屋认证。") % {"name": residency.person.name}
            )
        else:
            messages.success(
                request, _("已驳回 %(name)s 的房屋认证。") % {"name": residency.person.name}
            )
    return redirect("core:workspace")


@login_required
def claim_codes(request: HttpRequest, uid: str) -> HttpResponse:
    """Generate and print one-time claim codes for every home under a building or unit."""
    place = _place(uid)
    person = current_person(request)
    if not can(person, "people.issue_claim_codes", place):
        raise PermissionDenied
    if place.kind not in (PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOME):
        return render(
            request,
            "people/claim_codes_pick.html",
            {"place": place, "children": place.children.order_by("path")},
        )
    form = ClaimCodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.claim_codes_issue(
                actor=person, place=place, relation=form.cleaned_data["relation"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            ancestors = [
                p for p in place_ancestors(place) if p.kind not in ("subdistrict", "community")
            ]
            return render(
                request,
                "people/claim_codes_print.html",
                {"place": place, "codes": codes, "ancestors": ancestors},
            )
    return render(request, "people/claim_codes.html", {"place": place, "form": form})


@login_required
def people_list(request: HttpRequest, uid: str) -> HttpResponse:
    place = _place(uid)
    person = current_person(request)
    if not can(person, "people.view_people", place):
        raise PermissionDenied
    page = KeyedPaginator(people_under(place), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/people_list.html",
        {
            "place": place,
            "page": page,
            "can_reveal": can(person, "people.view_phone", place),
            "can_manage_data": can(person, "people.personal_data", place),
        },
    )


@require_POST
@login_required
def phone_reveal(request: HttpRequest, uid: str) -> HttpResponse:
    subject = Person.objects.filter(uid=uid).first()
    if subject is None:
        raise Http404
    try:
        phone = services.person_phone_reveal(viewer=current_person(request), person=subject)
    except DomainError:
        raise PermissionDenied from None
    return render(request, "people/phone.html", {"subject": subject, "phone": phone})
