"""The demo's partner units and activities in 北苑社区: a partner hospital's dental clinic,
announced, filled to capacity with a waiting list, held and attended; an elderly-care lecture
still open for registration; a calligraphy volunteering that earned volunteer hours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.organisations.activities import activity_create, attendance_record, register
from qinlin.organisations.models import Activity, ActivityKind, PartnerKind, ResourceKind
from qinlin.organisations.partners import partner_create, resource_add, resource_link
from qinlin.people.models import Person, Residency, ResidencyStatus
from qinlin.places.models import Place

CLINIC_PLACES, CLINIC_WAITING, CLINIC_ABSENT = 20, 5, 2


def _residents(shanghe: Place, skip: set[int], n: int) -> list[Person]:
    ids = (
        Residency.objects.filter(
            status=ResidencyStatus.CONFIRMED, home__path__startswith=shanghe.path
        )
        .exclude(person_id__in=skip)
        .order_by("home__path", "id")
        .values_list("person_id", flat=True)
    )
    chosen = list(dict.fromkeys(ids))[:n]
    people = Person.objects.in_bulk(chosen)
    return [people[i] for i in chosen]


def _held(activity: Activity) -> Activity:
    # The day has come in the demo's story: the activity starts now.
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=3)
    )
    activity.refresh_from_db()
    return activity


def load_activities(people: dict[Role, Person], shanghe: Place) -> None:
    staff, resident = people[Role.COMMUNITY_STAFF], people[Role.RESIDENT]
    community = shanghe.parent
    assert community is not None
    hospital = partner_create(
        actor=staff,
        community=community,
        name="潍坊市口腔医院",
        kind=PartnerKind.DUAL_REPORT,
        profile="双报到单位，每月到社区开展一次口腔义诊。",
        address="潍坊市奎文区胜利东街",
        contact_name="于主任",
        contact_phone="0536-8231234",
    )
    dental = resource_add(
        actor=staff,
        partner=hospital,
        kind=ResourceKind.CLINIC,
        title="口腔义诊",
        description="口腔检查、洁牙咨询，每次 2 名医生。",
        availability="每月第二个周六上午",
    )
    school = partner_create(
        actor=staff,
        community=community,
        name="北苑书画社",
        kind=PartnerKind.SOCIAL,
        profile="书法志愿者团队，常年开展书法进小区。",
    )
    soon = timezone.now() + timedelta(hours=2)
    clinic = activity_create(
        actor=staff,
        place=shanghe,
        title="口腔义诊进小区",
        kind=ActivityKind.CLINIC,
        organiser="北苑社区党委",
        partners=[hospital],
        location="上河园党群服务站",
        starts_at=soon,
        ends_at=soon + timedelta(hours=3),
        capacity=CLINIC_PLACES,
        description="潍坊市口腔医院医生为居民免费检查牙齿，名额有限，满额后可候补。",
    )
    resource_link(actor=staff, resource=dental, activity=clinic, note="2 名医生到场")
    crowd = _residents(shanghe, {resident.pk}, CLINIC_PLACES + CLINIC_WAITING)
    registrations = [register(actor=person, activity=clinic) for person in crowd]
    clinic = _held(clinic)
    for registration in registrations[: CLINIC_PLACES - CLINIC_ABSENT]:
        attendance_record(actor=staff, activity=clinic, registration=registration, attended=True)

    calligraphy = activity_create(
        actor=staff,
        place=shanghe,
        title="书法进小区志愿服务",
        kind=ActivityKind.VOLUNTEERING,
        organiser="北苑书画社",
        partners=[school],
        location="上河园广场",
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        capacity=10,
        volunteer_hours=Decimal("2.5"),
        description="为居民书写春联、家训。",
    )
    mine = register(actor=resident, activity=calligraphy)
    calligraphy = _held(calligraphy)
    attendance_record(actor=staff, activity=calligraphy, registration=mine, attended=True)

    lecture_at = (timezone.localtime() + timedelta(days=6)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    lecture = activity_create(
        actor=staff,
        place=community,
        title="居家养老政策讲座",
        kind=ActivityKind.LECTURE,
        organiser="北苑社区党委",
        location="北苑社区党群服务中心三楼",
        starts_at=lecture_at,
        ends_at=lecture_at + timedelta(hours=1, minutes=30),
        capacity=40,
        description="讲解长期护理保险、居家养老服务补贴的申请。",
    )
    for person in _residents(shanghe, {resident.pk}, 12):
        register(actor=person, activity=lecture)
