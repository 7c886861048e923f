"""A ranked query's matcher tree as `whoosh_prune` reads it: its leaves ("units": a term's
postings, or a node Whoosh steps through) and the nodes that combine them (a sum, the larger
of two, a boost), or `Unprunable` where pruning would change what the query answers; and a
unit's scores of the documents asked for."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from gitmem.search.whoosh_topk import Key, Score, Scores, matcher_kinds

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


NEG = float("-inf")


class Unprunable(Exception):
    """A node whose pruning would change what the query answers: read every candidate."""


class Unit:
    """A leaf of the tree read here: a term's postings (under a deleted-documents filter or
    not), or a node Whoosh steps through (scored whole, its best score its bound)."""

    def __init__(self, matcher: Any, excluded: frozenset[int] | None, factor: float) -> None:
        self.matcher = matcher
        self.excluded = excluded
        self.factor = factor  # the boosts above it, multiplied
        self.bound = NEG
        self.whole: Scores | None = None  # scored whole (essential, or stepped through)
        self.scoring: tuple[tuple[Any, ...], Score, bytes | None] | None = None  # (a term's)
        self.ids: Any = None  # a term's documents, ascending, once read whole
        self.part: Scores | None = None  # its scores of the candidates (`part_of`)
        self.part_of: set[int] = set()
        self.terms: list[Key] = []  # a stepped node's


Node = tuple["Any", ...]  # ("unit", i) | ("sum"|"max", a, b) | ("mul", boost, child) | ("null",)


def flatten(m: Any, factor: float, units: list[Unit]) -> Node:
    """`m` as nodes this module combines, its leaves (and stepped nodes) in `units`."""
    kinds = matcher_kinds()
    kind = type(m)
    if kind is kinds.union or kind is kinds.best:
        a, b = flatten(m.a, factor, units), flatten(m.b, factor, units)
        return ("sum" if kind is kinds.union else "max", a, b)
    if kind is kinds.wrapping:
        boost = float(m.boost)
        if not boost > 0:
            raise Unprunable("a boost that is not positive")
        return ("mul", boost, flatten(m.child, factor * boost, units))
    if kind is kinds.null:
        return ("null",)
    excluded = None
    if kind is kinds.filter and m._exclude and m.boost == 1.0:
        # (checked against the segment's deleted documents by `check_deletions`)
        excluded, m = m._ids, m.child
        if type(m) is not kinds.leaf:
            raise Unprunable("a filter over more than a term")
    elif kind is kinds.intersection or kind is kinds.and_not or kind is kinds.filter:
        raise Unprunable(f"{kind.__name__}: its terms' documents are not all matches")
    units.append(Unit(m, excluded, factor))
    return ("unit", len(units) - 1)


def check_deletions(leaf: Any, units: list[Unit]) -> None:
    """Every unit's documents are matches only if each excludes exactly the segment's
    deleted documents (Whoosh filters each term's postings so when it has any)."""
    reader = leaf.reader()
    deleted = frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else None
    for unit in units:
        if unit.excluded != deleted:  # (None: neither filtered nor deleted)
            raise Unprunable("a term (or stepped node) not filtered as the segment is")


def unit_scores(
    common: set[int],
    ids: Any,
    values: list[float],
    score: Score | None,
    codes: bytes | None,
    unit: Unit,
) -> Scores:
    """The scores of the documents `common` of a unit's postings (`ids`, ascending, and
    their `values`: weights, scored here by `score`, or scores already when it is None),
    but for its excluded (deleted) ones."""
    if unit.excluded is not None:
        common -= unit.excluded
    out: Scores = {}
    if not common:
        return out
    memo: dict[tuple[float, int], float] = {}
    if len(common) * 8 > len(ids):  # (many: a dict of the postings beats a search each)
        value_of = dict(zip(ids, values, strict=False))
        pairs: Iterable[tuple[int, float]] = ((d, value_of[d]) for d in common)
    else:
        pairs = ((d, values[bisect_left(ids, d)]) for d in common)
    for d, value in pairs:
        if score is None:
            out[d] = value
        else:
            code = codes[d] if codes is not None else 0
            s = memo.get((value, code))
            if s is None:
                s = memo[value, code] = score(value, code)
            out[d] = s
    return out


def without(scores: Scores, excluded: frozenset[int]) -> Scores:
    """`scores` but for the `excluded` documents (a segment's deleted ones: a few hundred
    among a term's thousands of postings, looked up one by one, the rest copied at C speed)."""
    if len(excluded) < len(scores):
        gone = [d for d in excluded if d in scores]
    else:
        gone = [d for d in scores if d in excluded]
    if not gone:
        return scores
    out = dict(scores)
    for d in gone:
        del out[d]
    return out
