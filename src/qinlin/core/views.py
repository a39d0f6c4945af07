"""Start pages: the public landing page, the resident's home page and the staff workspace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qinlin.appeals.models import AppealStatus
from qinlin.appeals.selectors import InboxFilters, appeals_inbox
from qinlin.core.permissions import can
from qinlin.core.selectors import audit_events_under
from qinlin.disclosure.selectors import overdue_request_count
from qinlin.evaluation.campaigns import campaigns_open_to
from qinlin.organisations.selectors import branches_covering
from qinlin.people.current import current_person
from qinlin.people.selectors import (
    person_residencies,
    person_role_assignments,
    residencies_pending_under,
)
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_figures
from qinlin.works.selectors import overdue_tasks


def start(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get the public landing page; people go to their own start page."""
    if request.user.is_authenticated:
        if can(current_person(request), "core.use_workspace"):
            return redirect("core:workspace")
        return redirect("core:home")
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path")[:20]
    return render(request, "core/landing.html", {"communities": communities})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The resident's page: their homes, the compounds they live in, their pending claims."""
    person = current_person(request)
    residencies = list(person_residencies(person))
    confirmed = [r for r in residencies if r.status == "confirmed"]
    pending = [r for r in residencies if r.status == "pending"]
    compounds: dict[int, Place] = {}
    for residency in confirmed:
        compound = residency.home.parent.parent.parent  # type: ignore[union-attr]
        if compound is not None:
            compounds[compound.pk] = compound
    compound_cards = [(c, place_figures(c)) for c in compounds.values()]
    branches = branches_covering(list(compounds.values()))
    return render(
        request,
        "core/home.html",
        {
            "confirmed": confirmed,
            "pending": pending,
            "compound_cards": compound_cards,
            "branches": branches,
            "campaigns": campaigns_open_to([r.home for r in confirmed]),
        },
    )


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The staff workspace: the places where the person holds roles and what awaits them."""
    person = current_person(request)
    if not can(person, "core.use_workspace"):
        raise PermissionDenied
    assignments = list(person_role_assignments(person))
    places: list[Place] = []
    for assignment in assignments:
        if not any(p.contains(assignment.place) for p in places):
            places = [p for p in places if not assignment.place.contains(p)]
            places.append(assignment.place)
    decide_places = [p for p in places if can(person, "people.decide_residency", p)]
    claims = list(residencies_pending_under(decide_places)[:50])
    place_cards = [
        {
            "place": place,
            "figures": place_figures(place),
            "can_import": place.kind == PlaceKind.COMPOUND and can(person, "places.import", place),
            "can_import_chat": place.kind == PlaceKind.COMPOUND
            and can(person, "appeals.import", place),
            "can_codes": can(person, "people.issue_claim_codes", place),
            "can_people": can(person, "people.view_people", place),
        }
        for place in places
    ]
    return render(
        request,
        "core/workspace.html",
        {
            "assignments": assignments,
            "place_cards": place_cards,
            "claims": claims,
            "can_audit": can(person, "core.view_audit"),
            "can_inbox": can(person, "appeals.view_inbox"),
            "can_board": can(person, "topics.view_board"),
            "can_tasks": can(person, "works.manage_tasks"),
            "overdue_tasks": overdue_tasks(
                [a.place for a in assignments if can(person, "works.manage_tasks", a.place)]
            ).count(),
            "new_appeals": appeals_inbox(person, InboxFilters(status=AppealStatus.NEW)).count(),
            "can_disclose": can(person, "disclosure.publish"),
            "can_channels": can(person, "disclosure.channels"),
            "can_robots": can(person, "notify.robots"),
            "can_outbox": can(person, "notify.outbox"),
            "can_feedback": can(person, "evaluation.feedback"),
            "can_campaigns": can(person, "evaluation.campaigns"),
            "can_activities": can(person, "organisations.activities"),
            "can_partners": can(person, "organisations.partners"),
            "can_stats": can(person, "stats.view"),
            "overdue_requests": overdue_request_count(person)
            if can(person, "disclosure.requests")
            else None,
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The newest audit events under the places where the person may read the log."""
    person = current_person(request)
    if not can(person, "core.view_audit"):
        raise PermissionDenied
    places = [
        a.place for a in person_role_assignments(person) if can(person, "core.view_audit", a.place)
    ]
    return render(request, "core/audit.html", {"events": audit_events_under(places)})
