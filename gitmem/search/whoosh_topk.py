"""A ranked Whoosh query's best N documents, scored a term at a time: the answers of Whoosh's
`TopCollector` scoring every candidate, bit for bit, without its walk of the matcher tree
document by document.

Whoosh collects a query by stepping its tree of matchers (unions, intersections, `BestOf`)
one document at a time: at 100k records a 2-3 word query matches ~17,000 documents, and the
calls to `is_active`/`id`/`next`/`score` through the tree were 90% of the query's time. Its own
pruning (replacing parts of the tree as the heap fills, skipping blocks by quality) hardly
applied, and lost documents: Whoosh 2.7.4's `DisjunctionMaxMatcher.replace` returns a null
matcher as soon as either side of a `BestOf` runs out, dropping the rest of the segment
(bench/RESULTS-query.md). Here each segment's matcher tree is built by Whoosh as usual (so its
shape, which fixes the order of the additions, is Whoosh's), and then read bottom-up: each
term's postings whole into {document: score} (BM25F's own formula, the same operations in the
same order), each node combining its children's dicts the way its `score()` combines theirs
(a union adds where both match, `BestOf` takes the larger, an intersection adds, AND NOT drops,
a boost multiplies). A float addition is commutative, and the tree's grouping is Whoosh's, so
each document's score is the same float. A node of another kind (a phrase) is stepped through
as Whoosh would, on its own; an excluded side that Whoosh has already stepped (AND NOT's) must
be of a kind read from its start, else Whoosh's collector answers (`Unsupported`). The best N
then are those of Whoosh's heap: the highest scores, the lower document number first among
equal ones. A term's scores are kept for the next query (`_CACHE`).

`seen` is what `whoosh_search._seen_terms_collector` gathers: the terms matched in at least
one collected document (what snippets mark). For a phrase this counts its words where the
phrase matched; Whoosh also counts them where its inner matchers happen to stand on a
collected document the phrase does not match.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from array import array
from collections.abc import Callable, Container, Mapping

from gitmem import NamedTuple
from gitmem.search.kept import Kept
from gitmem.search.whoosh_columns import FieldLengths

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


Key = tuple[str, bytes]
Scores = dict[int, float]


class Collected:
    """Every document a query matches, with its score, per segment (or, with a `depth`,
    every document that may be among its best `depth`: `whoosh_prune`)."""

    def __init__(
        self,
        segments: list[tuple[int, Scores]],
        seen: set[Key],
        postings: list[Mapping[Key, Container[int]]],
        depth: int | None = None,
    ) -> None:
        self.segments = segments  # (document number offset, {segment docnum: score})
        self.seen = seen
        # Per segment (in `leaf_searchers` order), each term read whole: its documents
        # (segment numbers), for the terms each hit matched.
        self.postings = postings
        self.depth = depth  # `top(limit)` is exact up to this limit (None: any)

    def top(self, limit: int) -> list[tuple[float, int]]:
        """The best `limit` as Whoosh's TopCollector orders them: (score, docnum), highest
        score first, lower docnum first among equal scores."""
        if self.depth is not None and limit > self.depth:
            raise ValueError(f"collected for the best {self.depth}, not {limit}")
        chosen: list[tuple[float, int]] = []
        for offset, scores in self.segments:
            if len(scores) > limit:
                threshold = heapq.nlargest(limit, scores.values())[-1] if limit else float("inf")
                # (the documents at or above the threshold picked at C speed: a few of ~17,000)
                above = itertools.compress(scores.items(), map(threshold.__le__, scores.values()))
                chosen += [(s, -offset - d) for d, s in above]
            else:
                chosen += [(s, -offset - d) for d, s in scores.items()]
        chosen.sort(reverse=True)
        return [(s, -d) for s, d in chosen[:limit]]


def _without(scores: Scores, excluded: Any) -> Scores:
    out = dict(scores)
    for d in scores.keys() & excluded:
        del out[d]
    return out


class MatcherKinds(NamedTuple):
    """The matcher classes read here (and by `whoosh_prune`), by what they do."""

    leaf: type[Any]  # a term's postings (Whoosh's 3rd codec)
    union: type[Any]  # adds where both sides match
    best: type[Any]  # `BestOf`'s: the larger where both match
    intersection: type[Any]
    and_not: type[Any]
    filter: type[Any]  # a deleted-documents filter, a narrowing by ids
    wrapping: type[Any]  # a boost
    null: type[Any]


@functools.cache
def matcher_kinds() -> MatcherKinds:
    """Imported at the first query (Whoosh is imported lazily)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching import (
        AndNotMatcher,
        FilterMatcher,
        IntersectionMatcher,
        NullMatcherClass,
        UnionMatcher,
        WrappingMatcher,
    )

    from gitmem.search.whoosh_words import _BestMatcher

    return MatcherKinds(
        W3LeafMatcher,
        UnionMatcher,
        _BestMatcher,
        IntersectionMatcher,
        AndNotMatcher,
        FilterMatcher,
        WrappingMatcher,
        NullMatcherClass,
    )


