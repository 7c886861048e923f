"""Whether a segment can hold one of a query's best N, from its terms alone: before any
matcher is built, for a query of ORs, `BestOf`s and terms (`whoosh_prune`'s plain words).

A document of such a query scores at most the sum, over the query's terms the segment holds,
of each term's best possible contribution (its scorer's `max_quality` times the boosts above
it, with a relative margin for float rounding). When that sum is below θ, the N-th best score
of the segments read before, no document of the segment can be among the best N (strictly
below: an equal score could win on a lower document number), and it is not read; every
document a term holds matches such a query, so the terms it holds are the terms it sees (in a
document not deleted: a segment with deleted documents is skipped too, its terms checked).
"""

from __future__ import annotations

from gitmem.search.whoosh_topk import Key

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


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
    """The terms a segment holds in a document not deleted, as its matchers name them
    (field, bytes). (Where it has deleted documents, a term with no more postings than
    those has its postings' ids read.)"""
    schema, reader = leaf.schema, leaf.reader()
    deleted = set(reader._perdoc.deleted_docs()) if reader.has_deletions() else set()
    out = []
    for field, text, _factor in terms:
        if field in schema:
            key = (field, schema[field].to_bytes(text))
            if key in reader and (
                reader.doc_frequency(*key) > len(deleted) or _live(reader, key, deleted)
            ):
                out.append(key)
    return out


def _live(reader: Any, key: Key, deleted: set[int]) -> bool:
    """Whether a term's postings hold a document not `deleted`."""
    from gitmem.search.whoosh_blocks import read_postings

    ids = read_postings(reader.postings(*key))[0]  # (the segment's own: deleted ones too)
    return not deleted.issuperset(ids)


def below(searcher: Any, leaf: Any, terms: list[tuple[str, Any, float]], theta: float) -> bool:
    """Whether no document of a segment can score θ: the sum of its terms' bounds
    (`whoosh_prune._Unit.bound`'s, from the scorer each matcher would get; a deleted
    document's postings count in a term's best, the bound only higher) is below it."""
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
