"""Appeal pages for residents: file an appeal, follow "my appeals", read one appeal."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.appeals.forms import AppealForm
from qinlin.appeals.models import Appeal, AppealStatus, Channel
from qinlin.appeals.permissions import can_view
from qinlin.appeals.selectors import appeal_get, appeals_of, categories_active, similar_to
from qinlin.appeals.services import appeal_submit
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.people.models import Person
from qinlin.people.selectors import person_confirmed_homes
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_ancestors
from qinlin.topics.models import Topic


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


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
    person = _person(request)
    places = _place_choices(person)
    if not places:
        return render(request, "appeals/not_resident.html")
    categories = categories_active()
    form = AppealForm(
        request.POST or None, request.FILES or None, places=places, categories=categories
    )
    if request.method == "POST" and form.is_valid():
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
    appeals = list(appeals_of(_person(request))[:100])
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
    if not can_view(_person(request), appeal):
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
    name = photos[n].image.name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
