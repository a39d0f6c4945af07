"""Bench of the similar-appeal finder: quality on the labelled set, speed at city scale.

    .venv/bin/python bench/appeals_grouping.py [--appeals 100000] [--queries 1000]

Quality: pairwise precision, recall and F1 of `qinlin.appeals.similarity.group` on
tests/data/appeals_labelled.jsonl, for the whole set, the development split (on which the
lexicon and the threshold were chosen) and the held-out split (written afterwards and scored
once, blind); a threshold sweep on the development split; and two plain baselines with the
same place rule and clustering (TF-IDF over jieba words, TF-IDF over character bigrams).

Speed: an Index of synthetic appeals (templates filled from the vocabulary, in many
compounds), then queries timed one by one: mean, median, p95 and max.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from qinlin.appeals import vocabulary
from qinlin.appeals.similarity import (
    DEFAULT_TUNING,
    Appeal,
    Index,
    average_linkage,
    group,
    pairwise_scores,
    parse_place,
    prepare,
)

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "appeals_labelled.jsonl"

Labelled = list[tuple[Appeal, str, str]]


def load_labelled(path: Path = LABELLED) -> Labelled:
    rows: Labelled = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        appeal = Appeal(id=record["id"], text=record["text"], place=record.get("place"))
        rows.append((appeal, record["group"], record["split"]))
    return rows


Grouper = Callable[[list[Appeal]], list[list[str]]]


def score(rows: Labelled, grouper: Grouper) -> tuple[float, float, float]:
    appeals = [appeal for appeal, _, _ in rows]
    gold = {appeal.id: label for appeal, label, _ in rows}
    result = pairwise_scores(grouper(appeals), gold)
    return result.precision, result.recall, result.f1


# --- baselines: what plain TF-IDF would do with the same place rule and clustering ----------


def _plain_tokens(text: str, kind: str) -> list[str]:
    text = text.lower()
    if kind == "bigrams":
        chars = [ch for ch in text if "\u3400" <= ch <= "\u9fff"]
        return [a + b for a, b in itertools.pairwise(chars)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba  # type: ignore[import-untyped]
    jieba.setLogLevel(30)
    return [
        token
        for token in jieba.lcut(text)
        if token not in vocabulary.STOP_WORDS and any("\u3400" <= ch <= "\u9fff" for ch in token)
    ]


def finder(threshold: float) -> Grouper:
    def grouper(appeals: list[Appeal]) -> list[list[str]]:
        return group(appeals, threshold=threshold)

    return grouper


def baseline_grouper(kind: str, thresholds: Sequence[float]) -> dict[float, Grouper]:
    """Plain TF-IDF (IDF from the batch) over jieba words or character bigrams, cosine
    similarity, never across compounds, average linkage: one grouper per threshold, sharing
    the similarities of a batch."""
    cache: dict[tuple[str, ...], dict[tuple[int, int], float]] = {}

    def similarities(appeals: list[Appeal]) -> dict[tuple[int, int], float]:
        key = tuple(a.id for a in appeals)
        if key in cache:
            return cache[key]
        docs = [_plain_tokens(a.text, kind) for a in appeals]
        df: dict[str, int] = {}
        for tokens in docs:
            for token in set(tokens):
                df[token] = df.get(token, 0) + 1
        vectors = []
        for tokens in docs:
            counts: dict[str, int] = {}
            for token in tokens:
                counts[token] = counts.get(token, 0) + 1
            weights = {
                t: (1 + math.log(c)) * math.log(len(docs) / df[t]) for t, c in counts.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            vectors.append({t: w / norm for t, w in weights.items()})
        compounds = [parse_place(a.place).compound for a in appeals]
        pairs = {}
        for i, j in itertools.combinations(range(len(vectors)), 2):
            if compounds[i] and compounds[j] and compounds[i] != compounds[j]:
                continue
            small, large = sorted((vectors[i], vectors[j]), key=len)
            dot = sum(w * large.get(t, 0.0) for t, w in small.items())
            if dot > 0:
                pairs[(i, j)] = dot
        cache[key] = pairs
        return pairs

    def at(threshold: float) -> Grouper:
        def grouper(appeals: list[Appeal]) -> list[list[str]]:
            compounds = [parse_place(a.place).compound for a in appeals]
            clusters = average_linkage(len(appeals), similarities(appeals), threshold, compounds)
            return [[appeals[i].id for i in members] for members in clusters]

        return grouper

    return {threshold: at(threshold) for threshold in thresholds}


# --- synthetic appeals at city scale ----------------------------------------------------------

_PREFIXES = (
    "金桂 翠湖 锦绣 和平 幸福 阳光 东风 梧桐 枫林 新华 "
    "春晖 紫荆 银杏 海棠 丽景 怡和 嘉园 景泰 龙湖 碧水"
)
_SUFFIXES = "园 苑 里 湾 城 居 庭 府 家园 花园 新村 小区 公寓 雅居 名苑 华庭 佳苑 丽都 国际 山庄"
_OPENINGS = ("", "", "您好，", "领导好，", "麻烦问一下，", "我想反映个事，", "我是老住户了，")
_WHERE = ("", "", "楼下", "我们单元", "我们楼", "小区里", "门口")
_FILLERS = (
    "好几天了",
    "一直没人管",
    "老人孩子都受影响",
    "希望尽快处理",
    "物业说报上去了就没下文",
    "找了好几次了",
    "太影响生活了",
    "晚上尤其严重",
    "邻居们都有意见",
    "请社区帮忙协调",
)


def _matters() -> list[vocabulary.Concept]:
    return [c for c in vocabulary.CONCEPTS if c.weight >= 0.9]


def synthetic_appeals(count: int, compounds: int, seed: int) -> list[tuple[str, str, str]]:
    """(id, text, place) triples: template sentences about the lexicon's matters."""
    rng = random.Random(seed)
    names = [p + s for p in _PREFIXES.split() for s in _SUFFIXES.split()][:compounds]
    matters = _matters()
    complaints = [c for c in vocabulary.CONCEPTS if c.weight < 0.9]
    rows = []
    for number in range(count):
        matter = rng.choice(matters)
        complaint = rng.choice(complaints)
        words = rng.sample(matter.words, k=min(2, len(matter.words)))
        text = (
            f"{rng.choice(_OPENINGS)}{rng.choice(_WHERE)}{words[0]}"
            f"{rng.choice(complaint.words)}，{words[-1]}{rng.choice(_FILLERS)}"
        )
        place = f"{rng.choice(names)}/{rng.randint(1, 20)}号楼/{rng.randint(1, 4)}单元"
        rows.append((f"s{number}", text, place))
    return rows


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timings(label: str, values: Sequence[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{label:<34} mean {statistics.fmean(ms):6.2f} ms   median {statistics.median(ms):6.2f} ms"
        f"   p95 {percentile(ms, 0.95):6.2f} ms   max {max(ms):6.2f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=100_000, help="stored appeals")
    parser.add_argument("--compounds", type=int, default=400, help="compounds they come from")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    rows = load_labelled()
    splits = {
        "full": rows,
        "dev": [r for r in rows if r[2] == "dev"],
        "held-out": [r for r in rows if r[2] == "test"],
    }
    compounds = {parse_place(a.place).compound for a, _, _ in rows} - {None}
    print(
        f"Labelled set {LABELLED.relative_to(ROOT)}: {len(rows)} appeals, "
        f"{len({label for _, label, _ in rows})} matters, {len(compounds)} compounds"
    )
    threshold = DEFAULT_TUNING.threshold
    print(f"\nFinder (threshold {threshold}):")
    print(f"  {'split':<9}{'appeals':>8}{'P':>8}{'R':>8}{'F1':>8}")
    for name, part in splits.items():
        p, r, f = score(part, finder(threshold))
        print(f"  {name:<9}{len(part):>8}{p:8.3f}{r:8.3f}{f:8.3f}")

    print("\nThreshold sweep on the dev split (F1; held-out shown for reference):")
    for step in range(10, 56, 5):
        t = step / 100
        dev_f1 = score(splits["dev"], finder(t))[2]
        held_f1 = score(splits["held-out"], finder(t))[2]
        print(f"  {t:.2f}  dev {dev_f1:.3f}  held-out {held_f1:.3f}")

    print("\nBaselines (same place rule and clustering; threshold chosen on dev):")
    thresholds = [step / 100 for step in range(1, 61)]
    for kind in ("words", "bigrams"):
        groupers = baseline_grouper(kind, thresholds)
        dev_f1, best = max((score(splits["dev"], groupers[t])[2], t) for t in thresholds)
        held = score(splits["held-out"], groupers[best])
        full = score(splits["full"], groupers[best])
        name = "jieba words TF-IDF" if kind == "words" else "char bigrams TF-IDF"
        print(
            f"  {name:<20} threshold {best:.2f}: dev F1 {dev_f1:.3f}, "
            f"held-out F1 {held[2]:.3f}, full F1 {full[2]:.3f}"
        )

    print(f"\nIndex of {args.appeals:,} synthetic appeals in {args.compounds} compounds:")
    prepare()
    stored = synthetic_appeals(args.appeals, args.compounds, args.seed)
    index = Index()
    started = time.perf_counter()
    for appeal_id, text, place in stored:
        index.add(appeal_id, text, place)
    built = time.perf_counter() - started
    print(f"  built in {built:.1f} s ({built / len(stored) * 1e6:.0f} µs per appeal)")
    queries = synthetic_appeals(args.queries, args.compounds, args.seed + 1)
    with_place = []
    for _, text, place in queries:
        started = time.perf_counter()
        index.query(text, place, k=5)
        with_place.append(time.perf_counter() - started)
    print("  " + timings(f"query with a place ({len(queries)})", with_place))
    without_place = []
    for _, text, _ in queries[: max(1, len(queries) // 5)]:
        started = time.perf_counter()
        index.query(text, None, k=5)
        without_place.append(time.perf_counter() - started)
    print("  " + timings(f"query, compound unknown ({len(without_place)})", without_place))
    return 0


if __name__ == "__main__":
    sys.exit(main())
