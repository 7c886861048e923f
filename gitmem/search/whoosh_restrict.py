"""The filters of a ranked query applied inside `whoosh_prune`'s pruning: a `--type` (or tag,
source, project) narrowing, `-word` exclusions, strict items beside the plain words.

Such a query's matcher tree is a ranked core (the plain words: unions, `BestOf`s, boosts,
terms) under a chain of intersections and exclusions: Whoosh's `IntersectionMatcher` (a
document both sides match, scored by the sum of the two) and `AndNotMatcher` (a document of
the first side the second does not match, scored by the first). Each side other than the
core is read whole here as `whoosh_topk` reads it (the same scores, bit for bit); together
they say which documents of the segment may match at all (`allowed`: the intersection of the
sides' documents less the excluded ones) and what the sides add to a core score. The core is
then pruned as an unfiltered query is, with only allowed documents as candidates and θ
lowered by the most the sides can add (`core_theta`); the allowed candidates' scores are the
tree's own (`final`: each side's score added in the tree's order; a float addition of two
is commutative, and a side read whole carries its own grouping).

Which terms are "seen" (matched in a document the whole query matches: what snippets mark)
is decided without reading every posting: a core term when its documents meet the allowed
ones (`meets`; its postings read a block at a time until one does), a side's term when its
documents meet the core's among the allowed ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from gitmem.search.whoosh_query_bound import MARGIN
from gitmem.search.whoosh_topk import Key, Scores, _Segment, matcher_kinds


class Unrestricted(Exception):
    """A tree whose filters are not a chain over one ranked core: not pruned."""


class Restriction:
    """The chain of intersections and exclusions above a segment's ranked core."""

    def __init__(self) -> None:
        self.sides: list[Scores] = []  # each intersection's other side, innermost first
        self.excluded: set[int] = set()  # every excluded side's documents
        self.allowed: set[int] | None = None  # the sides' documents less excluded (None: all)
        # The terms read in the sides (`_Segment.groups`): their documents, for `seen`.
        self.groups: list[tuple[list[Key], Scores]] = []
        self.postings: dict[Key, Scores] = {}  # the sides' terms read whole
        self.extra = 0.0  # the most the sides add to a core score (a bound)

    def __bool__(self) -> bool:
        return bool(self.sides) or bool(self.excluded)

    def _seal(self) -> None:
        """`allowed` and `extra` from the sides read."""
        if self.sides:
            first, *rest = sorted(self.sides, key=len)
            allowed = set(first.keys())
            for side in rest:
                allowed.intersection_update(side.keys())
            allowed -= self.excluded
            self.allowed = allowed
        total = 0.0
        for side in self.sides:  # (the best of all its documents: at C speed)
            top = max(side.values(), default=0.0)
            total = (total + top) * (1 + MARGIN) + MARGIN
        self.extra = total

    def core_theta(self, theta: float) -> float:
        """The least core score a document needs to reach a final score of `theta`."""
        if not self.sides:
            return theta
        return theta / (1 + MARGIN) - self.extra

    def allow(self, docs: Iterable[int]) -> set[int]:
        """The allowed ones of `docs`."""
        if self.allowed is not None:
            return self.allowed.intersection(docs)
        return set(docs) - self.excluded

    def meets(self, docs: Iterable[int]) -> bool:
        """Whether one of `docs` is allowed."""
        if self.allowed is not None:
            return not self.allowed.isdisjoint(docs)
        excluded = self.excluded
        return any(d not in excluded for d in docs)

    def final(self, core: Scores) -> Scores:
        """The tree's scores of the allowed documents of `core` (its scores)."""
        if not self:
            return core
        if not self.sides:
            return {d: s for d, s in core.items() if d not in self.excluded}
        docs = self.allow(core.keys())
        out: Scores = {}
        for d in docs:
            score = core[d]
            for side in self.sides:  # (innermost first: the tree's order of additions)
                score = score + side[d]
            out[d] = score
        return out

    def seen(
        self, found: Scores, core_seen: bool, core_meets: Callable[[set[int]], bool]
    ) -> set[Key]:
        """The sides' terms matched in a document the query matches: one of `found` (scored,
        allowed), or else (`core_meets`: whether the core matches one of some allowed
        documents) any; `core_seen`: the core matches an allowed document."""
        out: set[Key] = set()
        for terms, docs in self.groups:
            if not docs.keys().isdisjoint(found.keys()):
                out.update(terms)
                continue
            if not core_seen:
                continue
            mine = self.allow(docs.keys())
            if mine and (mine == self.allowed or core_meets(mine)):
                out.update(terms)
        return out


def split(
    m: Any, reading: _Segment, count: Callable[[Any], tuple[int, int]]
) -> tuple[Any, Restriction]:
    """A segment's matcher tree as its ranked core and the chain above it. `count` sizes a
    side (its terms, its postings): of an intersection's two sides, the larger is the core
    (the plain words, not the narrowing), the other read whole (any kind `whoosh_topk`
    reads)."""
    kinds = matcher_kinds()
    restriction = Restriction()
    while True:
        kind = type(m)
        if kind is kinds.and_not:
            restriction.excluded.update(reading.members(m.b))
            m = m.a
        elif kind is kinds.intersection:
            core, side = (m.a, m.b) if count(m.a) >= count(m.b) else (m.b, m.a)
            groups = len(reading.groups)
            restriction.sides.append(reading.read(side))
            for terms, docs, _whole in reading.groups[groups:]:
                restriction.groups.append((terms, docs))
            del reading.groups[groups:]
            m = core
        else:
            break
    restriction.sides.reverse()  # (read outermost first: added innermost first)
    restriction.postings = dict(reading.postings)
    restriction._seal()
    return m, restriction


def sized(leaf: Any) -> Callable[[Any], tuple[int, int]]:
    """A side's size for `split`: its term matchers, and their documents."""
    reader = leaf.reader()

    def count(m: Any) -> tuple[int, int]:
        terms = [tm.term() for tm in m.term_matchers()]
        return len(terms), sum(int(reader.doc_frequency(*term)) for term in terms)

    return count


def first_allowed(blocks: Iterable[Iterable[int]], restriction: Restriction, dropped: Any) -> bool:
    """Whether a term's postings (`blocks` of document numbers, read lazily) hold an allowed
    document not in `dropped` (the segment's deleted ones, or None)."""
    for ids in blocks:
        docs = ids if dropped is None else itertools.filterfalse(dropped.__contains__, ids)
        if restriction.meets(docs):
            return True
    return False
