"""The demo subdistrict: the scale of domain.md §1, every role held, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from qinlin.core.audit import audit_verify
from qinlin.core.roles import Role
from qinlin.demo.data import PASSWORD, demo_logins, load_demo
from qinlin.disclosure.models import DisclosureRequest
from qinlin.organisations.models import Activity, BranchKind, PartyBranch, PartyMembership
from qinlin.people.models import Person, Residency, ResidencyStatus, RoleAssignment
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage

pytestmark = pytest.mark.django_db

TABLES = [Place, Person, Residency, RoleAssignment, PartyBranch, PartyMembership]


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in TABLES}


def test_demo_holds_the_model_subdistrict_and_loads_only_once() -> None:
    result = load_demo()

    assert result.created
    kinds = dict(Place.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[PlaceKind.SUBDISTRICT] == 1
    assert kinds[PlaceKind.COMMUNITY] == 5
    assert kinds[PlaceKind.COMPOUND] == 68
    assert 8_000 <= kinds[PlaceKind.HOME] <= 15_000
    assert PartyBranch.objects.count() == 29
    assert set(PartyBranch.objects.values_list("kind", flat=True)) == {
        BranchKind.SINGLE,
        BranchKind.JOINT,
    }
    covered = Place.objects.filter(kind=PlaceKind.COMPOUND, covering_branches__isnull=False)
    assert covered.distinct().count() == 68
    assert PartyMembership.objects.count() == 120
    assert PartyBranch.objects.filter(memberships__role="secretary").distinct().count() == 29

    homes = Place.objects.filter(kind=PlaceKind.HOME)
    assert not homes.filter(area__lte=0).exists()
    areas = [a for a in homes.values_list("area", flat=True)[:500] if a is not None]
    assert all(area.as_tuple().exponent == -2 for area in areas)
    assert homes.filter(developer_unsold=True).exists()
    shared = homes.exclude(owner_key__in=["", "developer"]).values("owner_key")
    assert shared.annotate(n=Count("id")).filter(n__gte=2).exists()

    shanghe = Place.objects.get(kind=PlaceKind.COMPOUND, name="上河园")
    assert {b.name for b in shanghe.children.all()} >= {f"{i}号楼" for i in range(1, 7)}

    held = set(RoleAssignment.objects.values_list("role", flat=True))
    held |= (
        {Role.RESIDENT, Role.OWNER}
        if Residency.objects.filter(status=ResidencyStatus.CONFIRMED, relation="owner").exists()
        else set()
    )
    assert held == {role.value for role in Role}

    for login in demo_logins():
        # The login throttle needs the request an attempt came in (django-axes).
        request = RequestFactory().post("/accounts/login/")
        person = authenticate(request, username=login.phone, password=PASSWORD)
        assert isinstance(person, Person), login
        roles = {role for role, _path in person_active_roles(person)}
        assert login.role in roles, login
    assert Residency.objects.filter(status=ResidencyStatus.PENDING).count() >= 3
    benches = Topic.objects.get(title="广场增设休息座椅")
    assert benches.stage == Stage.EXECUTING
    assert benches.tenders.get().bids.count() == 3
    assert benches.tasks.count() == 2
    bids = benches.notices.get(kind="bids")
    assert bids.channels.filter(kind="building_board").count() >= 6
    assert bids.objections.exclude(answer="").exists()
    # The story's request, this year's (the 2022 history holds twenty more).
    assert DisclosureRequest.objects.get(at__year=timezone.localdate().year).status == "answered"
    lights = Topic.objects.get(title="2号楼楼道灯改为声控灯")
    assert lights.stage == Stage.CLOSED
    survey = lights.surveys.get()
    assert survey.result["enough"]
    assert survey.result["responses"] * 2 > survey.result["homes"]  # most homes answered
    assert lights.feedback.count() == 3
    assert lights.notices.get(kind="evaluation").state == "published"
    clinic = Activity.objects.get(title="口腔义诊进小区")
    assert clinic.registrations.filter(status="registered").count() == clinic.capacity
    assert clinic.registrations.filter(status="waiting").count() == 5
    assert clinic.registrations.exclude(attended_at=None).count() == clinic.capacity - 2
    assert clinic.partners.get().name == "潍坊市口腔医院"
    assert audit_verify().ok

    before = _counts()
    again = load_demo()
    assert not again.created
    assert _counts() == before


def test_demo_command_prints_the_address_and_one_login_per_role() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    for login in demo_logins():
        assert login.phone in text
    assert PASSWORD in text


def test_every_demo_login_lands_on_its_own_start_page(client) -> None:
    from django.urls import reverse

    load_demo()
    home_page_roles = {
        Role.RESIDENT,
        Role.OWNER,
        Role.PARTY_MEMBER,
        Role.BACKBONE,
        Role.RESIDENT_REP,
    }
    for login in demo_logins():
        client.post(reverse("people:login"), {"username": login.phone, "password": PASSWORD})
        response = client.get("/")
        expected = "core:home" if login.role in home_page_roles else "core:workspace"
        assert response.status_code == 302, login
        assert response["Location"] == reverse(expected), login
        assert client.get(response["Location"]).status_code == 200, login
        client.logout()
