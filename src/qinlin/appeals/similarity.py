"""The similar-appeal finder: which appeals speak of the same matter at the same place.

Pure Python with no Django import, so that the appeals models, the `qinlin appeals group`
command and the bench all use the very same engine.

How an appeal becomes a vector
    The text is normalised (full-width to half-width, lower case), cut into clauses at
    punctuation, and each clause segmented by jieba, which knows the lexicon of community
    problems (vocabulary.py) as user words. Every word of the lexicon turns into its concept
    (单元门, 楼门, 门禁 → door), so residents who describe one matter in different words meet.
    Words outside the lexicon stay as words, weighted by their self-information in jieba's
    dictionary (rare words say more); stop words are dropped. A word jieba does not know,
    or a lone character, still hints at a concept through its characters (停 in "停满了"
    → parking). A lighter channel of character bigrams catches what neither segmentation
    nor lexicon knows. Clauses after "另外 / 还有 / 顺便" weigh less: that is where residents
    add a second, lesser matter. Weights are fixed rather than learnt from the stored
    appeals, so a vector never changes once computed and is stored at unit length.

How two appeals are compared
    Cosine similarity of the vectors, times a place factor: appeals in different compounds
    never match; in different buildings of one compound the similarity is discounted by the
    share of it that comes from matters confined to one building (a lift, a leaking roof);
    in different units of one building, by the share from matters confined to one unit (the
    unit door). Cold radiators in every building of a compound remain one matter.

How a batch is grouped
    Average-linkage agglomeration: the two groups whose appeals are most similar on average
    merge while that average stays above the threshold. Unlike linking every pair above it,
    one ambiguous appeal cannot chain two unrelated matters together.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qinlin.appeals import vocabulary

if TYPE_CHECKING:
    from collections.abc import Callable

# --- tuning -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tuning:
    """The few numbers of the finder, chosen on the labelled set (see bench/RESULTS.md).

    Concepts weigh what vocabulary.py says; the other channels are scaled against them.
    """

    # Words outside the lexicon: they help little on the labelled set, but keep appeals
    # that use no lexicon word from being empty.
    word_scale: float = 0.45
    # A lexicon word itself, on top of its concept: the same wording is a little closer.
    surface_scale: float = 0.25
    # Character bigrams: above ~0.25 they start merging unrelated matters.
    bigram_scale: float = 0.12
    # Clauses after "另外": the second matter of a message should not pull it away.
    secondary_weight: float = 0.35
    # A character's hint at a concept, as a share of a full lexicon word.
    hint_scale: float = 0.4
    # Self-information (in nats) below the floor says nothing (开始, 东西); at the cap, all.
    info_floor: float = 9.0
    info_cap: float = 16.0
    # jieba's HMM invents words from unknown runs ("事能", "装个"); without it those runs
    # stay single characters, which the character hints can read. Measured better off.
    hmm: bool = False
    # Share of the similarity owed to building- (unit-) confined matters that is dropped
    # when two appeals come from different buildings (units): the lift of building 5 is not
    # the lift of building 6.
    other_building_penalty: float = 1.0
    other_unit_penalty: float = 1.0
    # Average similarity at which two groups merge: the middle of the plateau on the dev
    # split (0.20–0.30).
    threshold: float = 0.25


DEFAULT_TUNING = Tuning()

# Bounds the memory of the per-token cache when the index meets endless new words.
_TOKEN_CACHE_SIZE = 200_000

_CJK = re.compile(r"[\u3400-\u9fff]")
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;，,、：:\s…~～()（）【】\[\]「」『』\"'“”‘’/\\|<>《》-]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d{1,3}|[零〇一二两三四五六七八九十百]{1,4})"
_BUILDING = re.compile(_NUM + r"\s*(?:号楼|栋楼|栋|幢|#楼|#|号院|座)")
_UNIT = re.compile(_NUM + r"\s*(?:单元|门洞)")
# "室温十五六度", "17度": a temperature reading in an appeal means the rooms are cold.
_TEMPERATURE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,4})\s*度")


def _number(text: str) -> int | None:
    """3 → 3, 十二 → 12, 二十 → 20; None for anything else."""
    if text.isdigit():
        return int(text)
    if any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


def normalise(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


# --- places -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where an appeal comes from: compound, then building and unit when known."""

    compound: str | None = None
    building: str | None = None
    unit: str | None = None