class Unsupported(Exception):
    """A matcher tree this module cannot read exactly: the caller collects with Whoosh."""


def collect(searcher: Any, q: Any) -> Collected | None:
    """Every document `q` matches in `searcher`, scored as Whoosh scores it; None for a tree
    of a kind not read here (then Whoosh's collector answers)."""
    try:
        return _collect(searcher, q)
    except Unsupported:
        return None


def _collect(searcher: Any, q: Any) -> Collected:
    context = searcher.context().set(needs_current=True)  # (TermsCollector's: the same tree)
    segments: list[tuple[int, Scores]] = []
    seen: set[Key] = set()
    postings: list[Mapping[Key, Container[int]]] = []
    for leaf, offset in searcher.leaf_searchers():
        reading = _Segment(leaf)
        postings.append(reading.postings)
        found = reading.read(q.matcher(leaf, context))
        for terms, docs, _whole in reading.groups:
            if not found.keys().isdisjoint(docs.keys()):
                seen.update(terms)
        segments.append((offset, found))
    return Collected(segments, seen, postings)


def combined(a: Scores, b: Scores, add: bool) -> Scores:
    """Two sides' scores as a union scores them (`add`: UnionMatcher.score) or as `BestOf`
    does (the larger): whole dicts merged at C speed where only one side matches."""
    out = a | b
    if add:
        for d in a.keys() & b.keys():
            out[d] = a[d] + b[d]
    else:
        for d in a.keys() & b.keys():
            out[d] = max(a[d], b[d])
    return out


