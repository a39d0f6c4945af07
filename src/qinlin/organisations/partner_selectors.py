"""Reads about partner units: which communities' partners a person sees or keeps, a partner's
resources with their uses, and the recent appeals, topics and activities to link them to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from qinlin.appeals.models import Appeal
from qinlin.core.permissions import can, roles_for
from qinlin.organisations.models import Activity, Partner, Resource, ResourceUse
from qinlin.organisations.partners import ACTION, RECENT
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.topics.models import Topic

if TYPE_CHECKING:
    from qinlin.people.models import Person


@dataclass(frozen=True)
class Communities:
    visible: list[Place]
    kept: list[Place]


def partner_communities(person: Person) -> Communities:
    """The communities whose partners `person` sees: where they live or hold any role, and
    every community at or under a place where they keep partners; `kept` are the latter."""
    held = person_active_roles(person)
    if not held:
        return Communities([], [])
    ancestors = {path[:end] for _r, path in held for end in range(SEGMENT, len(path) + 1, SEGMENT)}
    query = Q(path__in=ancestors)
    keeping = roles_for(ACTION)
    for role, path in held:
        if role in keeping:
            query |= Q(path__startswith=path)
    visible = list(Place.objects.filter(query, kind=PlaceKind.COMMUNITY).order_by("path")[:200])
    return Communities(visible, [c for c in visible if can(person, ACTION, c)])


def partner_may_view(person: Person, partner: Partner) -> bool:
    path = partner.community.path
    # Living or holding any role in the community is enough to read its partners.
    return can(person, ACTION, partner.community) or any(
        held.startswith(path) for _role, held in person_active_roles(person)
    )


def partner_may_link(person: Person, partner: Partner) -> bool:
    """Keepers of the partner, and those holding the same permission somewhere in its
    community (they may link to what lies under their own place)."""
    path, keeping = partner.community.path, roles_for(ACTION)
    return can(person, ACTION, partner.community) or any(
        role in keeping and held.startswith(path) for role, held in person_active_roles(person)
    )


def partners_of(communities: list[Place]) -> list[Partner]:
    if not communities:
        return []
    return list(
        Partner.objects.filter(community__in=communities)
        .select_related("community")
        .annotate(resource_count=Count("resources", filter=Q(resources__active=True)))
        .order_by("community__path", "-active", "name")[:500]
    )


def partner_get(uid: str) -> Partner | None:
    return Partner.objects.select_related("community").filter(uid=uid).first()


def partner_resources(partner: Partner) -> list[Resource]:
    """The resources, active first, each with its uses and their targets (two queries)."""
    uses = ResourceUse.objects.select_related("topic", "appeal__category", "activity").order_by(
        "-at", "-id"
    )
    return list(
        Resource.objects.filter(partner=partner)
        .prefetch_related(Prefetch("uses", queryset=uses))
        .order_by("-active", "title")
    )


@dataclass(frozen=True)
class LinkTargets:
    topics: list[Topic]
    appeals: list[Appeal]
    activities: list[Activity]


def link_targets(community: Place) -> LinkTargets:
    """The recent topics and appeals and the upcoming activities at or under `community`."""
    topics = Topic.objects.filter(community.path_range_q("place_path")).order_by("-created_at")
    appeals = (
        Appeal.objects.filter(community.path_range_q("place_path"))
        .select_related("category", "place")
        .order_by("-created_at", "-id")
    )
    activities = Activity.objects.filter(
        community.subtree_q("place__"), cancelled_at__isnull=True, ends_at__gte=timezone.now()
    ).order_by("starts_at", "id")
    return LinkTargets(
        list(topics.select_related("place")[:RECENT]),
        list(appeals[:RECENT]),
        list(activities.select_related("place")[:RECENT]),
    )
