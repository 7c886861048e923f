"""Whether a segment can hold one of a query's best N, from its terms alone: before any
matcher is built, for a query of ORs, `BestOf`s and terms (`whoosh_prune`'s plain words).

A document of such a query scores at most the sum, over the query's terms the segment holds,
of each term's best possible contribution (its scorer's `max_quality` times the boosts above
it, with a relative margin for float rounding). When that sum is below θ, the N-th best score
of the segments read before, no document of the segment can be among the best N (strictly
below: an equal score could win on a lower document number), and it is not read; every
document a term holds matches such a query, so the terms it holds are the terms it sees.
"""

from __future__ import annotations

from typing import Any

from gitmem.search.whoosh_topk import Key

MARGIN = 1e-6  # relative: a bound above a float32-rounded maximum weight and float sums


def query_terms(q: Any, factor: float = 1.0) -> list[tuple[str, Any, float]] | None:
    """The terms of a query of ORs, `BestOf`s and terms, each with the boosts above it (its
    own included) multiplied: (field, text, factor); None for a query of other kinds."""
    from whoosh import query

    from gitmem.search.whoosh_words import BestOf

    boost = float(q.boost)
    if not boost > 0:
        return None
    kind = type(q)
    if kind is query.Term:
        return [(q.fieldname, q.text, factor * boost)]
    if (kind is query.Or and not q.minmatch and not q.scale) or kind is BestOf:
        # (Whoosh 2.7's compound matchers leave their own boost out: at most it counts)
        out: list[tuple[str, Any, float]] = []
        for sub in q.subqueries:
            found = query_terms(sub, factor * max(1.0, boost))
            if found is None:
                return None
            out += found
        return out
    return None


def terms_present(leaf: Any, terms: list[tuple[str, Any, float]]) -> list[Key]:
    """The terms a segment holds, as its matchers name them (field, bytes)."""
    schema, reader = leaf.schema, leaf.reader()
    out = []
    for field, text, _factor in terms:
        if field in schema:
            key = (field, schema[field].to_bytes(text))
            if key in reader:
                out.append(key)
    return out


def below(searcher: Any, leaf: Any, terms: list[tuple[str, Any, float]], theta: float) -> bool:
    """Whether no document of a segment without deletions can score θ: the sum of its
    terms' bounds (`whoosh_prune._Unit.bound`'s, from the scorer each matcher would get)
    is below it."""
    if leaf.reader().has_deletions():
        return False  # (a term's documents may all be deleted: whether it is seen is unknown)
    weighting, schema, reader = searcher.weighting, leaf.schema, leaf.reader()
    qualities: dict[Key, float] = {}
    total = 0.0
    for field, text, factor in terms:  # (a term met twice counts twice, as its matchers do)
        if field not in schema:
            continue
        key = (field, schema[field].to_bytes(text))
        if key not in reader:
            continue
        quality = qualities.get(key)
        if quality is None:
            quality = qualities[key] = float(weighting.scorer(leaf, *key).max_quality())
        total = (total + factor * quality * (1 + MARGIN) + MARGIN) * (1 + MARGIN)
    return total < theta
