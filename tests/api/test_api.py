"""The API base: public places, staff-only homes, masked people, tokens, the OpenAPI doc."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from qinlin.api.models import ApiToken
from qinlin.api.services import api_token_issue, api_token_revoke
from qinlin.core.models import AuditEvent
from qinlin.people.models import Person
from qinlin.places.models import Place, PlaceKind
from tests.factories import PlaceFactory, resident_of

pytestmark = pytest.mark.django_db


def bearer(person: Person) -> dict[str, str]:
    _token, key = api_token_issue(actor=None, person=person, name="测试")
    return {"Authorization": f"Bearer {key}"}


def test_anyone_can_list_and_read_places_above_homes(client: Client, places) -> None:
    response = client.get("/api/v1/places", {"kind": "compound"})
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert names == {"上河园", "锦绣苑"}
    detail = client.get(f"/api/v1/places/{places['compound_a'].uid}").json()
    assert [a["name"] for a in detail["ancestors"]] == ["北苑街道", "北苑社区"]
    assert detail["figures"]["home"] == 2
    assert "id" not in detail


def test_place_listing_never_includes_homes(client: Client, places) -> None:
    items = client.get("/api/v1/places", {"parent": places["unit_a"].uid}).json()["items"]
    assert items == []


def test_homes_are_for_the_staff_responsible(client: Client, places, alice, dave) -> None:
    url = f"/api/v1/places/{places['compound_a'].uid}/homes"
    assert client.get(url).status_code == 401
    refused = client.get(url, headers=bearer(alice))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    allowed = client.get(url, headers=bearer(dave)).json()["items"]
    assert {(h["building"], h["unit"], h["name"]) for h in allowed} == {
        ("3号楼", "2单元", "101"),
        ("3号楼", "2单元", "102"),
    }
    assert allowed[0]["area"] == "89.50"
    other = f"/api/v1/places/{places['compound_b'].uid}/homes"
    assert client.get(other, headers=bearer(dave)).status_code == 403


def test_people_are_listed_with_masked_phones(client: Client, places, alice, frank) -> None:
    response = client.get(
        "/api/v1/people", {"place": places["compound_a"].uid}, headers=bearer(frank)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert alice.phone
    assert alice.phone not in body
    [item] = [i for i in response.json()["items"] if i["uid"] == alice.uid]
    assert item["phone_masked"] == alice.phone_masked
    assert item["homes"] == ["上河园 3号楼 2单元 101"]


def test_a_resident_cannot_list_people(client: Client, places, alice) -> None:
    response = client.get(
        "/api/v1/people", {"place": places["compound_a"].uid}, headers=bearer(alice)
    )
    assert response.status_code == 403


def test_person_detail_is_for_themselves_or_staff(client: Client, alice, bob, frank) -> None:
    assert client.get(f"/api/v1/people/{alice.uid}", headers=bearer(alice)).status_code == 200
    assert client.get(f"/api/v1/people/{alice.uid}", headers=bearer(bob)).status_code == 403
    assert client.get(f"/api/v1/people/{alice.uid}", headers=bearer(frank)).status_code == 200
    me = client.get("/api/v1/people/me", headers=bearer(bob)).json()
    assert me["uid"] == bob.uid


def test_phone_reveal_is_audited_and_refused_to_outsiders(
    client: Client, alice, bob, frank
) -> None:
    refused = client.post(f"/api/v1/people/{alice.uid}/phone", headers=bearer(bob))
    assert refused.status_code == 403
    response = client.post(f"/api/v1/people/{alice.uid}/phone", headers=bearer(frank))
    assert response.json() == {"phone": alice.phone}
    assert AuditEvent.objects.filter(verb="people.phone.revealed", actor=frank).count() == 1


def test_session_posts_need_csrf(alice, frank) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(frank)
    assert client.post(f"/api/v1/people/{alice.uid}/phone").status_code == 403
    assert not AuditEvent.objects.filter(verb="people.phone.revealed").exists()


def test_revoked_and_unknown_tokens_are_refused(client: Client, places, dave) -> None:
    token, key = api_token_issue(actor=None, person=dave, name="热线")
    url = f"/api/v1/places/{places['compound_a'].uid}/homes"
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    api_token_revoke(actor=None, token=token)
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer ql_nonsense"}).status_code == 401
    assert ApiToken.objects.get(pk=token.pk).key_hash != key


def test_openapi_document_lists_every_endpoint(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/v1/places",
        "/api/v1/places/{uid}",
        "/api/v1/places/{uid}/homes",
        "/api/v1/people",
        "/api/v1/people/me",
        "/api/v1/people/{uid}",
        "/api/v1/people/{uid}/phone",
    }
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content


@pytest.mark.parametrize("count", [3, 30])
def test_list_endpoints_query_count_does_not_grow(
    client: Client, places, frank, count, django_assert_max_num_queries
) -> None:
    for i in range(count):
        building = PlaceFactory.create(
            kind=PlaceKind.BUILDING, name=f"{i + 10}号楼", parent=places["compound_a"]
        )
        unit = PlaceFactory.create(kind=PlaceKind.UNIT, name="1单元", parent=building)
        home = PlaceFactory.create(kind=PlaceKind.HOME, name="101", parent=unit)
        resident_of(home)
    headers = bearer(frank)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/places", headers=headers).status_code == 200
    with django_assert_max_num_queries(8):
        url = f"/api/v1/places/{places['compound_a'].uid}/homes"
        assert client.get(url, headers=headers).status_code == 200
    with django_assert_max_num_queries(10):
        url = "/api/v1/people"
        assert (
            client.get(url, {"place": places["compound_a"].uid}, headers=headers).status_code == 200
        )


def test_cli_issues_lists_and_revokes_tokens(frank) -> None:
    out = StringIO()
    call_command("api_token", "issue", "--phone", frank.phone, "--name", "12345 热线", stdout=out)
    key = out.getvalue().splitlines()[1]
    assert key.startswith("ql_")
    token = ApiToken.objects.get()
    assert token.key_hash != key
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "12345 热线" in listing.getvalue()
    assert key not in listing.getvalue()
    call_command("api_token", "revoke", str(token.pk), stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cli_refuses_bad_arguments_with_status_2(db: None) -> None:
    with pytest.raises(CommandError) as unknown:
        call_command("api_token", "issue", "--phone", "13999999999", "--name", "x")
    assert unknown.value.returncode == 2
    with pytest.raises(CommandError) as missing:
        call_command("api_token", "revoke", "999")
    assert missing.value.returncode == 2


def test_domain_errors_come_back_as_json(client: Client, db: None) -> None:
    response = client.get("/api/v1/places/nosuchplace")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"
    assert isinstance(Place.objects.count(), int)


def test_a_body_that_is_not_json_is_refused_like_any_bad_input(dave: Person) -> None:
    """Found by the fuzzer: django-ninja's own {"detail": …} broke the documented 400."""
    response = Client().post(
        "/api/v1/appeals", data=b"\x97\xff{", content_type="application/json", headers=bearer(dave)
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_body",
        "message": "请求正文不是有效的 JSON。",
        "field": "",
    }
    assert not AuditEvent.objects.filter(verb__startswith="appeals.").exists()


