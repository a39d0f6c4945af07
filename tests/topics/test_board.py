"""The topic board: each column its stage's newest cards and true count, the whole stage a
page at a time behind "all N", whatever else the grid has done over the years."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from qinlin.people.models import Person
from qinlin.places.models import Place
from qinlin.topics import views
from qinlin.topics.models import Topic
from qinlin.topics.states import Stage
from tests.topics.helpers import new_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_board(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "COLUMN_CARDS", 2)
    monkeypatch.setattr(views, "STAGE_PAGE", 3)
    monkeypatch.setattr(views, "ENDED_CARDS", 1)


def _topics(actor: Person, place: Place, stage: Stage, titles: list[str]) -> None:
    for title in titles:
        topic = new_topic(actor, place, title=title)
        Topic.objects.filter(pk=topic.pk).update(stage=stage)


def _column(body: str, stage: Stage) -> str:
    found = re.search(rf'aria-labelledby="col-{stage}">(.*?)</section>', body, re.S)
    assert found, stage
    return found.group(1)


def test_years_of_closed_topics_crowd_no_stage_off_the_board(
    client: Client, erin: Person, places: dict[str, Place]
) -> None:
    _topics(erin, places["unit_a"], Stage.PROPOSED, ["最早的议题"])
    _topics(erin, places["unit_a"], Stage.CLOSED, [f"办结{i}" for i in range(5)])
    client.force_login(erin)
    body = client.get("/topics/").content.decode()
    assert "最早的议题" in _column(body, Stage.PROPOSED)
    assert "共 6 个议题" in body
    closed = _column(body, Stage.CLOSED)
    assert closed.count('class="topic-card"') == 1  # the newest only: the work is elsewhere
    assert "办结4" in closed
    assert "查看全部 5 个" in closed


def test_a_column_shows_its_newest_cards_its_count_and_a_link_to_the_whole_stage(
    client: Client, erin: Person, places: dict[str, Place]
) -> None:
    _topics(erin, places["unit_a"], Stage.LOCAL, ["第一", "第二", "第三", "第四"])
    client.force_login(erin)
    column = _column(client.get("/topics/?q=第").content.decode(), Stage.LOCAL)
    assert '<span class="badge">4</span>' in column
    assert "第四" in column
    assert "第三" in column
    assert "第二" not in column
    assert "第一" not in column
    link = re.search(r'href="\?([^"]+)">查看全部 4 个', column)
    assert link, column
    assert "stage=local" in link.group(1)
    assert "q=" in link.group(1)


def test_the_whole_stage_is_read_a_page_at_a_time(
    client: Client, erin: Person, places: dict[str, Place]
) -> None:
    _topics(erin, places["unit_a"], Stage.LOCAL, ["第一", "第二", "第三", "第四"])
    _topics(erin, places["unit_a"], Stage.VOTING, ["别的阶段"])
    client.force_login(erin)
    first = client.get("/topics/?stage=local").content.decode()
    assert "共 4 个议题" in first
    assert all(title in first for title in ("第四", "第三", "第二"))
    assert "第一" not in first
    assert "别的阶段" not in first
    assert "1 / 2" in first
    second = client.get("/topics/?stage=local&page=2").content.decode()
    assert "第一" in second
    assert "第四" not in second


def test_a_column_that_shows_everything_has_no_link(
    client: Client, erin: Person, places: dict[str, Place]
) -> None:
    _topics(erin, places["unit_a"], Stage.LOCAL, ["第一", "第二"])
    client.force_login(erin)
    assert "查看全部" not in _column(client.get("/topics/").content.decode(), Stage.LOCAL)


def test_topics_not_taken_up_are_listed_apart_with_their_count(
    client: Client, erin: Person, places: dict[str, Place]
) -> None:
    _topics(erin, places["unit_a"], Stage.REJECTED, ["不立项一", "不立项二", "不立项三"])
    client.force_login(erin)
    body = client.get("/topics/").content.decode()
    ended = body[body.index("未立项或已转办") :]
    assert "不予立项" in ended
    assert '<span class="badge">3</span>' in ended
    assert "查看全部 3 个" in ended
    assert "已转办 <span" not in ended  # a stage with nothing is left out


def test_english_board_says_all_n(client: Client, erin: Person, places: dict[str, Place]) -> None:
    _topics(erin, places["unit_a"], Stage.LOCAL, ["第一", "第二", "第三"])
    client.force_login(erin)
    body = client.get("/topics/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "All 3" in body