def _segment_key(segment: str, pattern: re.Pattern[str]) -> str:
    """ "3号楼", "三号楼" and "3栋" are one building; a name that is not a number stays as is."""
    match = pattern.fullmatch(segment)
    if match:
        number = _number(match.group(1))
        if number is not None:
            return str(number)
    return segment


def parse_place(path: str | None) -> Place:
    """ "上河园/3号楼/2单元" → Place("上河园", "3", "2"); empty or None → an unknown place."""
    if not path:
        return Place()
    parts = [part.strip() for part in normalise(path).split("/")]
    parts = [part for part in parts if part]
    if not parts:
        return Place()
    building = _segment_key(parts[1], _BUILDING) if len(parts) > 1 else None
    unit = _segment_key(parts[2], _UNIT) if len(parts) > 2 else None
    return Place(compound=parts[0], building=building, unit=unit)


def _place_from_text(text: str, place: Place, compounds: Iterable[str]) -> Place:
    """Fill what the place leaves unknown from what the text says ("我是锦绣花园3号楼的")."""
    compound = place.compound
    if compound is None:
        for name in sorted(compounds, key=len, reverse=True):
            if name and name in text:
                compound = name
                break
    building = place.building
    unit = place.unit
    if building is None:
        match = _BUILDING.search(text)
        if match and (number := _number(match.group(1))) is not None:
            building = str(number)
    if building is not None and unit is None and place.building in (None, building):
        match = _UNIT.search(text)
        if match and (number := _number(match.group(1))) is not None:
            unit = str(number)
    return Place(compound=compound, building=building, unit=unit)


# --- segmentation -------------------------------------------------------------------------

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba() -> Any:
    """One jieba tokenizer for the process, loaded on first use with the lexicon's words.

    jieba logs "Building prefix dict…" to stderr at debug level and, through pkg_resources,
    may warn on import; neither may reach the user (the command's stdout is pure JSON, and
    tests treat warnings as errors). A private Tokenizer keeps our user words out of the
    global one other code may use.
    """
    global _tokenizer  # noqa: PLW0603 - a process-wide cache of a costly object, built once
    if _tokenizer is not None:
        return _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba  # type: ignore[import-untyped]
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tokenizer.initialize()
            for word in vocabulary.user_words():
                tokenizer.add_word(word)
            _tokenizer = tokenizer
    return _tokenizer


def prepare() -> None:
    """Load jieba and the lexicon now, rather than when the first appeal arrives."""
    _jieba()


# --- vectors ------------------------------------------------------------------------------

Vector = dict[str, float]

_LOCAL_SCOPES = frozenset({"unit", "building"})
_SCOPE_ORDER = ("unit", "building", "compound", "any")


@dataclass(frozen=True, slots=True)
class Doc:
    """An appeal ready for comparison: its unit-length vector and its place."""

    vector: Vector
    place: Place