@pytest.mark.parametrize("query", [{"limit": 10**30}, {"offset": 10**30}, {"limit": 501}])
def test_a_page_beyond_any_database_integer_is_refused_not_a_server_error(
    client: Client, places, query: dict[str, int]
) -> None:
    """Found by the fuzzer: limit=10**30 overflowed SQLite's integers (a 500)."""
    assert client.get("/api/v1/places", query).status_code == 422


def test_every_operation_that_takes_input_documents_the_422_of_bad_input() -> None:
    from qinlin.api.api import api

    schema = json.loads(json.dumps(api.get_openapi_schema()))
    missing = [
        f"{method} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if (operation.get("parameters") or operation.get("requestBody"))
        and "422" not in operation["responses"]
    ]
    assert missing == []


def test_every_operation_that_takes_a_body_documents_the_400_of_an_unreadable_one() -> None:
    from qinlin.api.api import api

    schema = json.loads(json.dumps(api.get_openapi_schema()))
    missing = [
        f"{method} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("requestBody") and "400" not in operation["responses"]
    ]
    assert missing == []


def test_listing_the_children_of_no_place_is_a_documented_404(client: Client, places) -> None:
    """Found by the fuzzer: the 404 of an unknown `parent` was not in the document."""
    from qinlin.api.api import api

    response = client.get("/api/v1/places", {"parent": "nosuchplace"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (
        "404"
        in json.loads(json.dumps(api.get_openapi_schema()))["paths"]["/api/v1/places"]["get"][
            "responses"
        ]
    )
