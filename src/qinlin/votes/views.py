"""Vote pages: set up a vote, its page (progress, tally, online ballot, close), the door-to-door
page for collectors, and the receipt check anyone can use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError
from qinlin.core.files import private_file
from qinlin.core.permissions import can
from qinlin.core.roles import Role
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.permissions import can_read
from qinlin.topics.views import topic_or_404
from qinlin.votes.forms import CHOICE_LABELS, BallotForm, VoteForm
from qinlin.votes.models import Ballot, BallotChannel, Vote
from qinlin.votes.rules import OWNERS_RULES, TallyError
from qinlin.votes.selectors import (
    ballot_by_receipt,
    door_rows,
    published_ballots,
    scope_choices,
    scope_units,
    vote_as_tally_file,
    vote_get,
    vote_letters,
    vote_progress,
    vote_tally,
)
from qinlin.votes.services import ballot_cast, vote_close, vote_open

BALLOTS_PER_PAGE = 50


def _vote(person: Person, uid: str) -> Vote:
    vote = vote_get(uid)
    if vote is None or not can_read(person, vote.topic):
        raise Http404
    return vote


@login_required
def vote_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    topic = topic_or_404(person, request.GET.get("topic", ""))
    if not can(person, "votes.open", topic.place):
        raise PermissionDenied
    scopes = {p.uid: p for p in scope_choices(topic.place)}
    options = {str(o.pk): o for o in topic.options.all()}
    form = VoteForm(
        request.POST or None,
        scopes=[(u, p.address) for u, p in scopes.items()],
        options=[(k, str(o)) for k, o in options.items()],
        initial={
            "scope": topic.place.uid,
            "closes_at": timezone.localtime() + timedelta(days=7),
            "changeable": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = vote_open(
                actor=person,
                topic=topic,
                items={options[k]: item for k, item in form.items().items()},
                scope=scopes[data["scope"]],
                closes_at=data["closes_at"],
                secret=data["secret"],
                changeable=data["changeable"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("业主表决已发起。"))
            return redirect("votes:vote-detail", uid=vote.uid)
    return render(
        request,
        "votes/vote_new.html",
        {"form": form, "topic": topic},
        status=400 if form.errors else 200,
    )


def _owned_homes(person: Person, vote: Vote) -> list[Place]:
    paths = [
        path
        for role, path in person_active_roles(person)
        if role == Role.OWNER and path.startswith(vote.scope.path)
    ]
    return list(Place.objects.filter(path__in=paths, kind=PlaceKind.HOME).order_by("path"))


def _labels(choices: dict[str, str]) -> list[tuple[str, str]]:
    names = dict(CHOICE_LABELS)
    return [(letter, str(names.get(value, value))) for letter, value in sorted(choices.items())]


def _shown(ballots: list[Ballot]) -> list[Ballot]:
    for ballot in ballots:
        ballot.shown = _labels(ballot.choices)  # type: ignore[attr-defined]
    return ballots


def _ballots_page(request: HttpRequest, vote: Vote) -> Page[Ballot]:
    """The named ballots, a page at a time: a compound's vote has thousands."""
    ballots = Ballot.objects.filter(vote=vote).select_related("home").order_by("home__path")
    page = Paginator(ballots, BALLOTS_PER_PAGE).get_page(request.GET.get("ballots"))
    page.object_list = _shown(list(page.object_list))
    return page


def _published_page(request: HttpRequest, vote: Vote) -> Page[Any]:
    """The counted ballots under their receipts, a page at a time."""
    counted: Paginator[Any] = Paginator(published_ballots(vote), BALLOTS_PER_PAGE)
    rows = counted.get_page(request.GET.get("receipts"))
    rows.object_list = [(receipt, area, _labels(picked)) for receipt, area, picked in rows]
    return rows


def _page(request: HttpRequest, vote: Vote, ballot_form: BallotForm | None = None) -> HttpResponse:
    person = current_person(request)
    english = (get_language() or "").startswith("en")
    letters = vote_letters(vote)
    if vote.closed_at is not None:
        tally = [(k, r["passed"], r["en" if english else "zh"]) for k, r in vote.result.items()]
    else:
        try:
            live = vote_tally(vote)
        except TallyError as error:
            live = {}
            messages.error(request, error.message(get_language() or ""))
        tally = [
            (k, r.passed, r.explanation_en if english else r.explanation_zh)
            for k, r in live.items()
        ]
    owned = _owned_homes(person, vote) if vote.is_open() else []
    mine = {b.home_id: b for b in Ballot.objects.filter(vote=vote, home__in=owned)}
    show_choices = not vote.secret and can(person, "votes.view_choices", vote.scope)
    context = {
        "vote": vote,
        "options": [
            (
                choice,
                OWNERS_RULES[choice.rule],
                OWNERS_RULES[choice.rule].name_en if english else OWNERS_RULES[choice.rule].name_zh,
            )
            for choice in vote.choices.select_related("option").order_by("option__letter")
        ],
        "progress": vote_progress(vote),
        "tally": tally,
        "owned": [(home, mine.get(home.pk)) for home in owned],
        "ballot_form": ballot_form or BallotForm(letters=letters),
        "can_record": vote.is_open() and can(person, "votes.record", vote.scope),
        "can_close": vote.closed_at is None and can(person, "votes.close", vote.scope),
        "choices": _ballots_page(request, vote) if show_choices else None,
        "published": _published_page(request, vote) if vote.closed_at else None,
        "choice_labels": CHOICE_LABELS,
    }
    return render(request, "votes/vote_detail.html", context, status=400 if ballot_form else 200)


