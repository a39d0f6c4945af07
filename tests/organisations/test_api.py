"""/api/v1/organisations: branches, a compound's team and partners, readable by anyone with
names and contact details masked for all but the place's staff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinlin.api.services import api_token_issue
from qinlin.core.roles import Role
from qinlin.organisations.models import MemberRole, Partner, PartyBranch, Resource
from qinlin.organisations.services import branch_create, branch_enrol
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organisations"


def bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="议事小程序")
    return {"Authorization": f"Bearer {key}"}


def joint(places: dict[str, Place]) -> PartyBranch:
    branch = branch_create(
        actor=None,
        community=places["community"],
        name="上河园锦绣苑联合党支部",
        compounds=[places["compound_a"], places["compound_b"]],
    )
    branch_enrol(
        actor=None,
        branch=branch,
        person=PersonFactory.create(name="郑小红"),
        home_compound=places["compound_a"],
        role=MemberRole.SECRETARY,
    )
    return branch


def partner(places: dict[str, Place]) -> Partner:
    unit = Partner.objects.create(
        name="区人民医院",
        kind="dual_report",
        community=places["community"],
        contact_name="刘医生",
        contact_phone="13812341234",
    )
    Resource.objects.create(
        partner=unit, kind="clinic", title="义诊", availability="每月第二个周六"
    )
    Resource.objects.create(partner=unit, kind="lecture", title="健康讲座", active=False)
    return unit


def test_anyone_lists_a_communitys_branches_with_secretaries_masked(
    client: Client, places: dict[str, Place]
) -> None:
    branch = joint(places)
    response = client.get(f"{ORGS}/branches", {"community": places["community"].uid})
    assert response.status_code == 200
    [row] = response.json()
    assert row["uid"] == branch.uid
    assert row["kind"] == "joint"
    assert row["kind_label"] == "联建"
    assert [c["uid"] for c in row["compounds"]] == [
        places["compound_a"].uid,
        places["compound_b"].uid,
    ]
    assert row["secretary"] == "郑*红"
    assert row["member_count"] == 1


def test_community_staff_read_secretaries_in_full(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    joint(places)
    response = client.get(
        f"{ORGS}/branches", {"community": places["community"].uid}, headers=bearer(frank)
    )
    assert response.json()[0]["secretary"] == "郑小红"


def test_a_place_that_is_not_a_community_is_not_found(
    client: Client, places: dict[str, Place]
) -> None:
    response = client.get(f"{ORGS}/branches", {"community": places["compound_a"].uid})
    assert response.status_code == 404


def test_one_branch_lists_members_and_where_they_report(
    client: Client, places: dict[str, Place], alice: Person, dave: Person
) -> None:
    branch = joint(places)
    branch_enrol(
        actor=None,
        branch=branch,
        person=PersonFactory.create(name="王小明"),
        home_compound=places["compound_b"],
    )
    branch.memberships.filter(person__name="王小明").update(reports_to=places["compound_b"])
    url = f"{ORGS}/branches/{branch.uid}"
    body = client.get(url, headers=bearer(alice)).json()
    assert [(m["name"], m["role"]) for m in body["members"]] == [
        ("郑*红", "secretary"),
        ("王*明", "member"),
    ]
    assert body["members"][1]["reports_to"]["uid"] == places["compound_b"].uid
    assert body["members"][0]["reports_to"] is None  # not recorded, and the branch is joint
    assert "phone" not in str(body)
    staff = client.get(url, headers=bearer(dave)).json()
    assert staff["members"][1]["name"] == "王小明"
    assert client.get(f"{ORGS}/branches/nope").status_code == 404


def test_the_team_of_a_compound(
    client: Client, places: dict[str, Place], carol: Person, dave: Person
) -> None:
    branch = joint(places)
    committee = PersonFactory.create(name="林业委")
    RoleAssignment.objects.create(
        person=committee, role=Role.OWNERS_COMMITTEE, place=places["compound_a"]
    )
    url = f"{ORGS}/compounds/{places['compound_b'].uid}/team"
    team_b = client.get(url).json()
    assert [b["uid"] for b in team_b["branches"]] == [branch.uid]
    assert team_b["owners_committee"] == []

    url = f"{ORGS}/compounds/{places['compound_a'].uid}/team"
    anonymous = client.get(url).json()
    assert anonymous["full_names"] is False
    assert anonymous["branches"][0]["secretary"] == "郑*红"
    assert [p["name"] for p in anonymous["owners_committee"]] == ["林*委"]
    assert anonymous["others"] == [
        {
            "role": "building_head",
            "role_label": "楼长",
            "people": [
                {
                    "name": "陈*长",
                    "role": "building_head",
                    "role_label": "楼长",
                    "place": {"uid": places["building_a"].uid, "kind": "building", "name": "3号楼"},
                }
            ],
        }
    ]
    assert [m["name"] for m in anonymous["party_members"]] == ["郑*红"]
    staff = client.get(url, headers=bearer(dave)).json()
    assert staff["full_names"] is True
    assert staff["owners_committee"][0]["name"] == "林业委"
    building = client.get(f"{ORGS}/compounds/{places['building_a'].uid}/team")
    assert building.status_code == 404


def test_partners_contact_is_masked_unless_the_caller_manages_partners(
    client: Client, places: dict[str, Place], alice: Person, frank: Person
) -> None:
    unit = partner(places)
    url = f"{ORGS}/partners"
    [row] = client.get(url, {"community": places["community"].uid}, headers=bearer(alice)).json()
    assert row["uid"] == unit.uid
    assert row["kind_label"] == "双报到单位"
    assert row["contact_phone"] == "138****1234"
    assert row["contact_name"] == "刘*生"
    [full] = client.get(url, {"community": places["community"].uid}, headers=bearer(frank)).json()
    assert full["contact_phone"] == "13812341234"


def test_one_partner_with_its_resources(
    client: Client, places: dict[str, Place], erin: Person
) -> None:
    unit = partner(places)
    anonymous = client.get(f"{ORGS}/partners/{unit.uid}").json()
    assert [(r["title"], r["active"]) for r in anonymous["resources"]] == [
        ("义诊", True),
        ("健康讲座", False),
    ]
    assert anonymous["contact_phone"] == "138****1234"
    # The branch secretary of a compound does not manage the community's partners.
    secretary = client.get(f"{ORGS}/partners/{unit.uid}", headers=bearer(erin)).json()
    assert secretary["contact_phone"] == "138****1234"
    assert client.get(f"{ORGS}/partners/nope").status_code == 404


def test_the_endpoints_cost_the_same_queries_for_2_or_8_people(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    branch = joint(places)
    unit = partner(places)
    headers = bearer(frank)
    urls = [
        (f"{ORGS}/branches", {"community": places["community"].uid}),
        (f"{ORGS}/branches/{branch.uid}", {}),
        (f"{ORGS}/compounds/{places['compound_a'].uid}/team", {}),
        (f"{ORGS}/partners", {"community": places["community"].uid}),
        (f"{ORGS}/partners/{unit.uid}", {}),
    ]
    client.get(urls[0][0], urls[0][1], headers=headers)  # the token's first use is written

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            branch_enrol(
                actor=None,
                branch=branch,
                person=PersonFactory.create(name=f"党员{i}"),
                home_compound=places["compound_a"],
            )
            RoleAssignment.objects.create(
                person=PersonFactory.create(name=f"楼长{i}"),
                role=Role.BUILDING_HEAD,
                place=places["building_a"],
            )
            Resource.objects.create(partner=unit, kind="materials", title=f"物资{i}")

    def count() -> list[int]:
        counts = []
        for url, params in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, params, headers=headers).status_code == 200
            counts.append(len(captured))
        return counts

    grow(0, 2)
    few = count()
    grow(2, 6)
    assert count() == few
    assert max(few) <= 12


def test_the_endpoints_are_documented(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "branches",
        "branches/{uid}",
        "compounds/{uid}/team",
        "partners",
        "partners/{uid}",
    ):
        get = paths[f"{ORGS}/{path}"]["get"]
        assert get["summary"]
        assert get["description"]
        assert {"200", "404"} <= set(get["responses"])