@dataclass(slots=True)
class Analyzer:
    """Turns an appeal's text into a unit-length vector of weighted terms.

    Terms are "c:<concept>", "w:<word>" and "b:<bigram>"; the concept terms carry the scope
    of their matter (see `scope_of`).
    """

    tuning: Tuning = DEFAULT_TUNING
    _concepts: dict[str, tuple[str, ...]] = field(default_factory=vocabulary.concepts_by_word)
    _concept_weight: dict[str, float] = field(init=False)
    _scope: dict[str, str] = field(init=False)
    _long_words: tuple[str, ...] = field(init=False)
    _hints: dict[str, tuple[str, ...]] = field(init=False)
    _token_cache: dict[str, tuple[tuple[tuple[str, float], ...], bool]] = field(init=False)

    def __post_init__(self) -> None:
        self._concept_weight = {f"c:{c.key}": c.weight for c in vocabulary.CONCEPTS}
        self._scope = self._scopes()
        self._hints = vocabulary.hint_characters()
        self._token_cache = {}
        self._long_words = tuple(
            sorted((w for w in self._concepts if len(w) >= 2), key=len, reverse=True)
        )

    def _scopes(self) -> dict[str, str]:
        """The scope of every term that has one.

        A concept has its own; a lexicon word, and a bigram inside lexicon words, take the
        widest scope of the concepts they name: "电梯" is as local as the lift, "坏了" is not
        local at all. Without this, two identical texts about the lifts of two buildings
        would still meet through their shared words.
        """
        scope = {f"c:{c.key}": c.scope for c in vocabulary.CONCEPTS}
        widest: dict[str, str] = {}

        def widen(term: str, new: str) -> None:
            old = widest.get(term)
            widest[term] = new if old is None else max(old, new, key=_SCOPE_ORDER.index)

        for word, keys in self._concepts.items():
            for key in keys:
                concept_scope = scope[f"c:{key}"]
                widen(f"w:{word}", concept_scope)
                for first, second in itertools.pairwise(word):
                    widen(f"b:{first}{second}", concept_scope)
        return scope | widest

    def scope_of(self, term: str) -> str | None:
        return self._scope.get(term)

    def is_local(self, term: str) -> bool:
        return self._scope.get(term) in _LOCAL_SCOPES

    def is_unit(self, term: str) -> bool:
        return self._scope.get(term) == "unit"

    def _clauses(self, text: str) -> list[tuple[str, float]]:
        """The clauses of a text with their weight: 1, or less after "另外" and its kin."""
        weight = 1.0
        clauses: list[tuple[str, float]] = []
        for raw in _CLAUSE_SPLIT.split(text):
            clause = raw.strip()
            if not clause:
                continue
            if clauses and clause.startswith(vocabulary.SECONDARY_MARKERS):
                weight = self.tuning.secondary_weight
            clauses.append((clause, weight))
        return clauses

    def _info(self, word: str) -> float:
        tokenizer = _jieba()
        freq = tokenizer.FREQ.get(word) or 0
        info = math.log(tokenizer.total / (freq + 1.0))
        floor, cap = self.tuning.info_floor, self.tuning.info_cap
        return min(max(info - floor, 0.0) / (cap - floor), 1.0)

    def _token_terms(self, token: str) -> tuple[tuple[tuple[str, float], ...], bool]:
        """The terms one token contributes (with their share) and whether it counts as text.

        Cached: residents use a few thousand distinct words, and a query must stay fast.
        """
        cached = self._token_cache.get(token)
        if cached is not None:
            return cached
        tuning = self.tuning
        terms: list[tuple[str, float]] = []
        keep = False
        keys = self._concepts.get(token)
        if keys:
            terms.extend((f"c:{key}", 1.0) for key in keys)
            if len(token) >= 2:
                terms.append((f"w:{token}", 1.0))
            keep = True
        elif token not in vocabulary.STOP_WORDS:
            if len(token) == 1 or not _jieba().FREQ.get(token):
                # A word jieba does not know, or a lone character: its characters are the
                # only clue to what it is about.
                terms.extend(
                    (f"c:{key}", tuning.hint_scale)
                    for ch in token
                    for key in self._hints.get(ch, ())
                )
            if len(token) >= 2 and (_CJK.search(token) or token.isalpha()):
                inner = next((word for word in self._long_words if word in token), None)
                if inner is not None:
                    terms.extend((f"c:{key}", 1.0) for key in self._concepts[inner])
                terms.append((f"w:{token}", 1.0))
                keep = True
        result = (tuple(terms), keep)
        if len(self._token_cache) < _TOKEN_CACHE_SIZE:
            self._token_cache[token] = result
        return result

    def terms(self, text: str, *, strip: Iterable[str] = ()) -> dict[str, float]:
        """Raw term frequencies (clause-weighted), before weighting and normalisation."""
        text = normalise(text)
        for name in strip:
            if name:
                text = text.replace(name, " ")
        text = _UNIT.sub(" ", _BUILDING.sub(" ", text))
        counts: dict[str, float] = {}
        tokenizer = _jieba()
        for clause, weight in self._clauses(text):
            if _TEMPERATURE.search(clause):
                counts["c:cold"] = counts.get("c:cold", 0.0) + weight
            kept: list[str] = []
            for raw in tokenizer.cut(clause, HMM=self.tuning.hmm):
                token = raw.strip()
                if not token:
                    continue
                terms, keep = self._token_terms(token)
                for term, share in terms:
                    counts[term] = counts.get(term, 0.0) + weight * share
                if keep:
                    kept.append(token)
            joined = "".join(kept)
            for first, second in itertools.pairwise(joined):
                if _CJK.match(first) and _CJK.match(second):
                    term = f"b:{first}{second}"
                    counts[term] = counts.get(term, 0.0) + weight
        return counts

    def vector(self, text: str, *, strip: Iterable[str] = ()) -> Vector:
        """The unit-length weighted vector of a text; empty when nothing in it is telling."""
        tuning = self.tuning
        weighted: Vector = {}
        for term, count in self.terms(text, strip=strip).items():
            kind, _, body = term.partition(":")
            if kind == "c":
                idf = self._concept_weight[term]
            elif kind == "w":
                scale = tuning.surface_scale if body in self._concepts else tuning.word_scale
                idf = scale * self._info(body)
            else:
                idf = tuning.bigram_scale
            if idf > 0:
                weighted[term] = idf * math.sqrt(count)
        norm = math.sqrt(sum(w * w for w in weighted.values()))
        if norm == 0:
            return {}
        return {term: w / norm for term, w in weighted.items()}

    def doc(self, text: str, place: str | Place | None, *, compounds: Iterable[str] = ()) -> Doc:
        """An appeal's vector and place; a compound named in the text fills an unknown one."""
        known = place if isinstance(place, Place) else parse_place(place)
        names = [known.compound] if known.compound else list(compounds)
        resolved = _place_from_text(normalise(text), known, names)
        strip = [resolved.compound] if resolved.compound else []
        return Doc(vector=self.vector(text, strip=strip), place=resolved)

    def place_factor(self, a: Place, b: Place, dot: float, local: float, unit: float) -> float:
        """How far the places allow the similarity `dot` to count (0 = not at all).

        `local` and `unit` are the parts of `dot` owed to matters confined to one building or
        one unit.
        """
        if a.compound and b.compound and a.compound != b.compound:
            return 0.0
        if dot <= 0:
            return 0.0
        if a.building and b.building and a.building != b.building:
            return max(0.0, 1.0 - self.tuning.other_building_penalty * local / dot)
        if a.building and a.building == b.building and a.unit and b.unit and a.unit != b.unit:
            return max(0.0, 1.0 - self.tuning.other_unit_penalty * unit / dot)
        return 1.0

    def similarity(self, a: Doc, b: Doc) -> float:
        """Cosine similarity of two appeals, discounted by where they come from."""
        if a.place.compound and b.place.compound and a.place.compound != b.place.compound:
            return 0.0
        small, large = (
            (a.vector, b.vector) if len(a.vector) <= len(b.vector) else (b.vector, a.vector)
        )
        dot = local = unit = 0.0
        for term, weight in small.items():
            other = large.get(term)
            if other is None:
                continue
            product = weight * other
            dot += product
            if self.is_local(term):
                local += product
                if self.is_unit(term):
                    unit += product
        return dot * self.place_factor(a.place, b.place, dot, local, unit)


