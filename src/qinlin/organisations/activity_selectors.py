"""Reads about activities: the calendar of a place, one activity with its counts, a person's
registrations and volunteer hours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from qinlin.organisations.models import Activity, Registration, RegistrationStatus
from qinlin.people.models import Person
from qinlin.places.models import Place


def _counted(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.annotate(
        taken=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
    ).annotate(left=F("capacity") - F("taken"))


def calendar_of(places: list[Place], *, past_days: int = 0) -> QuerySet[Activity]:
    """Activities for the residents of `places`: those at a place above them (the community's)
    or at or under them (a building's), from `past_days` ago on, the soonest first."""
    query = Q(pk__in=[])
    for place in places:
        query |= Q(place__path__in=place.ancestor_paths) | place.subtree_q("place__")
    since = timezone.now() - timedelta(days=past_days)
    return (
        _counted(Activity.objects.filter(query, ends_at__gte=since))
        .select_related("place__parent__parent")
        .prefetch_related("partners")
        .order_by("starts_at", "id")
    )


def activity_get(uid: str) -> Activity | None:
    return (
        _counted(Activity.objects.filter(uid=uid))
        .select_related("place__parent__parent")
        .prefetch_related("partners", "photos")
        .first()
    )


def registrations_of(activity: Activity) -> list[Registration]:
    """Everyone who registered, places first then the waiting list, each in the order they came."""
    return list(
        activity.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("person")
        .order_by("status", "registered_at", "id")
    )


def my_registrations(person: Person) -> list[Registration]:
    return list(
        Registration.objects.filter(person=person)
        .select_related("activity__place")
        .order_by("-activity__starts_at")[:100]
    )


def volunteer_hours(person: Person) -> Decimal:
    total = Registration.objects.filter(person=person, attended_at__isnull=False).aggregate(
        hours=Sum("hours")
    )["hours"]
    return total or Decimal("0")


def with_registrations(activities: QuerySet[Activity], person: Person) -> QuerySet[Activity]:
    """Each activity with the person's own registration prefetched (as `mine`)."""
    return activities.prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.filter(person=person).exclude(
                status=RegistrationStatus.CANCELLED
            ),
            to_attr="mine",
        )
    )