class _Segment:
    def __init__(self, leaf: Any) -> None:
        self.leaf = leaf
        # The terms of each leaf (or stepped-through node) and the documents it matched: a
        # term is "seen" when one of those documents is collected.
        self.groups: list[tuple[list[Key], Scores, bool]] = []  # (terms, docs, read whole)
        self.postings: dict[Key, Scores] = {}  # the terms read whole (`_postings`)

    def read(self, m: Any) -> Scores:
        kinds = matcher_kinds()
        kind = type(m)
        if kind is kinds.leaf:
            found = self._postings(m)
            if found is not None:
                self.groups.append(([m.term()], found, True))
                self.postings[m.term()] = found
                return found
        elif kind is kinds.union or kind is kinds.best:
            # Where only one side matches, its score (whole dicts merged: C speed); where both
            # do, UnionMatcher.score adds them, _BestMatcher.score takes the larger.
            return combined(self.read(m.a), self.read(m.b), add=kind is kinds.union)
        elif kind is kinds.intersection:
            a, b = self.read(m.a), self.read(m.b)
            return {d: a[d] + b[d] for d in a.keys() & b.keys()}
        elif kind is kinds.and_not:
            a, excluded = self.read(m.a), self.members(m.b)
            return _without(a, excluded)
        elif kind is kinds.wrapping:  # WrappingMatcher.score: the child's times the boost
            child = self.read(m.child)
            return dict(zip(child.keys(), map(float(m.boost).__mul__, child.values()), strict=True))
        elif kind is kinds.filter and m.boost == 1.0:  # (x * 1.0 is x)
            child, ids = self.read(m.child), m._ids
            if m._exclude:
                return _without(child, ids)
            return {d: child[d] for d in child.keys() & ids}
        elif kind is kinds.null:
            return {}
        return self._stepped(m)

    def members(self, m: Any) -> set[int] | Scores:
        """The documents an excluded side (AND NOT's second, matched without scores) holds.
        Whoosh has already stepped it past the documents it excluded while building the
        tree: only kinds read here from their start will do."""
        from whoosh.matching import ArrayUnionMatcher

        if type(m) is ArrayUnionMatcher:  # (what an OR is there, in a segment up to 5,000)
            found: set[int] = set()
            for sub in m._submatchers:
                found.update(self.members(sub))
            return found
        groups = len(self.groups)
        out = self.read(m)
        if any(not whole for _terms, _docs, whole in self.groups[groups:]):
            raise Unsupported("an excluded side stepped through")
        del self.groups[groups:]  # (its terms are not among those matched)
        return out

    def _stepped(self, m: Any) -> Scores:
        """Any other matcher, one document at a time, as Whoosh's collector steps it."""
        terms = [tm.term() for tm in m.term_matchers()]
        out: Scores = {}
        while m.is_active():
            out[m.id()] = m.score()
            m.next()
        self.groups.append((terms, out, False))
        return out

    def _postings(self, m: Any) -> Scores | None:
        """A term's postings scored by its BM25F (or weight) scorer; None when its scorer or
        the segment's field lengths are not the ones read here. The scores are kept for the
        next query: they depend only on the segment's postings (which never change) and the
        scorer's statistics (part of the key)."""
        scored = self.scored(m)
        return None if scored is None else dict(zip(*scored, strict=False))

    def scored(self, m: Any) -> tuple[array[int], list[float]] | None:
        """`_postings` as two lists: the documents (ascending) and their scores."""
        scoring = self.scoring(m)
        if scoring is None:
            return None
        key, score, codes = scoring
        found = _CACHE.get(key)
        if found is not None:
            return found
        ids, weights = _blocks(m)
        if codes is None:  # (a field without lengths: the weight)
            found = (ids, weights)
        else:
            # whoosh.scoring.bm25, operation for operation, once per (weight, length) pair
            # the term has (a few hundred at most): each posting is then a lookup, C speed.
            # The scores are a list of those few float objects (8 bytes a posting, as an
            # array's, and not boxed again at each read).
            distinct = set(weights)
            if len(distinct) == 1:  # (one weight, e.g. every posting 1.0: keyed by length)
                (tf,) = distinct
                lengths_of = list(map(codes.__getitem__, ids))
                by_length = {code: score(tf, code) for code in set(lengths_of)}
                scores = list(map(by_length.__getitem__, lengths_of))
            else:
                pairs = list(zip(weights, map(codes.__getitem__, ids), strict=True))
                by_pair = {(tf, code): score(tf, code) for tf, code in set(pairs)}
                scores = list(map(by_pair.__getitem__, pairs))
            found = (ids, scores)
        _CACHE.put(key, found)
        return found

    def scoring(self, m: Any) -> tuple[tuple[Any, ...], Score, bytes | None] | None:
        """How a leaf's postings are scored: the key its scores are kept under, the score of
        a posting (its weight and its document's length byte) and the segment's length bytes
        of the term's field (None for a field scored by the weight alone); None when its
        scorer or the segment's field lengths are not the ones read here."""
        from whoosh.scoring import BM25FScorer, WeightScorer

        scorer = m.scorer
        reader = self.leaf.reader()
        place = (getattr(reader._storage, "folder", ""), reader._segid, m.term(), m._startoffset)
        if type(scorer) is WeightScorer:  # (a field without lengths: the weight)
            return (*place, "weight"), _weight, None
        lengths = self.leaf.doc_field_length
        if type(scorer) is not BM25FScorer or type(lengths) is not FieldLengths:
            return None
        idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        codes = lengths.codes(m.term()[0])
        if codes is None:
            return None
        fl_of = lengths.table
        k1_plus_1 = K1 + 1
        one_minus_b = 1 - B

        def bm25(tf: float, code: int) -> float:  # (whoosh.scoring.bm25, in its order)
            fl = fl_of[code]
            score: float = idf * ((tf * k1_plus_1) / (tf + K1 * (one_minus_b + B * fl / avgfl)))
            return score

        return (*place, idf, avgfl, B, K1), bm25, codes


Score = Callable[[float, int], float]


def _weight(tf: float, code: int) -> float:
    return tf


def _blocks(m: Any) -> tuple[array[int], list[float]]:
    from gitmem.search.whoosh_blocks import BadPostings, read_postings

    try:
        return read_postings(m)
    except BadPostings as e:
        raise Unsupported(str(e)) from e


def _postings_held(value: tuple[array[int], list[float]]) -> int:
    return len(value[0])


# The terms scored last, up to POSTINGS_KEPT postings (12 bytes each): a long-lived process
# (the service, `serve`, the MCP server) reads and scores a common word's postings once.
POSTINGS_KEPT = 2_000_000  # ~24 MB
_CACHE: Kept[Any, tuple[array[int], list[float]]] = Kept(POSTINGS_KEPT, _postings_held)
