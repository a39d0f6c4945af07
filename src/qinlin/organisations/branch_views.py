"""Public pages of the party organisation: a community's branches, one branch with its
members, and a compound's "1+2+N" team. Anyone may read them; names are shown in full only to
the staff of the place, phone numbers never."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qinlin.organisations.models import PartyMembership
from qinlin.organisations.team import (
    TeamBranch,
    all_branch_counts,
    branch_counts,
    branch_full_names,
    branch_get,
    communities_all,
    community_branches,
    community_of,
    compound_team,
    member_reports_to,
    team_full_names,
)
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from qinlin.places.selectors import place_ancestors


def _viewer(request: HttpRequest) -> Person | None:
    user = request.user
    return user if isinstance(user, Person) else None


@require_safe
def branches(request: HttpRequest) -> HttpResponse:
    """The branches of one community: the one asked for, else the viewer's own, else the
    first."""
    person = _viewer(request)
    communities = communities_all()
    wanted = request.GET.get("community", "").strip()
    community: Place | None = None
    if wanted:
        community = next((c for c in communities if c.uid == wanted), None)
        if community is None:
            raise Http404
    else:
        community = community_of(person, communities) or next(iter(communities), None)
    rows: list[dict[str, Any]] = []
    listed: list[TeamBranch] = []
    if community is not None:
        listed = community_branches(community)
        for item in listed:
            # `can` reads the roles cached on the viewer, so a flag per row costs no query.
            rows.append(
                {
                    "item": item,
                    "full_names": branch_full_names(person, item.branch, item.compounds),
                }
            )
    return render(
        request,
        "organisations/branch_list.html",
        {
            "communities": communities,
            "community": community,
            "rows": rows,
            "counts": branch_counts(listed),
            "everywhere": all_branch_counts(),
        },
    )


@require_safe
def branch(request: HttpRequest, uid: str) -> HttpResponse:
    found = branch_get(uid)
    if found is None:
        raise Http404
    compounds = list(found.compounds.all())
    members: list[PartyMembership] = getattr(found, "members", [])
    return render(
        request,
        "organisations/branch_detail.html",
        {
            "branch": found,
            "compounds": compounds,
            "members": [(m, member_reports_to(m, compounds)) for m in members],
            "full_names": branch_full_names(_viewer(request), found, compounds),
        },
    )


@require_safe
def team(request: HttpRequest, uid: str) -> HttpResponse:
    compound = Place.objects.filter(uid=uid, kind=PlaceKind.COMPOUND).first()
    if compound is None:
        raise Http404
    return render(
        request,
        "organisations/team_page.html",
        {
            "compound": compound,
            "ancestors": place_ancestors(compound),
            "team": compound_team(compound),
            "full_names": team_full_names(_viewer(request), compound),
        },
    )
