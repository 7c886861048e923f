"""The best N of a ranked query without scoring every candidate: max-score pruning, a term at
a time, over `whoosh_topk`'s reading of Whoosh's matcher tree (the same scores, bit for bit).

A plain-word query is a sum (OR) of words, each the best (`BestOf`) of its exact terms, its
expansions and related terms at half weight: ~16 terms whose postings, read whole and scored,
were most of a query's time at 100k records, though the 200 best documents that coordination
re-orders nearly always match a rare exact term. Here a document's score is bounded by the
sum, over the terms ("units") it holds, of each term's best possible contribution: its
scorer's `max_quality` (BM25F of the term's largest weight and shortest field length, both
from its term info, encoded as the documents' lengths are) times the boosts above it, with a
relative margin for float rounding (the term info keeps weights as 32-bit floats). That
bound holds because every node of the tree is monotone: a union adds, `BestOf` takes the
larger (never more than the sum of non-negative scores), a boost (> 0) multiplies.

Units are sorted by bound. The "essential" ones (the highest bounds) are scored whole; their
documents are the candidates, and every other unit is scored only where it meets a
candidate (its postings' ids decoded, a few hundred scores computed), so each candidate's
score is the tree's own. With θ the N-th best exact score among the candidates (and the
earlier segments' best), a document holding only non-essential units scores at most the
sum of their bounds: when that sum is below θ (strictly: a tie could win on its lower
document number), no such document can be among the best N. Else more units are made
essential, the candidates grow, θ can only rise, and the check holds (at worst every unit is
essential: every candidate scored, as `whoosh_topk` does).

Only trees of those nodes are pruned (terms under a deleted-documents filter included;
phrases, stepped through by Whoosh, are units scored whole). Above them, a chain of
intersections and exclusions (a `--type` narrowing, `-word`, syntax beside the words) is
read by `whoosh_restrict`: its sides read whole, only the documents they allow candidates,
θ lowered by what they add. Without one, every unit's documents match the query, so a term
is "seen" (matched in some matching document: what snippets mark) when its postings hold a
document not deleted; with one, when they hold an allowed one. An intersection inside the
words (`--match all`) is read whole by `whoosh_topk`.

Before a segment's matchers are built, `whoosh_query_bound` may find from the query's terms
alone that none of its documents can reach θ: it is not read at all.
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections.abc import Container, Iterable, Iterator, KeysView, Mapping

from gitmem.search.whoosh_prune_tree import (
    NEG,
    Node,
    Unit,
    Unprunable,
    check_deletions,
    flatten,
    unit_scores,
    without,
)
from gitmem.search.whoosh_query_bound import MARGIN, below, query_terms, terms_present
from gitmem.search.whoosh_restrict import Restriction, first_allowed, split
from gitmem.search.whoosh_topk import (
    _CACHE,
    Collected,
    Key,
    Scores,
    Unsupported,
    _Segment,
    combined,
    matcher_kinds,
)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def collect(searcher: Any, q: Any, limit: int) -> Collected | None:
    """`whoosh_topk.collect(searcher, q)` exact for its best `limit` (`Collected.depth`), the
    documents that cannot be among them left out; None for a tree not pruned here."""
    if limit < 1:
        return None
    try:
        return _collect(searcher, q, limit)
    except (Unprunable, Unsupported):
        return None


def _collect(searcher: Any, q: Any, limit: int) -> Collected:
    context = searcher.context().set(needs_current=True)
    best: list[float] = []  # the best `limit` exact scores so far, all segments
    leaves = searcher.leaf_searchers()
    segments: list[tuple[int, Scores]] = [(offset, {}) for _leaf, offset in leaves]
    seen: set[Key] = set()
    postings: list[Mapping[Key, Container[int]]] = [{} for _leaf in leaves]
    terms = query_terms(q)  # (None: not only terms)
    # The largest segments first: θ known early, a small segment is often skipped whole.
    for number in sorted(range(len(leaves)), key=lambda n: -leaves[n][0].reader().doc_count()):
        leaf, offset = leaves[number]
        if not leaf.reader().doc_count():  # (every document deleted: nothing matches)
            continue
        if terms is not None and len(best) >= limit and below(searcher, leaf, terms, best[-1]):
            seen.update(terms_present(leaf, terms))  # (every document a term holds matches)
            continue
        reading = _Segment(leaf)
        units: list[Unit] = []
        core, restriction = split(q, leaf, context, reading)
        tree = flatten(core, 1.0, units)
        check_deletions(leaf, units)
        pruned = _Pruned(reading, units, tree, leaf, restriction)
        found, kept = pruned.best(limit, best)
        best = heapq.nlargest(limit, itertools.chain(best, found.values()))
        core_seen = False
        for unit in units:
            held, holds = pruned.seen(unit)
            if holds:
                seen.update(held)
                core_seen = True
        if restriction:
            seen.update(restriction.seen(found, core_seen, pruned.core_meets))
            kept = {**restriction.postings, **kept}
        segments[number] = (offset, found)
        postings[number] = kept
    return Collected(segments, seen, postings, depth=limit)


class _Pruned:
    """One segment: its units' bounds, the essential ones scored whole, the others where
    they meet a candidate."""

    def __init__(
        self,
        reading: _Segment,
        units: list[Unit],
        tree: Node,
        leaf: Any,
        restriction: Restriction | None = None,
    ) -> None:
        self.reading = reading
        self.units = units
        self.tree = tree
        self.leaf = leaf
        self.restriction = restriction if restriction is not None else Restriction()
        for unit in units:
            self._bound(unit)
        # Highest bound first (ties: the tree's order).
        self.order = sorted(range(len(units)), key=lambda i: (-units[i].bound, i))

    def _bound(self, unit: Unit) -> None:
        m = unit.matcher
        if type(m) is matcher_kinds().leaf:
            scoring = self.reading.scoring(m)
            if scoring is not None:
                unit.scoring = scoring
                quality = float(m.scorer.max_quality())
                unit.bound = unit.factor * quality * (1 + MARGIN) + MARGIN
                return
        # Stepped through (a phrase, another scorer): scored whole now, its best its bound.
        unit.terms = [tm.term() for tm in m.term_matchers()]
        unit.whole = self.reading._stepped(m)
        best = max(unit.whole.values(), default=0.0)
        unit.bound = unit.factor * best * (1 + MARGIN) + MARGIN

    def best(self, limit: int, before: list[float]) -> tuple[Scores, dict[Key, Container[int]]]:
        """The exact scores of the candidates (every document that may be among the best
        `limit`, with `before`, the earlier segments' best scores), and each term's
        documents (a container) for `whoosh_search._matched_terms`."""
        units, order, restricted = self.units, self.order, self.restriction
        rest = _suffix_sums([units[i].bound for i in order])  # rest[k]: bounds of order[k:]
        # θ is the N-th best score of the whole tree; `theta` below, the least score of the
        # ranked core that can still reach it (the filters' sides add at most so much).
        best_n = before[limit - 1] if len(before) >= limit else NEG
        theta = restricted.core_theta(best_n)
        # Units scored whole, highest bound first, until those left cannot lift a document
        # to θ; θ rising meanwhile with the scores known so far, each a lower bound of its
        # document's (the tree is monotone: a unit more can only add to a score).
        k, held, evaluated = 0, len(before), 0
        while k < len(order) and not rest[k] < theta:
            docs = self._whole(units[order[k]])
            held += len(restricted.allow(docs) if restricted else docs)
            k += 1
            if held >= limit and held >= 2 * evaluated and not rest[k] < theta:
                evaluated = held  # (evaluated again once twice as many are held)
                lower = restricted.final(self._evaluate(self.tree, None))
                best_n = max(best_n, _kth(limit, before, lower))
                theta = restricted.core_theta(best_n)
        k = _needed(rest, theta)  # (θ may allow fewer than those scored)
        candidates: set[int] = set()
        for i in order[:k]:
            candidates.update(self._whole(units[i]))
        if restricted:
            candidates = restricted.allow(candidates)
        # A candidate scores at most its score from the units read so far plus the bounds
        # of the others (each unit's share of a score is at most its own score times the
        # boosts above it: the tree adds, takes the larger, multiplies by boosts > 0). The
        # units left are read highest bound first, each only where it meets a candidate that
        # can still reach θ (its other blocks skipped undecoded), the candidates that cannot
        # dropped as the bounds left shrink.
        partial = self._evaluate(self.tree, None)
        unread = [unit for unit in (units[i] for i in order) if unit.whole is None]
        left = _suffix_sums([unit.bound for unit in unread])
        if theta != NEG:
            lowest = theta / (1 + MARGIN) - left[0]
            if lowest > 0:
                candidates = _reaching(candidates, partial, lowest)
            owned = False  # (`partial` may be a unit's own scores until copied once)
            for n, unit in enumerate(unread):
                part = self._part(unit, candidates)
                if part:
                    factor = unit.factor * (1 + MARGIN)
                    if not owned:
                        partial, owned = partial.copy(), True
                    for d, score in part.items():
                        partial[d] += score * factor
                lowest = theta / (1 + MARGIN) - left[n + 1]
                if lowest > 0:
                    candidates = _reaching(candidates, partial, lowest)
        found = restricted.final(self._evaluate(self.tree, candidates))
        kept: dict[Key, Container[int]] = {}
        for unit in units:
            if unit.scoring is not None:
                read = unit.whole if unit.whole is not None else unit.part
                assert read is not None  # (every unit was evaluated for the candidates)
                kept[unit.matcher.term()] = read  # (holds every candidate it holds)
        return found, kept

    def seen(self, unit: Unit) -> tuple[list[Key], bool]:
        """The unit's terms, and whether they match a document of the query's (every
        document a unit holds does, but a deleted one, or one the filters do not allow)."""
        restricted = self.restriction
        if unit.scoring is None:  # stepped through
            whole = unit.whole or {}
            return unit.terms, restricted.meets(whole.keys()) if restricted else bool(whole)
        field, text = term = unit.matcher.term()
        if restricted:
            if unit.whole is not None:
                return [term], restricted.meets(unit.whole.keys())
            if unit.part:  # (scores of candidates: allowed, not deleted)
                return [term], True
            return [term], first_allowed(_block_ids(unit.matcher), restricted, unit.excluded)
        if unit.excluded is None:
            return [term], True  # (a segment holds a term only with postings)
        if self.leaf.reader().doc_frequency(field, text) > len(unit.excluded):
            return [term], True  # (more postings than deleted documents)
        ids = unit.ids
        if ids is None:
            ids = _blocks_near(unit.matcher, None)[0]
        return [term], not unit.excluded.issuperset(ids)

    def core_meets(self, docs: set[int]) -> bool:
        """Whether the ranked core matches one of `docs` (allowed ones)."""
        for unit in self.units:
            if unit.scoring is None or unit.whole is not None:
                if not docs.isdisjoint((unit.whole or {}).keys()):
                    return True
                continue
            dropped = unit.excluded
            for ids in _block_ids(unit.matcher):
                if any(d in docs and (dropped is None or d not in dropped) for d in ids):
                    return True
        return False

    def _whole(self, unit: Unit) -> KeysView[int]:
        """Score `unit` whole: its documents (under a narrowing, those it allows: the
        others never matter, and their scores are not computed unless kept already)."""
        allowed = self.restriction.allowed
        if unit.whole is None and allowed is not None and unit.scoring is not None:
            key, score, codes = unit.scoring
            if _CACHE.get(key) is None:
                ids, values = _blocks_near(unit.matcher, None)
                unit.ids = ids
                unit.whole = unit_scores(allowed.intersection(ids), ids, values, score, codes, unit)
        if unit.whole is None:
            scored = self.reading.scored(unit.matcher)
            assert scored is not None  # (`scoring` said it reads this term)
            unit.ids = scored[0]
            unit.whole = dict(zip(*scored, strict=False))
            if unit.excluded is not None:
                unit.whole = without(unit.whole, unit.excluded)
        return unit.whole.keys()

    def _part(self, unit: Unit, candidates: set[int] | None) -> Scores:
        """A unit's scores for the candidates only: its postings' ids (and weights) decoded,
        a score computed for each document it shares with the candidates. Without
        candidates, those of the units scored whole so far (lower bounds: `best`)."""
        if candidates is None:
            return unit.whole if unit.whole is not None else {}
        if unit.whole is not None:
            whole = unit.whole
            if len(whole) <= len(candidates):
                return {d: s for d, s in whole.items() if d in candidates}
            return {d: whole[d] for d in candidates.intersection(whole.keys())}
        if unit.part is not None and unit.part_of.issuperset(candidates):
            part = unit.part  # (read for more candidates than these)
            if len(part) > len(candidates):
                part = {d: part[d] for d in candidates.intersection(part.keys())}
            return part
        m = unit.matcher
        assert unit.scoring is not None  # (a stepped unit is scored whole)
        key, score, codes = unit.scoring
        found = _CACHE.get(key)  # (scored before, as a whole)
        scored = found is not None
        if found is None:  # (the blocks that may hold a candidate, the others undecoded)
            found = _blocks_near(m, sorted(candidates))
        ids, values = found
        common = candidates.intersection(ids)
        out = unit_scores(common, ids, values, None if scored else score, codes, unit)
        unit.part, unit.part_of = out, candidates
        return out

    def _evaluate(self, node: Node, candidates: set[int] | None) -> Scores:
        """The tree's scores of the candidates, combined as `whoosh_topk._Segment.read`
        combines them (the same additions in the same order: the same floats)."""
        kind = node[0]
        if kind == "unit":
            return self._part(self.units[node[1]], candidates)
        if kind == "sum" or kind == "max":
            a = self._evaluate(node[1], candidates)
            b = self._evaluate(node[2], candidates)
            if not b or not a:  # (never changed in place: shared as it is)
                return a or b
            return combined(a, b, add=kind == "sum")
        if kind == "mul":
            child = self._evaluate(node[2], candidates)
            return dict(zip(child.keys(), map(node[1].__mul__, child.values()), strict=True))
        return {}


def _reaching(candidates: set[int], partial: Scores, lowest: float) -> set[int]:
    """The candidates whose partial score is at least `lowest` (picked at C speed)."""
    listed = list(candidates)
    scores = map(partial.__getitem__, listed)
    return set(itertools.compress(listed, map(operator.le, itertools.repeat(lowest), scores)))


def _suffix_sums(bounds: list[float]) -> list[float]:
    """rest[k] = the sum of bounds[k:] (rest[len] = 0), each with a relative margin."""
    rest = [0.0] * (len(bounds) + 1)
    for k in range(len(bounds) - 1, -1, -1):
        rest[k] = (rest[k + 1] + bounds[k]) * (1 + MARGIN)
    return rest


def _blocks_near(m: Any, docs: list[int] | None) -> tuple[Any, list[float]]:
    from gitmem.search.whoosh_blocks import BadPostings, read_postings_near

    try:
        return read_postings_near(m, docs)
    except BadPostings as e:
        raise Unsupported(str(e)) from e


def _block_ids(m: Any) -> Iterator[Iterable[int]]:
    from gitmem.search.whoosh_blocks import BadPostings, block_ids

    try:
        yield from block_ids(m)
    except BadPostings as e:
        raise Unsupported(str(e)) from e


def _kth(limit: int, before: list[float], scores: Scores) -> float:
    """The `limit`-th best of `before` and `scores` (NEG when there are fewer)."""
    top = heapq.nlargest(limit, itertools.chain(before, scores.values()))
    return top[-1] if len(top) >= limit else NEG


def _needed(rest: list[float], theta: float) -> int:
    """How many units (highest bounds first) must be essential: the fewest whose rest, the
    others' bounds summed, is below `theta`."""
    for k in range(len(rest)):
        if rest[k] < theta:
            return k
    return len(rest) - 1
