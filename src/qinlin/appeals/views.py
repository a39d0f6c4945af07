"""Appeal pages for residents: file an appeal, follow "my appeals", read one appeal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.appeals.forms import AppealForm, EntryForm, InboxFilterForm, TriageForm
from qinlin.appeals.models import Appeal, AppealStatus, Category, Channel
from qinlin.appeals.permissions import can_triage, can_view
from qinlin.appeals.selectors import (
    InboxFilters,
    appeal_get,
    appeals_inbox,
    appeals_of,
    categories_active,
    inbox_places,
    similar_to,
)
from qinlin.appeals.services import (
    appeal_accept,
    appeal_refer,
    appeal_reject,
    appeal_resolve,
    appeal_submit,
    category_save,
)
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.files import private_file
from qinlin.core.paging import KeyedPaginator
from qinlin.core.permissions import can
from qinlin.core.ratelimit import Client
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import person_confirmed_homes, person_role_assignments
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_ancestors
from qinlin.topics.models import Topic


def _place_choices(person: Person) -> list[tuple[str, str]]:
    """The resident's homes, then the unit, building and compound around each (no repeats)."""
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    homes = list(person_confirmed_homes(person))
    chains = [
        [
            a
            for a in place_ancestors(h)
            if a.kind not in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY)
        ]
        for h in homes
    ]
    for home, chain in zip(homes, chains, strict=True):
        label = " ".join(p.name for p in [*chain, home])
        choices.append((home.uid, _("我家（%(home)s）") % {"home": label}))
        seen.add(home.uid)
    for chain in chains:
        for depth, place in reversed(list(enumerate(chain))):
            if place.uid in seen:
                continue
            seen.add(place.uid)
            choices.append((place.uid, " ".join(p.name for p in chain[: depth + 1])))
    return choices


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    """A resident raises a matter from a phone: category, a few words, where, photos."""
    person = current_person(request)
    places = _place_choices(person)
    if not places:
        return render(request, "appeals/not_resident.html")
    categories = categories_active()
    posted = request.method == "POST"
    # A post with no fields at all is still a post: it gets its errors, not a blank form.
    form = AppealForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        places=places,
        categories=categories,
    )
    if posted and form.is_valid():
        place = Place.objects.get(uid=form.cleaned_data["place"])
        try:
            appeal, _created = appeal_submit(
                actor=person,
                reporter=person,
                text=form.cleaned_data["text"],
                category=form.cleaned_data["category"],
                place=place,
                channel=Channel.ONLINE,
                photos=[(f.name or "", f) for f in form.cleaned_data["photos"]],
                client=Client.of(request),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已收到您反映的事情，处理进展会显示在“我的诉求”里。"))
            return redirect("appeals:appeal-detail", uid=appeal.uid)
    return render(request, "appeals/appeal_new.html", {"form": form})


def _topic_households(appeals: list[Appeal]) -> dict[int, int]:
    from qinlin.appeals.selectors import topic_households

    topics = list({a.topic_id: a.topic for a in appeals if a.topic is not None}.values())
    return topic_households([t for t in topics if isinstance(t, Topic)])


@login_required
def my_appeals(request: HttpRequest) -> HttpResponse:
    appeals = list(appeals_of(current_person(request))[:100])
    households = _topic_households(appeals)
    rows = [(a, households.get(a.topic_id or 0, 0)) for a in appeals]
    return render(
        request,
        "appeals/my_appeals.html",
        {"rows": rows, "language": get_language()},
    )


def _visible(request: HttpRequest, uid: str) -> Appeal:
    """The appeal if the person may see it; others get a 404 that reveals nothing."""
    try:
        appeal = appeal_get(uid)
    except NotFoundError:
        raise Http404 from None
    if not can_view(current_person(request), appeal):
        raise Http404
    return appeal


@login_required
def appeal_detail(request: HttpRequest, uid: str) -> HttpResponse:
    appeal = _visible(request, uid)
    households = _topic_households([appeal]).get(appeal.topic_id or 0, 0)
    similar = similar_to(appeal) if appeal.status == AppealStatus.NEW else None
    others = len({a.household_id or -a.pk for a, _score in similar.appeals}) if similar else 0
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "households": households,
            "similar_households": others,
            "is_reporter": appeal.reporter_id == request.user.pk,
            "similar": similar,
            "can_triage": appeal.status == AppealStatus.NEW
            and can_triage(current_person(request), appeal),
            "language": get_language(),
        },
    )


@login_required
def appeal_photo(request: HttpRequest, uid: str, n: int) -> FileResponse:
    """Photos are served through the permission check, never from a public media URL."""
    appeal = _visible(request, uid)
    photos = list(appeal.photos.all())
    if not 0 <= n < len(photos):
        raise Http404
    return private_file(photos[n].image.name)


