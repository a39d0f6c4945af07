"""The place tree: paths are allocated in order and "everything under X" is one query."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qinlin.core.errors import NotFoundError
from qinlin.places.models import PlaceKind, segment, segment_number
from qinlin.places.selectors import (
    compound_find,
    homes_under,
    place_children_figures,
    place_subtree,
)
from qinlin.places.services import child_path, next_child_number, place_create
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


def test_segments_are_fixed_width_base36_and_sort_like_numbers() -> None:
    assert segment(0) == "0000"
    assert segment(35) == "000z"
    assert segment(36) == "0010"
    assert segment_number(segment(12345)) == 12345
    assert sorted(segment(n) for n in (100, 9, 36, 1000)) == [
        segment(n) for n in (9, 36, 100, 1000)
    ]


def test_segment_refuses_numbers_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="out of range"):
        segment(36**4)


def test_children_get_the_next_free_number_after_the_last_one(places) -> None:
    unit = places["unit_a"]
    assert next_child_number(unit) == 2  # 101 and 102 hold 0 and 1
    home = place_create(
        actor=None, kind=PlaceKind.HOME, name="103", parent=unit, area=Decimal("70.00")
    )
    assert home.path == child_path(unit, 2)
    assert home.path.startswith(unit.path)
    assert len(home.path) == len(unit.path) + 4


def test_everything_under_a_compound_is_one_query(places, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        under = list(place_subtree(places["compound_a"]))
    assert {p.name for p in under} == {"上河园", "3号楼", "2单元", "101", "102"}


def test_homes_under_a_community_are_one_query_and_skip_other_kinds(
    places, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        homes = list(homes_under(places["community"]))
    assert sorted(h.name for h in homes) == ["101", "102", "201"]


def test_subtree_does_not_leak_into_a_sibling_with_a_longer_path(places) -> None:
    compound_b = places["compound_b"]
    assert places["home_a"] not in homes_under(compound_b)
    assert set(homes_under(compound_b)) == {places["home_b"]}


def test_children_figures_are_one_grouped_query(places, django_assert_num_queries) -> None:
    building = places["building_a"]
    PlaceFactory.create(kind=PlaceKind.UNIT, name="3单元", parent=building)
    with django_assert_num_queries(1):
        figures = place_children_figures(building)
    assert figures == {places["unit_a"].path: {"homes": 2, "area": Decimal("209.50")}}


def test_compound_is_found_by_uid_or_by_a_unique_name(places) -> None:
    compound = places["compound_a"]
    assert compound_find(compound.uid) == compound
    assert compound_find(" 上河园 ") == compound


def test_compound_name_shared_by_two_compounds_asks_for_the_uid(places) -> None:
    other = PlaceFactory.create(
        kind=PlaceKind.COMMUNITY, name="别的社区", parent=places["subdistrict"]
    )
    PlaceFactory.create(kind=PlaceKind.COMPOUND, name="上河园", parent=other)
    with pytest.raises(NotFoundError) as caught:
        compound_find("上河园")
    assert caught.value.code == "ambiguous_compound"
    assert places["compound_a"].uid in str(caught.value)


def test_unknown_compound_is_not_found(places) -> None:
    with pytest.raises(NotFoundError):
        compound_find("没有这个小区")
    with pytest.raises(NotFoundError):
        compound_find(places["building_a"].uid)  # a building is not a compound
