"""Partner units (共建单位), their resources and where the resources were used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.appeals.models import Category
from qinlin.appeals.services import appeal_submit
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.roles import Role
from qinlin.organisations.models import (
    Activity,
    Partner,
    PartnerKind,
    Resource,
    ResourceKind,
    ResourceUse,
)
from qinlin.organisations.partners import (
    partner_create,
    partner_update,
    resource_add,
    resource_link,
    resource_unlink,
    resource_update,
)
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from tests.factories import PersonFactory, tree
from tests.topics.helpers import new_topic

pytestmark = pytest.mark.django_db


def _partner(actor: Person, community: Place, name: str = "北苑社区卫生服务中心") -> Partner:
    return partner_create(
        actor=actor,
        community=community,
        name=name,
        kind=PartnerKind.DUAL_REPORT,
        profile="每月义诊。",
        address="北苑路1号",
        contact_name="张医生",
        contact_phone="13812345678",
    )


def _clinic(actor: Person, partner: Partner, title: str = "家门口义诊") -> Resource:
    return resource_add(
        actor=actor,
        partner=partner,
        kind=ResourceKind.CLINIC,
        title=title,
        description="量血压、测血糖",
        availability="每月第二个周六上午",
    )


@pytest.fixture
def other_staff(db: None) -> tuple[dict[str, Place], Person]:
    """Community staff of another community, in another subdistrict."""
    other = tree(prefix="东")
    person = PersonFactory.create(name="孙社工")
    RoleAssignment.objects.create(
        person=person, role=Role.COMMUNITY_STAFF, place=other["community"]
    )
    return other, person


# --- services ---------------------------------------------------------------------------


def test_staff_registers_a_partner(places, frank) -> None:
    partner = _partner(frank, places["community"])
    assert partner.contact_phone == "13812345678"
    assert partner.created_by == frank


@pytest.mark.parametrize("phone", ["0536-8123456", "8123456", "0536-8123456-801", "138 1234 5678"])
def test_landlines_and_spaced_mobiles_are_accepted(places, frank, phone: str) -> None:
    partner = partner_create(
        actor=frank, community=places["community"], name="联盟", kind="alliance",
        contact_phone=phone,
    )  # fmt: skip
    assert " " not in partner.contact_phone


@pytest.mark.parametrize("phone", ["12345", "23812345678", "138123456789", "电话0536", "+86-138"])
def test_a_bad_phone_is_refused(places, frank, phone: str) -> None:
    with pytest.raises(DomainError) as caught:
        partner_create(
            actor=frank, community=places["community"], name="联盟", kind="alliance",
            contact_phone=phone,
        )  # fmt: skip
    assert caught.value.code == "bad_phone"
    assert caught.value.field == "contact_phone"
    assert not Partner.objects.exists()


def test_a_partner_name_is_unique_within_its_community(places, frank) -> None:
    _partner(frank, places["community"])
    with pytest.raises(DomainError) as caught:
        _partner(frank, places["community"])
    assert caught.value.code == "partner_name_taken"


def test_a_partner_belongs_to_a_community(places, frank) -> None:
    with pytest.raises(DomainError) as caught:
        _partner(frank, places["compound_a"])
    assert caught.value.code == "bad_community"


def test_resident_cannot_register_a_partner(places, alice) -> None:
    with pytest.raises(ForbiddenError):
        _partner(alice, places["community"])


def test_partner_update_changes_the_contact(places, frank) -> None:
    partner = _partner(frank, places["community"])
    partner_update(
        actor=frank, partner=partner, name=partner.name, kind="social",
        contact_name="李护士", contact_phone="0536-8123456", active=False,
    )  # fmt: skip
    partner.refresh_from_db()
    assert (partner.kind, partner.contact_name, partner.active) == ("social", "李护士", False)


def test_resources_are_added_and_paused(places, frank) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    assert resource.availability == "每月第二个周六上午"
    resource_update(
        actor=frank, resource=resource, kind="clinic", title="义诊", availability="", active=False
    )
    resource.refresh_from_db()
    assert (resource.title, resource.active) == ("义诊", False)


def test_a_resource_is_linked_to_a_topic_in_the_community(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    topic = new_topic(erin, places["compound_a"])
    use = resource_link(actor=frank, resource=resource, topic=topic, note="入户量血压")
    assert (use.topic, use.note, use.linked_by) == (topic, "入户量血压", frank)


def test_a_branch_secretary_links_to_a_topic_of_her_compound(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    topic = new_topic(erin, places["compound_a"])
    assert resource_link(actor=erin, resource=resource, topic=topic).topic == topic


def test_a_branch_secretary_cannot_link_to_another_compound(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    topic = new_topic(frank, places["compound_b"])
    with pytest.raises(ForbiddenError):
        resource_link(actor=erin, resource=resource, topic=topic)


def test_a_topic_of_another_community_is_refused(places, frank, other_staff) -> None:
    other, stranger = other_staff
    resource = _clinic(frank, _partner(frank, places["community"]))
    topic = new_topic(stranger, other["compound_a"])
    with pytest.raises(DomainError) as caught:
        resource_link(actor=frank, resource=resource, topic=topic)
    assert caught.value.code == "outside_community"
    assert not ResourceUse.objects.exists()


def test_a_link_needs_exactly_one_target(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    with pytest.raises(DomainError) as caught:
        resource_link(actor=frank, resource=resource)
    assert caught.value.code == "one_target"


def test_a_paused_resource_cannot_be_linked(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    resource = resource_update(
        actor=frank, resource=resource, kind="clinic", title="义诊", active=False
    )
    with pytest.raises(DomainError) as caught:
        resource_link(actor=frank, resource=resource, topic=new_topic(erin, places["compound_a"]))
    assert caught.value.code == "resource_inactive"


def test_a_link_is_removed(places, frank, erin) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    use = resource_link(actor=frank, resource=resource, topic=new_topic(erin, places["compound_a"]))
    resource_unlink(actor=frank, use=use)
    assert not ResourceUse.objects.exists()


# --- pages ------------------------------------------------------------------------------


def test_staff_adds_a_partner_on_the_page(client: Client, places, frank) -> None:
    client.force_login(frank)
    response = client.post(
        reverse("organisations:partners"),
        {
            "community": places["community"].uid,
            "name": "锦绣药房",
            "kind": "alliance",
            "contact_phone": "0536-8123456",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:partner", args=[partner.uid])


def test_a_bad_phone_on_the_page_is_shown_and_nothing_is_saved(
    client: Client, places, frank
) -> None:
    client.force_login(frank)
    response = client.post(
        reverse("organisations:partners"),
        {
            "community": places["community"].uid,
            "name": "锦绣药房",
            "kind": "alliance",
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 400
    assert "联系电话格式不对" in response.content.decode()
    assert "锦绣药房" in response.content.decode()
    assert not Partner.objects.exists()


def test_resident_sees_the_partners_of_her_community_without_the_form(
    client: Client, places, frank, alice
) -> None:
    _partner(frank, places["community"])
    client.force_login(alice)
    response = client.get(reverse("organisations:partners"))
    assert response.status_code == 200
    assert "北苑社区卫生服务中心" in response.content.decode()
    assert response.context["form"] is None


def test_resident_cannot_add_a_partner(client: Client, places, alice) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("organisations:partners"),
        {"community": places["community"].uid, "name": "药房", "kind": "alliance"},
    )
    assert response.status_code == 403
    assert not Partner.objects.exists()


def test_resident_sees_the_phone_masked(client: Client, places, frank, alice) -> None:
    partner = _partner(frank, places["community"])
    client.force_login(alice)
    page = client.get(reverse("organisations:partner", args=[partner.uid])).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "张医生" in page
    assert "修改单位信息" not in page


def test_staff_sees_the_phone_in_full(client: Client, places, frank) -> None:
    partner = _partner(frank, places["community"])
    client.force_login(frank)
    page = client.get(reverse("organisations:partner", args=[partner.uid])).content.decode()
    assert "13812345678" in page
    assert "修改单位信息" in page


def test_staff_of_another_community_see_neither_the_partner_nor_its_forms(
    client: Client, places, frank, other_staff
) -> None:
    _other, stranger = other_staff
    partner = _partner(frank, places["community"])
    client.force_login(stranger)
    assert client.get(reverse("organisations:partner", args=[partner.uid])).status_code == 404
    listing = client.get(reverse("organisations:partners"))
    assert "北苑社区卫生服务中心" not in listing.content.decode()
    assert places["community"].uid not in listing.content.decode()
    response = client.post(
        reverse("organisations:partner-act", args=[partner.uid]),
        {"action": "add_resource", "kind": "clinic", "title": "义诊"},
    )
    assert response.status_code == 404
    assert not Resource.objects.exists()


def test_resident_cannot_add_a_resource(client: Client, places, frank, alice) -> None:
    partner = _partner(frank, places["community"])
    client.force_login(alice)
    response = client.post(
        reverse("organisations:partner-act", args=[partner.uid]),
        {"action": "add_resource", "kind": "clinic", "title": "义诊"},
    )
    assert response.status_code == 403
    assert not Resource.objects.exists()


def test_staff_adds_edits_and_links_a_resource_on_the_page(
    client: Client, places, frank, erin
) -> None:
    partner = _partner(frank, places["community"])
    topic = new_topic(erin, places["compound_a"])
    client.force_login(frank)
    act = reverse("organisations:partner-act", args=[partner.uid])
    response = client.post(
        act,
        {"action": "add_resource", "kind": "lecture", "title": "健康讲座", "availability": "周六"},
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    prefix = f"r-{resource.uid}"
    response = client.post(
        act,
        {
            "action": "edit_resource",
            "resource": resource.uid,
            f"{prefix}-kind": "lecture",
            f"{prefix}-title": "防诈骗讲座",
            f"{prefix}-availability": "每月一次",
            f"{prefix}-active": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        act,
        {"action": "link", "resource": resource.uid, "target": f"topic:{topic.uid}", "note": "x"},
    )
    assert response.status_code == 302
    page = client.get(reverse("organisations:partner", args=[partner.uid])).content.decode()
    assert "防诈骗讲座" in page
    assert reverse("topics:topic-detail", args=[topic.uid]) in page


def test_an_empty_resource_title_comes_back_with_what_was_typed(
    client: Client, places, frank
) -> None:
    partner = _partner(frank, places["community"])
    client.force_login(frank)
    response = client.post(
        reverse("organisations:partner-act", args=[partner.uid]),
        {"action": "add_resource", "kind": "clinic", "title": "  ", "availability": "周日下午"},
    )
    assert response.status_code == 400
    assert "周日下午" in response.content.decode()
    assert not Resource.objects.exists()


def _fill(frank: Person, erin: Person, places: dict[str, Place], partner: Partner, n: int) -> None:
    for i in range(n):
        resource = _clinic(frank, partner, title=f"义诊{i}")
        topic = new_topic(erin, places["compound_a"], title=f"议题{i}")
        resource_link(actor=frank, resource=resource, topic=topic)


def test_the_partner_page_costs_the_same_whatever_its_resources(
    client: Client, places, frank, erin
) -> None:
    small = _partner(frank, places["community"], name="小")
    large = _partner(frank, places["community"], name="大")
    _fill(frank, erin, places, small, 2)
    _fill(frank, erin, places, large, 6)
    client.force_login(frank)
    counts = []
    for partner in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("organisations:partner", args=[partner.uid]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12, counts


def test_a_branch_secretary_is_offered_only_the_topics_of_her_compound(
    client: Client, places, frank, erin
) -> None:
    partner = _partner(frank, places["community"])
    _clinic(frank, partner)
    mine = new_topic(erin, places["compound_a"], title="上河园的议题")
    theirs = new_topic(frank, places["compound_b"], title="锦绣苑的议题")
    client.force_login(erin)
    response = client.get(reverse("organisations:partner", args=[partner.uid]))
    choices = str(response.context["link_form"]["target"])
    assert f"topic:{mine.uid}" in choices
    assert f"topic:{theirs.uid}" not in choices
    assert "修改单位信息" not in response.content.decode()


def test_uses_for_an_appeal_and_an_activity_link_to_their_pages(
    client: Client, places, frank, alice
) -> None:
    resource = _clinic(frank, _partner(frank, places["community"]))
    appeal, _created = appeal_submit(
        actor=alice,
        text="楼下老人想量血压",
        category=Category.objects.get(code="property"),
        place=places["compound_a"],
        reporter=alice,
    )
    starts = timezone.now() + timedelta(days=3)
    activity = Activity.objects.create(
        title="重阳节义诊",
        kind="clinic",
        organiser="北苑社区",
        place=places["community"],
        location="社区广场",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=30,
        created_by=frank,
    )
    resource_link(actor=frank, resource=resource, appeal=appeal)
    resource_link(actor=frank, resource=resource, activity=activity)
    client.force_login(alice)
    page = client.get(reverse("organisations:partner", args=[resource.partner.uid]))
    text = page.content.decode()
    assert reverse("appeals:appeal-detail", args=[appeal.uid]) in text
    assert reverse("organisations:activity", args=[activity.uid]) in text
    assert "楼下老人" not in text
    assert page.context["link_form"] is None