def _triage(person: Person, form: TriageForm, appeals: list[Appeal]) -> str:
    """Apply one triage decision to a batch (atomically, in the services); the message."""
    data = form.cleaned_data
    action = data["action"]
    if action == "accept":
        topic = Topic.objects.filter(uid=data["topic"]).first() if data["topic"] else None
        topic = appeal_accept(actor=person, appeals=appeals, topic=topic, title=data["title"])
        return _("已将 %(n)s 条诉求纳入议题“%(title)s”。") % {
            "n": len(appeals),
            "title": topic.title,
        }
    if action == "refer":
        appeal_refer(actor=person, appeals=appeals, to=data["to"], note=data["note"])
        return _("已转办 %(n)s 条诉求。") % {"n": len(appeals)}
    if action == "reject":
        appeal_reject(actor=person, appeals=appeals, reason=data["note"])
        return _("已不予受理 %(n)s 条诉求。") % {"n": len(appeals)}
    appeal_resolve(actor=person, appeals=appeals, note=data["note"])
    return _("已记录 %(n)s 条诉求现场解决。") % {"n": len(appeals)}


def _selected(uids: list[str]) -> list[Appeal]:
    return list(Appeal.objects.filter(uid__in=[u for u in uids if u]))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Staff inbox: filter by place, category, channel, status and date; act on a batch."""
    person = current_person(request)
    scopes = inbox_places(person)
    if not scopes:
        raise PermissionDenied
    if request.method == "POST":
        form = TriageForm(request.POST)
        appeals = _selected(request.POST.getlist("uids"))
        if not form.is_valid() or not appeals:
            messages.error(request, _("请先勾选诉求，再选择处理方式。"))
        else:
            try:
                messages.success(request, _triage(person, form, appeals))
            except DomainError as exc:
                messages.error(request, str(exc))
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    query = request.GET.copy()
    query.setdefault("status", AppealStatus.NEW)
    filter_form = InboxFilterForm(query, scopes=scopes)
    filters = InboxFilters(status=AppealStatus.NEW)
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        place = Place.objects.filter(uid=data["place"]).first() if data["place"] else None
        filters = InboxFilters(
            place=place,
            category=data["category"],
            channel=data["channel"],
            status=data["status"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    page = KeyedPaginator(appeals_inbox(person, filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "appeals/inbox.html",
        {
            "filter_form": filter_form,
            "page": page,
            "query": query.urlencode(),
            "can_manage_categories": can(person, "appeals.manage_categories"),
        },
    )


@require_POST
@login_required
def appeal_triage(request: HttpRequest, uid: str) -> HttpResponse:
    """Triage from the appeal page: the appeal plus the similar ones staff ticked."""
    person = current_person(request)
    appeal = _visible(request, uid)
    form = TriageForm(request.POST)
    appeals = [appeal, *[a for a in _selected(request.POST.getlist("uids")) if a.pk != appeal.pk]]
    if not form.is_valid():
        messages.error(request, _("请选择处理方式。"))
    else:
        try:
            messages.success(request, _triage(person, form, appeals))
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("appeals:appeal-detail", uid=appeal.uid)


ENTRY_SESSION = "appeals_entry"


@login_required
def appeal_enter(request: HttpRequest) -> HttpResponse:
    """Fast entry after a building-door meeting: one appeal after another, keyboard only."""
    person = current_person(request)
    scopes = [p for p in inbox_places(person) if can(person, "appeals.enter", p)]
    if not scopes:
        raise PermissionDenied
    remembered = request.session.get(ENTRY_SESSION, {})
    form = EntryForm(
        request.POST or None,
        scopes=scopes,
        categories=categories_active(),
        initial={k: v for k, v in remembered.items() if k in ("channel", "place")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, _created = appeal_submit(
                actor=person,
                text=data["text"],
                category=data["category"],
                place=Place.objects.get(uid=data["place"]),
                channel=data["channel"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                client=Client.of(request),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            entered = [appeal.uid, *remembered.get("entered", [])][:20]
            request.session[ENTRY_SESSION] = {
                "channel": data["channel"],
                "place": data["place"],
                "entered": entered,
            }
            messages.success(request, _("已录入。可以接着录入下一条。"))
            return redirect("appeals:appeal-enter")
    entered = list(
        Appeal.objects.filter(uid__in=remembered.get("entered", []))
        .select_related("category", "place__parent__parent__parent")
        .order_by("-created_at")
    )
    return render(request, "appeals/enter.html", {"form": form, "entered": entered})


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    """The community office adds, renames, retires and restores appeal categories."""
    person = current_person(request)
    office = next(
        (
            a.place
            for a in person_role_assignments(person)
            if can(person, "appeals.manage_categories", a.place)
        ),
        None,
    )
    if office is None:
        raise PermissionDenied
    if request.method == "POST":
        category = Category.objects.filter(pk=request.POST.get("id") or 0).first()
        try:
            category_save(
                actor=person,
                place=office,
                category=category,
                name=request.POST.get("name", ""),
                name_en=request.POST.get("name_en", ""),
                is_active=request.POST.get("is_active") == "on" if category else True,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("类别已保存。"))
        return redirect("appeals:categories")
    return render(
        request, "appeals/categories.html", {"categories": Category.objects.order_by("order", "id")}
    )
