"""The dashboard, the lists behind its figures, who may see them, and bad parameters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place, PlaceKind
from qinlin.stats.figures import Stats
from qinlin.topics.models import MeetingKind
from qinlin.topics.states import Stage
from tests.factories import PersonFactory, PlaceFactory
from tests.stats.helpers import YEAR, appeal, at, build, meeting, topic

pytestmark = pytest.mark.django_db

YEAR_QUERY = f"from={YEAR}-01-01&to={YEAR}-12-31"


def _dashboard(client: Client, place: Place, query: str = YEAR_QUERY) -> Any:
    return client.get(reverse("stats:dashboard-place", args=[place.uid]) + "?" + query)


def test_the_dashboard_links_every_figure_to_a_list_with_the_same_count(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    build(places, frank)
    client.force_login(frank)
    response = _dashboard(client, places["community"])
    assert response.status_code == 200
    stats: Stats = response.context["stats"]
    html = response.content.decode()
    for f in stats.all_figures():
        assert f'href="{f.href.replace("&", "&amp;")}"' in html, f
        listed = client.get(f.href)
        assert listed.status_code == 200, f
        assert listed.context["page"].paginator.count == f.count, f
    closing = client.get(stats.timing.to_closing.href)
    assert closing.context["page"].paginator.count == 2
    assert "237.8" in html


def test_a_list_shows_dates_titles_places_and_links_to_the_records(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    year = build(places, frank)
    client.force_login(frank)
    url = reverse("stats:list", args=[places["community"].uid, "topics_resolved"])
    response = client.get(f"{url}?{YEAR_QUERY}&value=property")
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("topics:topic-detail", args=[year.resolved_a.uid]) in html
    assert f"{YEAR}-06-01" in html
    assert "上河园 3号楼 2单元" in html
    assert "物业服务" in html  # the value's label, not its code


def test_the_default_is_the_widest_place_and_this_year(
    client: Client, places: dict[str, Place], grace: Person, frank: Person
) -> None:
    client.force_login(grace)
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    assert response.context["place"] == places["subdistrict"]
    year = timezone.localdate().year
    assert response.context["period"].start.isoformat() == f"{year}-01-01"
    assert response.context["period"].end.isoformat() == f"{year}-12-31"
    choices = [uid for uid, _label in response.context["form"].fields["place"].choices]
    assert choices == [
        places[n].uid for n in ("subdistrict", "community", "compound_a", "compound_b")
    ]
    # The year shortcuts run up to this year.
    assert f"?from={year}-01-01&amp;to={year}-12-31" in response.content.decode()


def test_choosing_a_place_in_the_form_goes_to_its_dashboard(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    client.force_login(frank)
    response = client.get(
        reverse("stats:dashboard"),
        {"place": places["compound_b"].uid, "from": f"{YEAR}-01-01", "to": f"{YEAR}-06-30"},
    )
    assert response.status_code == 302
    target = reverse("stats:dashboard-place", args=[places["compound_b"].uid])
    assert response["Location"] == f"{target}?from={YEAR}-01-01&to={YEAR}-06-30"


def test_the_workspace_links_to_the_dashboard_for_those_who_may_see_it(
    client: Client, places: dict[str, Place], frank: Person, carol: Person
) -> None:
    client.force_login(frank)
    assert reverse("stats:dashboard") in client.get(reverse("core:workspace")).content.decode()
    client.force_login(carol)
    assert reverse("stats:dashboard") not in client.get(reverse("core:workspace")).content.decode()


def test_a_resident_is_refused_and_a_visitor_must_log_in(
    client: Client, places: dict[str, Place], alice: Person
) -> None:
    assert client.get(reverse("stats:dashboard")).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("stats:dashboard")).status_code == 403
    assert _dashboard(client, places["compound_a"]).status_code == 403
    url = reverse("stats:list", args=[places["compound_a"].uid, "appeals"])
    assert client.get(url).status_code == 403


def test_a_grid_worker_sees_their_compound_and_not_the_next_one(
    client: Client, places: dict[str, Place], dave: Person
) -> None:
    client.force_login(dave)
    response = client.get(reverse("stats:dashboard"))
    assert response.context["place"] == places["compound_a"]
    refused = _dashboard(client, places["compound_b"])
    assert refused.status_code == 403
    assert "您无权查看这个地点的数据。" in refused.content.decode()
    assert "stats" not in refused.context or refused.context.get("stats") is None
    url = reverse("stats:list", args=[places["community"].uid, "appeals"])
    assert client.get(url).status_code == 403


def test_the_staff_of_one_community_cannot_see_another(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    other = PlaceFactory.create(
        kind=PlaceKind.COMMUNITY, name="南苑社区", parent=places["subdistrict"]
    )
    staff = PersonFactory.create(name="南社工")
    RoleAssignment.objects.create(person=staff, role=Role.COMMUNITY_STAFF, place=other)
    client.force_login(staff)
    assert _dashboard(client, other).status_code == 200
    assert _dashboard(client, places["community"]).status_code == 403
    assert _dashboard(client, places["compound_a"]).status_code == 403
    assert _dashboard(client, places["subdistrict"]).status_code == 403
    client.force_login(frank)
    assert _dashboard(client, other).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-13-01&to=2025-12-31", "请填写有效的日期"),
        ("from=2025-12-31&to=2025-01-01", "开始日期不能晚于结束日期。"),
        ("from=2025-01-01", "请同时填写开始日期和结束日期。"),
        ("from=1900-01-01&to=1900-12-31", "统计期间须在"),
        ("from=%00&to=x", "请填写有效的日期"),
    ],
)
def test_a_bad_period_is_explained_not_a_server_error(
    client: Client, places: dict[str, Place], frank: Person, query: str, message: str
) -> None:
    client.force_login(frank)
    response = _dashboard(client, places["community"], query)
    assert response.status_code == 400
    assert message in response.content.decode()
    url = reverse("stats:list", args=[places["community"].uid, "appeals"])
    listed = client.get(f"{url}?{query}")
    assert listed.status_code == 400
    assert message in listed.content.decode()


def test_unknown_places_figures_and_values_are_explained(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    client.force_login(frank)
    assert client.get(reverse("stats:dashboard-place", args=["nope"])).status_code == 404
    # A building has no dashboard of its own.
    assert _dashboard(client, places["building_a"]).status_code == 404
    uid = places["community"].uid
    unknown = client.get(reverse("stats:list", args=[uid, "nope"]))
    assert unknown.status_code == 404
    assert "没有这项统计数据。" in unknown.content.decode()
    bad = client.get(reverse("stats:list", args=[uid, "appeals_by_channel"]) + "?value=fax")
    assert bad.status_code == 400
    assert "无法识别筛选值“fax”。" in bad.content.decode()
    extra = client.get(reverse("stats:list", args=[uid, "appeals"]) + "?value=online")
    assert extra.status_code == 400
    chosen = client.get(reverse("stats:dashboard"), {"place": "nope"})
    assert chosen.status_code == 400
    assert "您无权查看这个地点的数据，或地点不存在。" in chosen.content.decode()


def _more(places: dict[str, Place], n: int) -> None:
    """`n` more of each kind of record in the year, spread over both compounds."""
    for i in range(n):
        place = places["compound_a"] if i % 2 else places["compound_b"]
        t = topic(
            place,
            at(YEAR, 2, 1) + timedelta(days=i),
            stage=Stage.CLOSED,
            steps={Stage.DECIDED: at(YEAR, 4, 1), Stage.CLOSED: at(YEAR, 8, 1)},
        )
        appeal(place, at(YEAR, 1, 15) + timedelta(days=i), topic=t)
        appeal(place, at(YEAR, 3, 1), channel="chat_group", code="parking")
        meeting(place, at(YEAR, 3, 1) + timedelta(days=i), kind=MeetingKind.SUNSHINE)


def test_the_dashboard_and_a_list_take_the_same_queries_whatever_the_data(
    client: Client,
    places: dict[str, Place],
    frank: Person,
    django_assert_max_num_queries: Any,
) -> None:
    build(places, frank)
    client.force_login(frank)
    list_url = reverse("stats:list", args=[places["community"].uid, "topics_resolved"])
    counts = []
    for extra in (0, 40):
        _more(places, extra)
        # The records above are written past the services, so no audit event tells the
        # figures' cache (stats/cache.py): forget it, to count the queries of computing them.
        cache.clear()
        with CaptureQueriesContext(connection) as dashboard:
            assert _dashboard(client, places["community"]).status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert client.get(f"{list_url}?{YEAR_QUERY}").status_code == 200
        counts.append((len(dashboard), len(listed)))
    assert counts[0] == counts[1], counts
    cache.clear()
    with django_assert_max_num_queries(40):
        _dashboard(client, places["community"])
    with django_assert_max_num_queries(12):
        client.get(f"{list_url}?{YEAR_QUERY}")


def test_a_deputy_sees_the_figures_but_not_the_words_of_residents(
    client: Client, places: dict[str, Place], frank: Person
) -> None:
    build(places, frank)
    deputy = PersonFactory.create(name="人大代表")
    RoleAssignment.objects.create(person=deputy, role=Role.DEPUTY, place=places["community"])
    client.force_login(deputy)
    assert _dashboard(client, places["community"]).status_code == 200
    url = reverse("stats:list", args=[places["community"].uid, "appeals"]) + "?" + YEAR_QUERY
    hidden = client.get(url)
    assert hidden.context["page"].paginator.count == 6
    assert "单元门坏了" not in hidden.content.decode()
    assert "（内容仅经办人员可见）" in hidden.content.decode()
    client.force_login(frank)
    assert "单元门坏了" in client.get(url).content.decode()
