"""The similar-appeal finder: vocabulary, places, grouping and the index of stored appeals."""

from __future__ import annotations

import random

import pytest

from qinlin.appeals import vocabulary
from qinlin.appeals.similarity import (
    Analyzer,
    Appeal,
    Index,
    Place,
    group,
    households_count,
    pairwise_scores,
    parse_place,
)

DOOR = "上河园/3号楼/2单元"


def _groups(*appeals: tuple[str, str, str | None]) -> list[list[str]]:
    return group([Appeal(id=i, text=t, place=p) for i, t, p in appeals])


def test_different_words_for_the_unit_door_are_one_matter() -> None:
    groups = _groups(
        ("a", "单元门坏了", DOOR),
        ("b", "楼门关不上好几天了", DOOR),
        ("c", "门禁失灵，刷卡没反应", DOOR),
        ("d", "防盗门的闭门器坏了", DOOR),
    )
    assert groups == [["a", "b", "c", "d"]]


def test_different_words_for_cold_radiators_are_one_matter() -> None:
    groups = _groups(
        ("a", "暖气不热", "上河园/1号楼/1单元"),
        ("b", "供暖温度不达标，屋里冷", "上河园/5号楼/2单元"),
        ("c", "室温只有十五度", "上河园/7号楼"),
    )
    assert groups == [["a", "b", "c"]]


def test_unrelated_matters_at_one_place_stay_apart() -> None:
    groups = _groups(
        ("door", "单元门坏了，关不上", DOOR),
        ("heat", "暖气不热，家里冷", DOOR),
        ("dance", "广场舞音响太吵了", DOOR),
        ("lift", "电梯又坏了，困人了", DOOR),
    )
    assert groups == [["door"], ["heat"], ["dance"], ["lift"]]


def test_appeals_in_different_compounds_are_never_grouped() -> None:
    groups = _groups(
        ("a", "单元门坏了，关不上", "上河园/3号楼/2单元"),
        ("b", "单元门坏了，关不上", "锦绣花园/3号楼/2单元"),
    )
    assert groups == [["a"], ["b"]]


def test_an_appeal_without_a_place_does_not_bridge_two_compounds() -> None:
    groups = _groups(
        ("a", "暖气不热", "上河园/1号楼"),
        ("b", "暖气不热", None),
        ("c", "暖气不热", "锦绣花园/1号楼"),
    )
    assert len(groups) == 2
    assert ["a"] in groups or ["c"] in groups


def test_a_compound_named_in_the_text_stands_for_a_missing_place() -> None:
    groups = _groups(
        ("a", "广场舞太吵了", "上河园/2号楼/1单元"),
        ("b", "广场舞太吵了", "锦绣花园/2号楼/1单元"),
        ("c", "我是锦绣花园的，晚上广场舞音响太吵", None),
    )
    assert groups == [["a"], ["b", "c"]]


def test_unit_doors_of_different_units_are_different_matters() -> None:
    groups = _groups(
        ("a", "单元门坏了关不上", "上河园/3号楼/1单元"),
        ("b", "单元门坏了关不上", "上河园/3号楼/2单元"),
    )
    assert groups == [["a"], ["b"]]


def test_lifts_of_different_buildings_are_different_matters() -> None:
    groups = _groups(
        ("a", "电梯又坏了", "上河园/5号楼/1单元"),
        ("b", "电梯又坏了", "上河园/6号楼/1单元"),
    )
    assert groups == [["a"], ["b"]]


def test_a_second_matter_after_lingwai_does_not_move_an_appeal() -> None:
    groups = _groups(
        ("a", "5号楼电梯坏了，天天爬楼", "上河园/5号楼/1单元"),
        ("b", "电梯困人了，半天没人来", "上河园/5号楼/2单元"),
        ("c", "电梯又坏了，另外楼下垃圾桶也该清一清了", "上河园/5号楼/1单元"),
        ("d", "垃圾桶满了没人清运，臭得很", "上河园/5号楼/1单元"),
    )
    assert groups == [["a", "b", "c"], ["d"]]


def test_homophone_typos_of_pinyin_input_are_understood() -> None:
    groups = _groups(
        ("a", "暖器不热，屋里冷", "上河园/1号楼"),
        ("b", "暖气不热，屋里冷", "上河园/2号楼"),
        ("c", "电悌坏了", "上河园/5号楼"),
    )
    assert groups == [["a", "b"], ["c"]]


def test_grouping_lists_every_id_once_in_input_order() -> None:
    appeals = [
        Appeal(id="z", text="暖气不热", place="上河园"),
        Appeal(id="y", text="单元门坏了", place="上河园/1号楼/1单元"),
        Appeal(id="x", text="供暖不达标", place="上河园"),
        Appeal(id="w", text="", place=None),
    ]
    groups = group(appeals)
    assert groups == [["z", "x"], ["y"], ["w"]]
    assert group(appeals) == groups