# --- grouping a batch ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Appeal:
    """One appeal of a batch to group: its id, text and place path ("上河园/3号楼/2单元")."""

    id: str
    text: str
    place: str | None = None


def _pair_similarities(analyzer: Analyzer, docs: Sequence[Doc]) -> dict[tuple[int, int], float]:
    """Every pair of appeals with a similarity above zero, found through shared terms."""
    postings: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        for term in doc.vector:
            postings.setdefault(term, []).append(index)
    pairs: dict[tuple[int, int], float] = {}
    for index, doc in enumerate(docs):
        candidates: set[int] = set()
        for term in doc.vector:
            candidates.update(j for j in postings[term] if j > index)
        for j in candidates:
            score = analyzer.similarity(doc, docs[j])
            if score > 0:
                pairs[(index, j)] = score
    return pairs


def group(
    appeals: Sequence[Appeal],
    *,
    threshold: float | None = None,
    analyzer: Analyzer | None = None,
) -> list[list[str]]:
    """Group appeals about the same matter at the same or a neighbouring place.

    Ids must be unique. Every id appears in exactly one group; groups come in the order of
    their first appeal, and the ids inside a group in input order. Appeals of different
    compounds never share a group, even through an appeal whose compound is unknown.
    """
    analyzer = analyzer or Analyzer()
    limit = analyzer.tuning.threshold if threshold is None else threshold
    compounds = {p.compound for a in appeals if (p := parse_place(a.place)).compound}
    docs = [analyzer.doc(a.text, a.place, compounds=compounds) for a in appeals]
    pairs = _pair_similarities(analyzer, docs)
    clusters = average_linkage(len(docs), pairs, limit, [d.place.compound for d in docs])
    return [[appeals[i].id for i in members] for members in clusters]


