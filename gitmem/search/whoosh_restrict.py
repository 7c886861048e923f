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

from gitmem.search.whoosh_query_bound import MARGIN
from gitmem.search.whoosh_topk import _CACHE, Key, Scores, Unsupported, _Segment, matcher_kinds

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


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


def split(q: Any, leaf: Any, context: Any, reading: _Segment) -> tuple[Any, Restriction]:
    """A segment's matcher tree for `q` as its ranked core and the chain above it.

    An `AndNot` and an `And` of two are taken apart as queries: their sides' matchers built
    as Whoosh builds them (the excluded side in a boolean context), without the
    intersection's or exclusion's matcher, which steps its sides to their first match as it
    is built (decoding blocks with their positions: a third of a filtered query's time at
    100k). Any other tree is built whole and taken apart as matchers. Of an intersection's
    two sides, the one of ranked words only (`_filters`), or else the larger (`_size`:
    terms, then their documents), is the core (the plain words, not the narrowing); the
    other is read whole (any kind `whoosh_topk` reads)."""
    from whoosh import query

    restriction = Restriction()
    reader = leaf.reader()
    while True:
        kind = type(q)
        if kind is query.AndNot:  # (Whoosh's AndNot.matcher: no boost, no other step)
            _exclude(restriction.excluded, q.b, leaf, reading)
            q = q.a
        elif kind is query.And and len(q.subqueries) == 2 and q.boost == 1.0:
            a, b = q.subqueries
            if _filters(a) != _filters(b):  # (the side of only ranked words is the core)
                core, side = (b, a) if _filters(a) else (a, b)
            else:
                core, side = (a, b) if _size(a, reader) >= _size(b, reader) else (b, a)
            _read_side(restriction, reading, side.matcher(leaf, context))
            q = core
        else:
            break
    m = _split_matchers(q.matcher(leaf, context), reading, restriction, reader)
    restriction.sides.reverse()  # (read outermost first: added innermost first)
    restriction.postings = dict(reading.postings)
    restriction._seal()
    return m, restriction


def _exclude(excluded: set[int], q: Any, leaf: Any, reading: _Segment) -> None:
    """Add the documents `q`, an excluded side, matches: an OR's, each part's (Whoosh
    preloads an OR of more than two in a segment up to 5,000 documents, stepping through
    every posting with its positions: a third of a `-word` query's time at 100k); a term's,
    its postings' ids (not scored); anything else, as `whoosh_topk` reads it."""
    from whoosh import query

    kind = type(q)
    if kind is query.Or and not q.minmatch:
        for sub in q.subqueries:
            _exclude(excluded, sub, leaf, reading)
        return
    m = q.matcher(leaf, leaf.boolean_context())
    kinds = matcher_kinds()
    if type(m) is kinds.filter and m._exclude and type(m.child) is kinds.leaf:
        m = m.child  # (the segment's deleted documents: excluded too, they never match)
    if type(m) is kinds.leaf:
        scoring = reading.scoring(m)
        found = _CACHE.get(scoring[0]) if scoring is not None else None
        excluded.update(found[0] if found is not None else _term_ids(m))
        return
    excluded.update(reading.members(m))


def _term_ids(m: Any) -> Iterable[int]:
    from gitmem.search.whoosh_blocks import BadPostings, read_postings

    try:
        return read_postings(m)[0]
    except BadPostings as e:
        raise Unsupported(str(e)) from e


def _split_matchers(m: Any, reading: _Segment, restriction: Restriction, reader: Any) -> Any:
    """`split` of a matcher tree: the core, the chain above it read into `restriction`."""
    kinds = matcher_kinds()
    while True:
        kind = type(m)
        if kind is kinds.and_not:
            restriction.excluded.update(reading.members(m.b))
            m = m.a
        elif kind is kinds.intersection:
            a, b = m.a, m.b
            core, side = (a, b) if _matcher_size(a, reader) >= _matcher_size(b, reader) else (b, a)
            _read_side(restriction, reading, side)
            m = core
        else:
            return m


def _read_side(restriction: Restriction, reading: _Segment, side: Any) -> None:
    groups = len(reading.groups)
    restriction.sides.append(reading.read(side))
    for terms, docs, _whole in reading.groups[groups:]:
        restriction.groups.append((terms, docs))
    del reading.groups[groups:]


def _filters(q: Any) -> bool:
    """Whether a query holds an intersection, an exclusion or another filter anywhere."""
    from whoosh import query

    from gitmem.search.whoosh_words import BestOf

    if type(q) in (query.Or, BestOf, query.DisjunctionMax):
        return any(_filters(sub) for sub in q.subqueries)
    return type(q) not in (query.Term, query.Phrase, query.Prefix, query.Wildcard)


def _size(q: Any, reader: Any) -> tuple[int, int]:
    """A query's terms, and the documents holding them (in one segment)."""
    terms = list(q.terms())
    return len(terms), sum(int(reader.doc_frequency(*term)) for term in terms)


def _matcher_size(m: Any, reader: Any) -> tuple[int, int]:
    """`_size` of a matcher's terms."""
    terms = [tm.term() for tm in m.term_matchers()]
    return len(terms), sum(int(reader.doc_frequency(*term)) for term in terms)


def first_allowed(blocks: Iterable[Iterable[int]], restriction: Restriction, dropped: Any) -> bool:
    """Whether a term's postings (`blocks` of document numbers, read lazily) hold an allowed
    document not in `dropped` (the segment's deleted ones, or None)."""
    for ids in blocks:
        docs = ids if dropped is None else itertools.filterfalse(dropped.__contains__, ids)
        if restriction.meets(docs):
            return True
    return False
