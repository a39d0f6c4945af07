"""A compound's "1+2+N" team, computed from role assignments and party memberships, and the
public pages of branches and teams with names masked for everyone but the place's staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.organisations.models import MemberRole, PartyBranch, PartyMembership
from qinlin.organisations.services import branch_create, branch_enrol
from qinlin.organisations.team import ReportingMember, TeamPerson, compound_team
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def joint(places: dict[str, Place]) -> PartyBranch:
    return branch_create(
        actor=None,
        community=places["community"],
        name="上河园锦绣苑联合党支部",
        compounds=[places["compound_a"], places["compound_b"]],
    )


def single(places: dict[str, Place], name: str = "上河园党支部") -> PartyBranch:
    return branch_create(
        actor=None, community=places["community"], name=name, compounds=[places["compound_a"]]
    )


def role(name: str, role: Role, place: Place) -> Person:
    person = PersonFactory.create(name=name)
    RoleAssignment.objects.create(person=person, role=role, place=place)
    return person


def names(people: Sequence[TeamPerson | ReportingMember]) -> list[str]:
    return [p.person.name for p in people]


# --- the team ---------------------------------------------------------------------------------


def test_a_joint_branch_is_in_the_team_of_both_compounds(places: dict[str, Place]) -> None:
    branch = joint(places)
    secretary = PersonFactory.create(name="郑书记")
    branch_enrol(
        actor=None,
        branch=branch,
        person=secretary,
        home_compound=places["compound_b"],
        role=MemberRole.SECRETARY,
    )
    for compound in ("compound_a", "compound_b"):
        team = compound_team(places[compound])
        assert [b.branch for b in team.branches] == [branch]
        assert team.branches[0].secretary == secretary
        assert team.branches[0].is_joint
        assert team.other_secretaries == []


def test_the_team_is_made_of_todays_role_assignments(
    places: dict[str, Place], carol: Person
) -> None:
    a = places["compound_a"]
    committee = role("林业委", Role.OWNERS_COMMITTEE, a)
    staff = role("周物业", Role.PROPERTY_STAFF, a)
    backbone = role("吴骨干", Role.BACKBONE, places["unit_a"])
    rep = role("孙代表", Role.RESIDENT_REP, a)
    unit_head = role("赵单元", Role.UNIT_HEAD, places["unit_a"])
    past = role("钱卸任", Role.OWNERS_COMMITTEE, a)
    RoleAssignment.objects.filter(person=past).update(
        starts_on=timezone.localdate() - timedelta(days=400),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    role("冯社工", Role.COMMUNITY_STAFF, places["community"])
    role("锦绣苑业委", Role.OWNERS_COMMITTEE, places["compound_b"])

    team = compound_team(a)

    assert names(team.owners_committee) == [committee.name]
    assert names(team.property_company) == [staff.name]
    groups = {g.role: names(g.people) for g in team.others}
    assert groups == {
        Role.BUILDING_HEAD: [carol.name],
        Role.UNIT_HEAD: [unit_head.name],
        Role.BACKBONE: [backbone.name],
        Role.RESIDENT_REP: [rep.name],
    }
    assert [g.role for g in team.others] == [
        Role.BUILDING_HEAD,
        Role.UNIT_HEAD,
        Role.BACKBONE,
        Role.RESIDENT_REP,
    ]


def test_a_branch_secretary_role_without_a_branch_still_shows(
    places: dict[str, Place], erin: Person
) -> None:
    team = compound_team(places["compound_a"])
    assert team.branches == []
    assert names(team.other_secretaries) == [erin.name]


def test_members_report_to_the_compound_they_serve(places: dict[str, Place]) -> None:
    branch = joint(places)
    in_a = PersonFactory.create(name="党员甲")
    in_b = PersonFactory.create(name="党员乙")
    branch_enrol(actor=None, branch=branch, person=in_a, home_compound=places["compound_a"])
    branch_enrol(actor=None, branch=branch, person=in_b, home_compound=places["compound_b"])
    # A member of another branch who reports to compound A (党员到小区报到).
    other = single(places, "机关党支部")
    visitor = PersonFactory.create(name="报到党员")
    PartyMembership.objects.create(branch=other, person=visitor, reports_to=places["compound_a"])

    in_a_team = compound_team(places["compound_a"])
    in_b_team = compound_team(places["compound_b"])

    assert sorted(names(in_a_team.party_members)) == sorted([in_a.name, visitor.name])
    assert names(in_b_team.party_members) == [in_b.name]


def test_an_ended_party_member_role_does_not_make_a_member_report(
    places: dict[str, Place],
) -> None:
    branch = joint(places)
    member = PersonFactory.create(name="党员甲")
    branch_enrol(actor=None, branch=branch, person=member, home_compound=places["compound_a"])
    RoleAssignment.objects.filter(person=member).update(
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    assert compound_team(places["compound_a"]).party_members == []


def _grow(places: dict[str, Place], branch: PartyBranch, n: int, start: int) -> None:
    a = places["compound_a"]
    for i in range(start, start + n):
        member = PersonFactory.create(name=f"党员{i}")
        branch_enrol(actor=None, branch=branch, person=member, home_compound=a)
        role(f"楼长{i}", Role.BUILDING_HEAD, places["building_a"])
        role(f"业委{i}", Role.OWNERS_COMMITTEE, a)


def test_the_team_costs_the_same_queries_for_2_or_8_people(places: dict[str, Place]) -> None:
    branch = joint(places)
    _grow(places, branch, 2, 0)
    with CaptureQueriesContext(connection) as few:
        compound_team(places["compound_a"])
    _grow(places, branch, 6, 2)
    with CaptureQueriesContext(connection) as many:
        team = compound_team(places["compound_a"])
    assert len(team.party_members) == 8
    assert len(few) == len(many) <= 6


# --- pages ------------------------------------------------------------------------------------


def test_the_branches_page_counts_branches_and_members(
    client: Client, places: dict[str, Place], alice: Person
) -> None:
    branch = joint(places)
    single(places)
    for i in range(3):
        branch_enrol(
            actor=None,
            branch=branch,
            person=PersonFactory.create(name=f"党员{i}"),
            home_compound=places["compound_a"],
        )
    client.force_login(alice)
    response = client.get(reverse("organisations:branches"))
    assert response.status_code == 200
    assert response.context["community"] == places["community"]
    counts = response.context["counts"]
    assert (counts.total, counts.single, counts.joint, counts.members) == (2, 1, 1, 3)
    assert "上河园锦绣苑联合党支部" in response.text


def test_secretaries_are_masked_for_residents_and_shown_to_staff(
    client: Client, places: dict[str, Place], alice: Person, frank: Person
) -> None:
    branch = single(places)
    secretary = PersonFactory.create(name="郑小红")
    branch_enrol(
        actor=None,
        branch=branch,
        person=secretary,
        home_compound=places["compound_a"],
        role=MemberRole.SECRETARY,
    )
    url = reverse("organisations:branches") + f"?community={places['community'].uid}"
    client.force_login(alice)
    page = client.get(url).text
    assert "郑*红" in page
    assert "郑小红" not in page
    assert secretary.phone is not None
    assert secretary.phone not in page
    client.force_login(frank)
    assert "郑小红" in client.get(url).text


def test_an_unknown_community_is_not_found(client: Client, places: dict[str, Place]) -> None:
    assert client.get(reverse("organisations:branches") + "?community=nope").status_code == 404


def test_the_branch_page_lists_members_and_where_they_report(
    client: Client, places: dict[str, Place], alice: Person, dave: Person
) -> None:
    branch = joint(places)
    member = PersonFactory.create(name="王小明")
    branch_enrol(actor=None, branch=branch, person=member, home_compound=places["compound_b"])
    PartyMembership.objects.filter(person=member).update(reports_to=places["compound_b"])
    url = reverse("organisations:branch", args=[branch.uid])
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert "王*明" in response.text
    assert "王小明" not in response.text
    assert response.context["members"][0][1] == places["compound_b"]
    # A grid worker of a compound the branch covers is staff there.
    client.force_login(dave)
    assert "王小明" in client.get(url).text


def test_the_team_page_masks_names_for_anonymous_visitors(
    client: Client, places: dict[str, Place], carol: Person, dave: Person
) -> None:
    url = reverse("organisations:team", args=[places["compound_a"].uid])
    page = client.get(url).text
    assert "陈*长" in page
    assert "陈楼长" not in page
    # A building head is staff of her building, not of the whole compound.
    client.force_login(carol)
    assert "陈楼长" not in client.get(url).text
    client.force_login(dave)
    assert "陈楼长" in client.get(url).text


def test_the_team_page_is_only_for_compounds(client: Client, places: dict[str, Place]) -> None:
    url = reverse("organisations:team", args=[places["building_a"].uid])
    assert client.get(url).status_code == 404


def test_pages_cost_the_same_queries_for_2_or_8_members(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    branch = joint(places)
    client.force_login(frank)
    urls = [
        reverse("organisations:branches"),
        reverse("organisations:branch", args=[branch.uid]),
        reverse("organisations:team", args=[places["compound_a"].uid]),
    ]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _grow(places, branch, 2, 0)
    few = [count(url) for url in urls]
    _grow(places, branch, 6, 2)
    assert [count(url) for url in urls] == few
    assert max(few) <= 14


def test_the_branches_page_counts_the_whole_subdistrict(
    client: Client, places: dict[str, Place]
) -> None:
    branch_create(
        actor=None,
        community=places["community"],
        name="联合党支部",
        compounds=[places["compound_a"], places["compound_b"]],
    )
    branch_create(
        actor=None,
        community=places["community"],
        name="上河园党支部",
        compounds=[places["compound_a"]],
    )
    page = client.get("/organisations/branches/").content.decode()
    assert "全街道共 2 个党支部（单建 1 个、联建 1 个），党员 0 名。" in page