def test_grouping_nothing_gives_no_groups() -> None:
    assert group([]) == []


def test_places_are_read_from_the_compound_down() -> None:
    assert parse_place("上河园/3号楼/2单元") == Place("上河园", "3", "2")
    assert parse_place("上河园／三号楼／二单元") == Place("上河园", "3", "2")
    assert parse_place("上河园/3栋") == Place("上河园", "3", None)
    assert parse_place("") == Place()
    assert parse_place(None) == Place()


def test_the_index_finds_the_same_matter_in_the_same_compound_first() -> None:
    index = Index()
    index.add("door", "单元门坏了，关不上", DOOR)
    index.add("heat", "暖气不热", "上河园/1号楼")
    index.add("other", "单元门坏了，关不上", "锦绣花园/3号楼/2单元")
    found = index.query("门禁失灵，楼门一直开着", DOOR, k=5)
    assert [appeal_id for appeal_id, _ in found] == ["door"]
    assert found[0][1] > 0.25


def test_the_index_forgets_removed_and_replaced_appeals() -> None:
    index = Index()
    index.add("a", "电梯坏了", "上河园/5号楼")
    index.add("b", "电梯困人", "上河园/5号楼")
    index.remove("a")
    index.remove("missing")
    index.add("b", "暖气不热", "上河园/5号楼")
    assert len(index) == 1
    assert "a" not in index
    assert index.query("电梯坏了", "上河园/5号楼") == []
    assert [i for i, _ in index.query("供暖不热", "上河园/5号楼")] == ["b"]


def test_the_index_answers_exactly_what_comparing_every_appeal_would() -> None:
    rng = random.Random(5)
    matters = [c for c in vocabulary.CONCEPTS if c.weight >= 0.9]
    places = [f"园{n}/{b}号楼/{u}单元" for n in range(3) for b in range(1, 4) for u in (1, 2)]
    rows = [
        (f"s{n}", "".join(rng.sample(rng.choice(matters).words, 2)) + "坏了", rng.choice(places))
        for n in range(400)
    ]
    index = Index()
    for appeal_id, text, home in rows:
        index.add(appeal_id, text, home)
    analyzer = index.analyzer
    stored = {appeal_id: analyzer.doc(text, home) for appeal_id, text, home in rows}
    for n in range(40):
        text = "".join(rng.sample(rng.choice(matters).words, 2))
        place: str | None = rng.choice(places) if n % 2 else None
        query = analyzer.doc(text, place, compounds=index.compounds())
        scores = [(round(analyzer.similarity(query, doc), 6), i) for i, doc in stored.items()]
        expected = sorted((s for s in scores if s[0] > 0), key=lambda s: (-s[0], s[1]))[:5]
        assert [s for _, s in index.query(text, place, k=5)] == [s for s, _ in expected]


def test_pairwise_scores_count_pairs() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    perfect = pairwise_scores([["a", "b", "c"], ["d"]], gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    split = pairwise_scores([["a", "b"], ["c"], ["d"]], gold)
    assert split.precision == 1.0
    assert split.recall == pytest.approx(1 / 3)
    merged = pairwise_scores([["a", "b", "c", "d"]], gold)
    assert merged.precision == pytest.approx(3 / 6)
    assert merged.recall == 1.0


def test_households_are_counted_once_per_group() -> None:
    homes = {"a": "3-2-101", "b": "3-2-101", "c": "3-2-502", "d": None}
    assert households_count(["a", "b", "c", "d"], homes.get) == 2


def test_the_vocabulary_is_consistent() -> None:
    keys = [concept.key for concept in vocabulary.CONCEPTS]
    assert len(keys) == len(set(keys))
    assert len(keys) >= 25
    words = vocabulary.concepts_by_word()
    assert not set(words) & vocabulary.STOP_WORDS
    assert all(0 < concept.weight <= 1 for concept in vocabulary.CONCEPTS)
    assert all(len(set(concept.words)) == len(concept.words) for concept in vocabulary.CONCEPTS)
    assert all(len(word) >= 2 for word in vocabulary.user_words())
    for key in ("door", "heating", "leak", "lift", "parking", "ev", "rubbish", "tree", "noise"):
        assert key in keys


def test_the_analyzer_turns_synonyms_into_one_concept() -> None:
    analyzer = Analyzer()
    for text in ("单元门坏了", "楼门关不上", "门禁失灵"):
        assert "c:door" in analyzer.vector(text)
    for text in ("暖气不热", "供暖不好", "室温低"):
        assert "c:heating" in analyzer.vector(text) or "c:cold" in analyzer.vector(text)