@login_required
def vote_detail(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    vote = _vote(person, uid)
    if request.method != "POST":
        return _page(request, vote)
    if request.POST.get("action") == "close":
        try:
            vote_close(actor=person, vote=vote)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("表决已结束，计票结果已保存。"))
        return redirect("votes:vote-detail", uid=uid)
    return _cast(request, person, vote, channel=BallotChannel.ONLINE)


def _cast(request: HttpRequest, person: Person, vote: Vote, *, channel: str) -> HttpResponse:
    """A ballot from the online form or a row of the door-to-door page."""
    uid = request.POST.get("home", "")
    # PostgreSQL refuses to compare text holding a NUL byte (a server error); no uid holds one.
    home = Place.objects.filter(uid=uid, kind=PlaceKind.HOME).first() if "\x00" not in uid else None
    if home is None:
        raise Http404
    form = BallotForm(request.POST, letters=vote_letters(vote))
    if form.is_valid():
        proxy = form.cleaned_data["proxy_name"]
        upload = request.FILES.get("document")
        try:
            ballot = ballot_cast(
                actor=person,
                vote=vote,
                home=home,
                choices=form.choices(),
                channel=BallotChannel.PROXY if channel == BallotChannel.DOOR and proxy else channel,
                paper_no=form.cleaned_data["paper_no"],
                proxy_name=proxy,
                document=(upload.name or "", upload) if upload else None,
            )
        except DomainError as error:
            form.add_error(None, f"{home.name}：{error}")
        else:
            messages.success(
                request,
                _("%(home)s 已记录，回执码 %(receipt)s。")
                % {"home": home.name, "receipt": ballot.receipt},
            )
            if channel == BallotChannel.ONLINE:
                return redirect("votes:vote-detail", uid=vote.uid)
            url = reverse("votes:vote-door", kwargs={"uid": vote.uid})
            return redirect(f"{url}?unit={home.parent.uid if home.parent else ''}#home-{home.uid}")
    if channel == BallotChannel.ONLINE:
        return _page(request, vote, ballot_form=form)
    return _door_page(request, vote, home.parent, form=form, failed=home.uid)


def _door_page(
    request: HttpRequest,
    vote: Vote,
    unit: Place | None,
    form: BallotForm | None = None,
    failed: str = "",
) -> HttpResponse:
    units = scope_units(vote)
    if unit is None or all(u.pk != unit.pk for u in units):
        unit = units[0] if units else None
    letters = vote_letters(vote)
    rows = door_rows(vote, unit) if unit else []
    return render(
        request,
        "votes/vote_door.html",
        {
            "vote": vote,
            "units": units,
            "unit": unit,
            "rows": rows,
            "letters": letters,
            "form": form,
            "failed": failed,
            # A home of another unit, or outside the vote, has no row here to show its error.
            "failed_elsewhere": form is not None and all(r.home.uid != failed for r in rows),
            "done": sum(1 for r in rows if r.ballot),
        },
        status=400 if form else 200,
    )


@login_required
def vote_door(request: HttpRequest, uid: str) -> HttpResponse:
    """Door to door (入户征求意见): one unit's homes, one row and one tap per home."""
    person = current_person(request)
    vote = _vote(person, uid)
    if not can(person, "votes.record", vote.scope):
        raise PermissionDenied
    if request.method == "POST":
        return _cast(request, person, vote, channel=BallotChannel.DOOR)
    unit = Place.objects.filter(uid=request.GET.get("unit", ""), kind=PlaceKind.UNIT).first()
    return _door_page(request, vote, unit)


@login_required
def receipt_check(request: HttpRequest) -> HttpResponse:
    """An owner checks that their ballot was counted, by its receipt code."""
    code = request.GET.get("code", "").strip()
    found = ballot_by_receipt(code) if code else None
    return render(request, "votes/receipt.html", {"code": code, "found": found})


@login_required
def vote_file(request: HttpRequest, uid: str) -> HttpResponse:
    """The closed vote as a `qinlin tally` file: download it and recount."""
    vote = _vote(current_person(request), uid)
    if vote.closed_at is None:
        raise Http404
    response = JsonResponse(
        vote_as_tally_file(vote), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.uid}.json"'
    return response


@login_required
def ballot_document(request: HttpRequest, uid: str, receipt: str) -> FileResponse:
    """A signed ballot or proxy authorisation, through the permission check, never public."""
    person = current_person(request)
    vote = _vote(person, uid)
    if not can(person, "votes.view_choices", vote.scope):
        raise PermissionDenied
    ballot = Ballot.objects.filter(vote=vote, receipt=receipt).exclude(document="").first()
    if ballot is None:
        raise Http404
    return private_file(ballot.document.name)
