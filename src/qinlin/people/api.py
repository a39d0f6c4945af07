"""/api/v1/people: people under a place (masked), one person, the caller, phone reveal."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from qinlin.api.pagination import Pages
from qinlin.core.errors import ForbiddenError, NotFoundError
from qinlin.core.permissions import can
from qinlin.people.current import current_person
from qinlin.people.models import Person, Residency, ResidencyStatus, RoleAssignment
from qinlin.people.schemas import PersonOut, PhoneOut
from qinlin.people.selectors import people_under
from qinlin.people.services import person_phone_reveal
from qinlin.places.schemas import ErrorOut
from qinlin.places.selectors import place_get

router = Router(tags=["people"])


def _with_ties(qs: QuerySet[Person]) -> QuerySet[Person]:
    today = timezone.localdate()
    return qs.prefetch_related(
        Prefetch(
            "residencies",
            queryset=Residency.objects.filter(status=ResidencyStatus.CONFIRMED).select_related(
                "home__parent__parent__parent"
            ),
            to_attr="confirmed_ties",
        ),
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today
            ).select_related("place"),
            to_attr="current_roles",
        ),
    )


def _get(uid: str) -> Person:
    person = _with_ties(Person.objects.filter(uid=uid)).first()
    if person is None:
        raise NotFoundError(_("找不到这个人。"))
    return person


@router.get("/me", response=PersonOut, summary="The caller")
def me(request: HttpRequest) -> Person:
    return _get(current_person(request).uid)


@router.get(
    "",
    response={200: list[PersonOut], 403: ErrorOut, 404: ErrorOut},
    summary="People living or working under a place (phones masked)",
)
@paginate(Pages)
def list_people(request: HttpRequest, place: str) -> QuerySet[Person]:
    where = place_get(place)
    if not can(current_person(request), "people.view_people", where):
        raise ForbiddenError(_("您没有权限查看这里的人员名册。"))
    return _with_ties(people_under(where))


@router.get(
    "/{uid}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut},
    summary="One person (phone masked)",
)
def get_person(request: HttpRequest, uid: str) -> Person:
    person = _get(uid)
    caller = current_person(request)
    if caller.pk != person.pk and not can(caller, "people.view_people", person):
        raise ForbiddenError(_("您没有权限查看此人的信息。"))
    return person


@router.post(
    "/{uid}/phone",
    response={200: PhoneOut, 403: ErrorOut, 404: ErrorOut},
    summary="Reveal a phone number (audited)",
)
def reveal_phone(request: HttpRequest, uid: str) -> PhoneOut:
    person = Person.objects.filter(uid=uid).first()
    if person is None:
        raise NotFoundError(_("找不到这个人。"))
    return PhoneOut(phone=person_phone_reveal(viewer=current_person(request), person=person))
