"""Reads about people: the roles they hold, their homes, the claims staff must decide."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from qinlin.core.permissions import can, roles_for
from qinlin.core.roles import Role
from qinlin.people.models import Person, Relation, Residency, ResidencyStatus, RoleAssignment
from qinlin.places.models import Place, PlaceKind

_CACHE_ATTR = "_qinlin_active_roles"


def person_active_roles(person: Person) -> list[tuple[str, str]]:
    """(role, place path) pairs the person holds today; cached on the instance per request."""
    cached: list[tuple[str, str]] | None = getattr(person, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    assigned = RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), person=person, starts_on__lte=today
    ).values_list("role", "place__path")
    held: list[tuple[str, str]] = list(assigned)
    homes = Residency.objects.filter(person=person, status=ResidencyStatus.CONFIRMED).values_list(
        "relation", "home__path"
    )
    for relation, path in homes:
        held.append((Role.RESIDENT, path))
        if relation == Relation.OWNER:
            held.append((Role.OWNER, path))
    setattr(person, _CACHE_ATTR, held)
    return held


def person_forget_roles(person: Person) -> None:
    if hasattr(person, _CACHE_ATTR):
        delattr(person, _CACHE_ATTR)


def person_role_assignments(person: Person) -> QuerySet[RoleAssignment]:
    today = timezone.localdate()
    return (
        RoleAssignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today), person=person, starts_on__lte=today
        )
        .select_related("place")
        .order_by("place__path", "role")
    )


def person_residencies(person: Person) -> QuerySet[Residency]:
    return (
        Residency.objects.filter(
            person=person, status__in=[ResidencyStatus.PENDING, ResidencyStatus.CONFIRMED]
        )
        .select_related(
            "home", "home__parent", "home__parent__parent", "home__parent__parent__parent"
        )
        .order_by("home__path")
    )


def person_confirmed_homes(person: Person) -> QuerySet[Place]:
    return Place.objects.filter(
        residencies__person=person, residencies__status=ResidencyStatus.CONFIRMED
    ).order_by("path")


def residencies_pending_under(places: list[Place]) -> QuerySet[Residency]:
    """Claims waiting for a decision at homes under any of `places`."""
    if not places:
        return Residency.objects.none()
    scope = Q()
    for place in places:
        scope |= place.subtree_q("home__")
    return (
        Residency.objects.filter(scope, status=ResidencyStatus.PENDING)
        .select_related("person", "home__parent__parent__parent")
        .order_by("requested_at")
    )


def people_under(place: Place) -> QuerySet[Person]:
    """People with a confirmed or pending tie to a home under `place`, or a role there."""
    # One subquery, the union of two that each find their people through the place path
    # index. An OR across two joins with DISTINCT made the database pair every person with
    # every tie (0.35 s for a compound of the demo); an OR of two IN subqueries still read
    # every person (0.7 s for a compound at 1,000,000 homes; the union: 0.04 s).
    tied = Residency.objects.filter(
        place.subtree_q("home__"),
        status__in=[ResidencyStatus.PENDING, ResidencyStatus.CONFIRMED],
    ).values("person_id")
    serving = RoleAssignment.objects.filter(place.subtree_q("place__")).values("person_id")
    return Person.objects.filter(pk__in=tied.union(serving)).order_by("name", "id")


def _holders(action: str, place: Place) -> QuerySet[RoleAssignment]:
    """Today's assignments of the roles that may `action`, held at `place` or above it."""
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        starts_on__lte=today,
        role__in=roles_for(action),
        place__path__in=place.ancestor_paths,
        person__is_active=True,
    ).select_related("person", "place")


def assignee_choices(action: str, place: Place) -> list[tuple[str, str]]:
    """(uid, "name（role · place、…）") of the people who may `action` at `place` today, by a
    role held there or above it; those closest to the place first (the compound's team before
    the community office). For "assign to" choices."""
    held = _holders(action, place).order_by("-place__path", "person__name", "person_id")
    people: dict[str, tuple[str, list[str]]] = {}
    for assignment in held:
        _name, roles = people.setdefault(assignment.person.uid, (assignment.person.name, []))
        roles.append(f"{assignment.get_role_display()} · {assignment.place.name}")
    return [(uid, f"{name}（{'、'.join(roles)}）") for uid, (name, roles) in people.items()]


def places_where(person: Person, action: str) -> list[Place]:
    """The places where `person` may `action`, with the compounds and buildings under them
    (a community's staff set up a building's board too)."""
    roots = [a.place for a in person_role_assignments(person) if can(person, action, a.place)]
    if not roots:
        return []
    under = Q(pk__in=[r.pk for r in roots])
    for root in roots:
        under |= root.subtree_q() & Q(kind__in=(PlaceKind.COMPOUND, PlaceKind.BUILDING))
    return list(
        Place.objects.filter(under)
        .exclude(kind__in=(PlaceKind.UNIT, PlaceKind.HOME))
        .select_related("parent__parent")
        .order_by("path")[:500]
    )


def lives_under(person: Person, path: str) -> bool:
    """Is `person` a confirmed resident of a home at or under the place whose path is `path`?"""
    return person.residencies.filter(
        status=ResidencyStatus.CONFIRMED, home__path__startswith=path
    ).exists()


def nearest_holders(action: str, place: Place) -> list[Person]:
    """The people who may `action` at `place` by a role held at the place closest to it: the
    grid worker of the compound, not every officer of the subdistrict above. For whom to
    tell when something needs doing there."""
    held = list(_holders(action, place).order_by("-place__path", "person_id"))
    if not held:
        return []
    nearest = held[0].place.path
    return list({a.person.pk: a.person for a in held if a.place.path == nearest}.values())


def residents_under(place: Place, *, owners_only: bool = False) -> QuerySet[Person]:
    """The confirmed residents (or owners) of the homes at or under `place`."""
    homes = Residency.objects.filter(
        status=ResidencyStatus.CONFIRMED, home__path__startswith=place.path
    )
    if owners_only:
        homes = homes.filter(relation=Relation.OWNER)
    return Person.objects.filter(pk__in=homes.values("person_id"), is_active=True)