def average_linkage(
    size: int,
    pairs: dict[tuple[int, int], float],
    threshold: float,
    compounds: Sequence[str | None],
) -> list[list[int]]:
    """Merge the two clusters of highest average similarity while it reaches the threshold.

    The average is over all pairs across the two clusters, absent pairs counting as zero.
    Clusters are named by their smallest member, which keeps ties and output deterministic.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(size)}
    compound: dict[int, str | None] = dict(enumerate(compounds))
    links: dict[int, dict[int, float]] = {i: {} for i in range(size)}
    for (i, j), score in pairs.items():
        links[i][j] = score
        links[j][i] = score
    version = dict.fromkeys(range(size), 0)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        average = links[a][b] / (len(members[a]) * len(members[b]))
        if average >= threshold:
            heapq.heappush(heap, (-average, a, b, version[a], version[b]))

    for i, neighbours in links.items():
        for j in neighbours:
            if i < j:
                push(i, j)
    while heap:
        _, a, b, version_a, version_b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        if version[a] != version_a or version[b] != version_b:
            continue
        if compound[a] and compound[b] and compound[a] != compound[b]:
            continue
        members[a].extend(members.pop(b))
        compound[a] = compound[a] or compound.pop(b)
        compound.pop(b, None)
        version[a] += 1
        merged = links.pop(b)
        links[a].pop(b, None)
        for c, score in merged.items():
            if c == a:
                continue
            links[c].pop(b, None)
            total = links[a].get(c, 0.0) + score
            links[a][c] = total
            links[c][a] = total
        for c in list(links[a]):
            if compound[a] and compound.get(c) and compound[a] != compound[c]:
                continue
            push(a, c)
    clusters = [sorted(cluster) for cluster in members.values()]
    clusters.sort(key=lambda cluster: cluster[0])
    return clusters


# --- the index of stored appeals ----------------------------------------------------------


class Index:
    """Stored appeals, searchable for the ones most similar to a new appeal.

    An inverted index from terms to postings, partitioned by compound: a query with a known
    compound looks only at that compound (and at appeals whose compound is unknown), and
    only at appeals sharing a term with it. Vectors are unit length, so a dot product is the
    cosine and no norm is computed at query time.

    Each term also keeps the largest weight in its postings, an upper bound on what it can
    add to any appeal's score. A query reads the postings of its most telling terms first
    and stops opening new postings once the terms left could not lift an unseen appeal to
    the k-th best score (the MaxScore method): the long postings of common words are then
    never read, and the answer is still exact.
    """

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self._stored: dict[str, Doc] = {}
        self._postings: dict[str | None, dict[str, dict[str, float]]] = {}
        # Largest weight per term; never lowered on removal, so it stays an upper bound.
        self._top: dict[str | None, dict[str, float]] = {}

    def __len__(self) -> int:
        return len(self._stored)

    def __contains__(self, appeal_id: object) -> bool:
        return appeal_id in self._stored

    def compounds(self) -> list[str]:
        return [name for name in self._postings if name]

    def add(self, appeal_id: str, text: str, place: str | Place | None = None) -> None:
        """Store an appeal (replacing one stored under the same id)."""
        if appeal_id in self._stored:
            self.remove(appeal_id)
        doc = self.analyzer.doc(text, place, compounds=self.compounds())
        self._stored[appeal_id] = doc
        partition = self._postings.setdefault(doc.place.compound, {})
        top = self._top.setdefault(doc.place.compound, {})
        for term, weight in doc.vector.items():
            partition.setdefault(term, {})[appeal_id] = weight
            if weight > top.get(term, 0.0):
                top[term] = weight

    def remove(self, appeal_id: str) -> None:
        """Forget an appeal (closed, or merged into a topic); unknown ids are ignored."""
        stored = self._stored.pop(appeal_id, None)
        if stored is None:
            return
        partition = self._postings[stored.place.compound]
        for term in stored.vector:
            postings = partition[term]
            del postings[appeal_id]
            if not postings:
                del partition[term]

    def _plan(self, doc: Doc) -> list[tuple[float, str, float, list[dict[str, float]]]]:
        """The query's terms with their postings, most telling first.

        Each step is (upper bound of its contribution, term, query weight, postings lists):
        the postings of the query's compound and of appeals whose compound is unknown, or of
        every compound when the query's own is unknown.
        """
        if doc.place.compound:
            names: list[str | None] = [doc.place.compound, None]
        else:
            names = list(self._postings)
        plan = []
        for term, weight in doc.vector.items():
            lists = []
            bound = 0.0
            for name in names:
                postings = self._postings.get(name, {}).get(term)
                if postings:
                    lists.append(postings)
                    bound = max(bound, self._top[name][term])
            if lists:
                plan.append((weight * bound, term, weight, lists))
        plan.sort(key=lambda step: (-step[0], step[1]))
        return plan

    def query(
        self,
        text: str,
        place: str | Place | None = None,
        k: int = 5,
        *,
        min_score: float = 0.0,
    ) -> list[tuple[str, float]]:
        """The k stored appeals most similar to this text and place, best first.

        Scores are `Analyzer.similarity`: cosine times the place factor, which never exceeds
        1, so a dot product is an upper bound on the final score.
        """
        doc = self.analyzer.doc(text, place, compounds=self.compounds())
        plan = self._plan(doc)
        left = sum(step[0] for step in plan)
        dots: dict[str, float] = {}
        best: list[tuple[float, str]] = []
        scored: set[str] = set()

        def consider(appeal_id: str) -> None:
            scored.add(appeal_id)
            score = self.analyzer.similarity(doc, self._stored[appeal_id])
            if score <= min_score:
                return
            if len(best) < k:
                heapq.heappush(best, (score, appeal_id))
            elif score > best[0][0]:
                heapq.heapreplace(best, (score, appeal_id))

        for bound, _, weight, lists in plan:
            floor = best[0][0] if len(best) == k else min_score
            if left <= floor:
                break
            for postings in lists:
                _accumulate(dots, postings, weight)
            left -= bound
            # Score the leaders exactly: their scores raise the floor that ends the loop.
            for appeal_id in heapq.nlargest(k, dots, key=dots.__getitem__):
                if appeal_id not in scored:
                    consider(appeal_id)
        # An appeal's dot product is at most what it has gathered plus what is left.
        left = max(left, 0.0)
        ranked = [(-(dot + left), i) for i, dot in dots.items() if i not in scored]
        heapq.heapify(ranked)
        while ranked:
            negative_bound, appeal_id = heapq.heappop(ranked)
            floor = best[0][0] if len(best) == k else min_score
            if -negative_bound <= floor:
                break
            consider(appeal_id)
        best.sort(key=lambda item: (-item[0], item[1]))
        return [(appeal_id, round(score, 6)) for score, appeal_id in best]


def _accumulate(into: dict[str, float], postings: dict[str, float], weight: float) -> None:
    get = into.get
    for appeal_id, other in postings.items():
        into[appeal_id] = get(appeal_id, 0.0) + weight * other


def households_count(ids: Iterable[str], household_of: Callable[[str], str | None]) -> int:
    """How many distinct households raised the appeals of a group (unknown ones not counted)."""
    return len({h for appeal_id in ids if (h := household_of(appeal_id)) is not None})


# --- measuring a grouping -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise precision, recall and F1 of a grouping against gold labels."""

    precision: float
    recall: float
    f1: float


def _pairs(size: int) -> int:
    return size * (size - 1) // 2


def pairwise_scores(groups: Sequence[Sequence[str]], gold: dict[str, str]) -> Scores:
    """Compare a grouping with gold labels over all pairs of appeals.

    A pair counts as found when both appeals share a predicted group, as right when they
    share a gold group. Precision is the right share of the found pairs, recall the found
    share of the right pairs. No pairs at all counts as perfect (nothing to get wrong).
    """
    found = sum(_pairs(len(members)) for members in groups)
    gold_sizes: dict[str, int] = {}
    for label in gold.values():
        gold_sizes[label] = gold_sizes.get(label, 0) + 1
    right = sum(_pairs(size) for size in gold_sizes.values())
    both = 0
    for members in groups:
        cells: dict[str, int] = {}
        for appeal_id in members:
            cells[gold[appeal_id]] = cells.get(gold[appeal_id], 0) + 1
        both += sum(_pairs(size) for size in cells.values())
    precision = both / found if found else 1.0
    recall = both / right if right else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision=precision, recall=recall, f1=f1)
