"""`whoosh_prune`: the best N of a plain-word query, most candidates never scored, are still
Whoosh's own every candidate scored (TopCollector without its pruning), to the last bit, with
the same terms seen and each hit's terms; the bound it skips by is never below a term's real
best, and a bound that were would change answers (what these tests would catch); queries it
does not prune (intersections inside the ranked words) are left to `whoosh_topk`; filters
(a narrowing, exclusions) are applied inside the pruning, with the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh_topk_test import add_segment, build, documents, record, texts, whooshs_own

from gitmem.search import (
    whoosh_columns,
    whoosh_prune,
    whoosh_prune_tree,
    whoosh_query_bound,
    whoosh_search,
    whoosh_topk,
)
from gitmem.search.changes import Document
from gitmem.search.engine import Narrowing
from gitmem.search.whoosh_load import query
from gitmem.search.whoosh_query import narrowing_query, plan

# Plain words (with expansions, related terms, identifiers' parts, near misses): pruned.
PLAIN = ["pool", "deploy", "validation zebra cache", "deploy pool hosting", "deplo"]
PLAIN += ["postgrsql", "read_csv check", "zebra memoize production", "take out"]
LIMITS = (1, 7, 40, 200)


def skewed(count: int) -> list[Document]:
    """`documents` plus records where a rare word sits in a long body and a common one in
    a short title: the best N then hold documents matching only low-bound terms."""
    out = documents(count)
    for n in range(count // 4):
        words = "pool " * (1 + n % 5) + "filler " * (n % 40)
        row: dict[str, Any] = {
            "id": f"dddd{n:08d}",
            "type": "fact",
            "title": "Zebra" if n % 6 == 0 else f"Note {n}",
            "created": "2026-01-02T10:00:00+00:00",
            "location": f".memory/facts/s{n}.md",
        }
        body = f"{words} memoize" if n % 9 == 0 else words
        out.append(Document(row, body, 1_767_261_600 + count + n))
    return out


def assert_pruned_same(searcher: Any, deleted: bool = False) -> int:
    """Every plain-word query at every limit: the same best N, the same terms seen, and the
    same terms for each hit as every candidate scored. How many segment readings skipped
    candidates (documents that match but were never scored). (Where documents are `deleted`,
    a phrase, which Whoosh steps through, is not pruned: `whoosh_topk` reads it.)"""
    whoosh_columns.cache_lengths(searcher)
    skipped = 0
    for text in PLAIN:
        q = plan(searcher.reader(), searcher.schema, text).query
        every, seen = whooshs_own(searcher, q, 100_000)
        full = whoosh_topk.collect(searcher, q)
        assert full is not None
        for limit in LIMITS:
            pruned = whoosh_prune.collect(searcher, q, limit)
            if deleted and text == "take out":
                assert pruned is None
                continue
            assert pruned is not None, text
            assert pruned.top(limit) == every[:limit], (text, limit)
            assert texts(pruned.seen) == texts(seen) and pruned.seen == full.seen, (text, limit)
            for number, ((_o, found), (_p, whole)) in enumerate(
                zip(pruned.segments, full.segments, strict=True)
            ):
                skipped += len(found) < len(whole)
                # The terms of each hit (`_matched_terms`) as read whole.
                offset = pruned.segments[number][0]
                for _score, docnum in pruned.top(limit):
                    local = docnum - offset
                    if local not in found:
                        continue
                    for key, docs in full.postings[number].items():
                        assert (local in pruned.postings[number].get(key, ())) == (local in docs), (
                            text,
                            key,
                            docnum,
                        )
    return skipped


@pytest.mark.slow
def test_the_pruned_best_n_are_every_candidate_scored(tmp_path: Path) -> None:
    ix = build(tmp_path / "ix", skewed(600))
    with ix.searcher() as searcher:
        assert assert_pruned_same(searcher) > 0  # (pruning did leave candidates unscored)


def two_segments_with_deletions(tmp_path: Path) -> Any:
    """An index of two segments, the first with every fourth document deleted."""
    docs = skewed(400)
    build(tmp_path / "ix", docs[:300])
    return add_segment(tmp_path / "ix", docs[300:], deleted=docs[0:300:4])


@pytest.mark.slow
def test_pruned_over_segments_with_deleted_documents(tmp_path: Path) -> None:
    with two_segments_with_deletions(tmp_path).searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2 and searcher.reader().has_deletions()
        assert assert_pruned_same(searcher, deleted=True) > 0


def test_a_bound_below_a_terms_best_would_change_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each term's bound is at least the most it adds to any document; the same check with
    the bounds cut by a third finds answers that differ (documents skipped that belong)."""
    ix = build(tmp_path / "ix", skewed(300))
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        context = searcher.context().set(needs_current=True)
        reading = whoosh_topk._Segment(searcher)
        for text in PLAIN:
            q = plan(searcher.reader(), searcher.schema, text).query
            units: list[whoosh_prune_tree.Unit] = []
            whoosh_prune_tree.flatten(q.matcher(searcher, context), 1.0, units)
            pruned = whoosh_prune._Pruned(reading, units, ("null",), searcher)
            for unit in pruned.units:
                pruned._whole(unit)
                assert unit.whole is not None
                top = max(unit.whole.values(), default=0.0)
                assert unit.bound >= unit.factor * top, (text, unit.matcher)
        differ = 0
        monkeypatch.setattr(whoosh_prune, "MARGIN", -1 / 3)
        for text in PLAIN:
            q = plan(searcher.reader(), searcher.schema, text).query
            every, _seen = whooshs_own(searcher, q, 100_000)
            for limit in LIMITS:
                pruned_wrong = whoosh_prune.collect(searcher, q, limit)
                assert pruned_wrong is not None
                differ += pruned_wrong.top(limit) != every[:limit]
        assert differ


# Filters: a narrowing (`--type`, a tag), an exclusion (`-word`), syntax beside the words.
FILTERED = ["pool -zebra", "deploy pool -hosting -cache", "type:decision pool memoize"]
FILTERED += ["zebra memoize -production", "validation zebra cache"]
NARROWED = [None, Narrowing(["decision"], [], [], []), Narrowing(["fact"], ["tag1"], [], [])]
NARROWED += [Narrowing(["decision", "error"], [], [], [])]


def filtered_queries(searcher: Any) -> list[tuple[str, Any]]:
    out = []
    for text in FILTERED:
        planned = plan(searcher.reader(), searcher.schema, text).query
        for narrow in NARROWED:
            narrowed = narrowing_query(narrow) if narrow else None
            out.append((text, query.And([planned, narrowed]) if narrowed else planned))
    return out


def assert_filtered_same(searcher: Any, deleted: bool = False) -> int:
    """Every filtered query at every limit, pruned: the same best N, terms seen and terms of
    each hit as every candidate scored. How many segment readings skipped candidates."""
    whoosh_columns.cache_lengths(searcher)
    skipped = 0
    for text, q in filtered_queries(searcher):
        every, seen = whooshs_own(searcher, q, 100_000)
        full = whoosh_topk.collect(searcher, q)
        assert full is not None
        if text.count(" -") < 2:
            assert texts(full.seen) == texts(seen), q
        for limit in LIMITS:
            pruned = whoosh_prune.collect(searcher, q, limit)
            assert pruned is not None, (text, q)
            assert pruned.top(limit) == every[:limit], (q, limit)
            # (the terms seen as `whoosh_topk` sees them: what the search marked before;
            # Whoosh's own, but where two exclusions are each a `Not` stepped through)
            assert pruned.seen == full.seen, (q, limit)
            for number, ((offset, found), (_p, whole)) in enumerate(
                zip(pruned.segments, full.segments, strict=True)
            ):
                skipped += len(found) < len(whole)
                for _score, docnum in pruned.top(limit):
                    local = docnum - offset
                    if local not in found:
                        continue
                    assert found[local] == whole[local]
                    for key, docs in full.postings[number].items():
                        held = local in pruned.postings[number].get(key, ())
                        assert held == (local in docs), (q, key, docnum)
    return skipped


@pytest.mark.slow
def test_filtered_queries_are_pruned_as_every_candidate_scored(tmp_path: Path) -> None:
    """A narrowing and exclusions are applied inside the pruning: only documents they allow
    are candidates, and θ is met by the sides' scores added (an intersection adds the
    narrowing term's score); the answers are still Whoosh's own, to the last bit."""
    ix = build(tmp_path / "ix", skewed(600))
    with ix.searcher() as searcher:
        assert assert_filtered_same(searcher) > 0  # (pruning did leave candidates unscored)


@pytest.mark.slow
def test_filtered_queries_pruned_over_segments_with_deleted_documents(tmp_path: Path) -> None:
    with two_segments_with_deletions(tmp_path).searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2 and searcher.reader().has_deletions()
        assert assert_filtered_same(searcher, deleted=True) > 0


def test_a_filtered_term_is_seen_only_where_the_filter_allows_it(tmp_path: Path) -> None:
    """A word held only by documents the narrowing (or an exclusion) refuses is not among
    the terms seen (snippets would mark it), though its postings are read; one an allowed
    document holds is."""

    body = "{}filler{}".format
    docs = [record(n, "Pool", body("pool " * (1 + n % 4), n), "decision", "g") for n in range(40)]
    docs += [
        record(100 + n, f"Note {n}", "filler " * 30 + "pool quokka", "fact", "g") for n in range(5)
    ]
    docs += [record(200, "Note", "filler " * 60 + "pool wombat", "decision", "g")]
    ix = build(tmp_path / "ix", docs)
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        narrowed = narrowing_query(Narrowing(["decision"], [], [], []))
        for text in ("pool quokka wombat", "pool quokka wombat -filler7"):
            q = query.And([plan(searcher.reader(), searcher.schema, text).query, narrowed])
            every, seen = whooshs_own(searcher, q, 100_000)
            assert ("body", b"wombat") in seen and ("body", b"quokka") not in seen
            pruned = whoosh_prune.collect(searcher, q, 5)
            assert pruned is not None and pruned.top(5) == every[:5]
            assert pruned.seen == seen
        q = plan(searcher.reader(), searcher.schema, "pool quokka -quokka").query
        every, seen = whooshs_own(searcher, q, 100_000)
        pruned = whoosh_prune.collect(searcher, q, 5)
        assert pruned is not None and pruned.top(5) == every[:5]
        assert ("body", b"quokka") not in seen and pruned.seen == seen


def test_a_search_wanting_more_than_was_pruned_for_looks_deeper(tmp_path: Path) -> None:
    """`keep` refusing most hits makes the search look 4x further down, past the best N
    pruning kept: it prunes again for the deeper N, and answers as Whoosh ranks them."""
    ix = build(tmp_path / "ix", skewed(300))
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        planned = plan(searcher.reader(), searcher.schema, "pool")
        every, _seen = whooshs_own(searcher, planned.query, 100_000)

        def keep(row: dict[str, Any]) -> bool:
            return str(row["id"]).endswith("7")

        hits = whoosh_search.search(
            searcher, planned, Narrowing([], [], [], []), keep, limit=10, snippets=False
        )
        stored = [searcher.stored_fields(docnum) for _score, docnum in every]
        expected = [
            docnum
            for (_score, docnum), fields in zip(every, stored, strict=True)
            if keep(encode_row_of(fields))
        ][:10]
        assert len(hits) == 10
        assert [hit.doc for hit in hits] == expected


def encode_row_of(fields: dict[str, Any]) -> dict[str, Any]:
    import json

    row: dict[str, Any] = json.loads(fields["row"])
    return row


def test_a_small_segment_that_cannot_reach_the_best_n_is_skipped_its_terms_still_seen(
    tmp_path: Path,
) -> None:
    """A later segment whose terms' bounds add up below the N-th best score so far is not
    read at all; a word only it holds is still among the terms seen (snippets mark it), as
    Whoosh sees it."""

    strong = [record(n, "Pool pool", "pool " * 3 + f"filler{n}") for n in range(60)]
    weak = [record(100 + n, f"Note {n}", "filler " * 60 + "pool quokka") for n in range(5)]
    build(tmp_path / "ix", strong)
    ix = add_segment(tmp_path / "ix", weak)
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        assert [leaf.doc_count() for leaf, _offset in searcher.leaf_searchers()] == [60, 5]
        q = plan(searcher.reader(), searcher.schema, "pool quokka").query
        every, seen = whooshs_own(searcher, q, 100_000)
        assert ("body", b"quokka") in seen
        for limit in (1, 7, 40):
            pruned = whoosh_prune.collect(searcher, q, limit)
            assert pruned is not None
            assert pruned.top(limit) == every[:limit]
            assert pruned.seen == seen
            assert pruned.segments[1][1] == {}  # (the small segment: not read)
        pruned = whoosh_prune.collect(searcher, q, 63)  # (its documents are needed now)
        assert pruned is not None and pruned.top(63) == every[:63]
        assert pruned.segments[1][1]


@pytest.mark.parametrize("margin", [whoosh_prune.MARGIN, 0.0])
def test_an_equal_score_in_an_earlier_segment_read_later_still_wins_on_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, margin: float
) -> None:
    """Segments are read largest first: the best score of a later, larger one is θ when the
    earlier, smaller one is read. A document there scoring exactly θ ranks above the other
    (the lower document number wins a tie): it must not be pruned for not beating θ. (Without
    the rounding margin its segment's bound is exactly θ: only "strictly below θ" keeps it.)"""
    monkeypatch.setattr(whoosh_prune, "MARGIN", margin)
    monkeypatch.setattr(whoosh_query_bound, "MARGIN", margin)

    # (the twin the only document of its segment holding the word: its bound there, from
    # the term's largest weight and shortest length, is its score, but for the margin)
    twin = ("Note", "quokka")
    small = [record(0, *twin, letter="f"), record(1, "Other", "filler", letter="f")]
    large = [record(10 + n, "Note", f"filler{n}", letter="f") for n in range(40)]
    large += [record(99, *twin, letter="f")]
    build(tmp_path / "ix", small)
    ix = add_segment(tmp_path / "ix", large)
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        assert [leaf.doc_count() for leaf, _offset in searcher.leaf_searchers()] == [2, 41]
        q = plan(searcher.reader(), searcher.schema, "quokka").query
        every, _seen = whooshs_own(searcher, q, 100_000)
        assert every[0][0] == every[1][0] and [d for _s, d in every] == [0, 42]
        for limit in (1, 2):
            pruned = whoosh_prune.collect(searcher, q, limit)
            assert pruned is not None
            assert pruned.top(limit) == every[:limit]


def test_an_exclusion_with_a_narrowing_where_a_segment_dropped_a_document(
    tmp_path: Path,
) -> None:
    """`pool -zebra --type decision` where the segment's only `pool` decision is deleted:
    Whoosh 2.7.4's AND NOT matcher, skipped past its last `pool` document while building
    the intersection, asked it where it stood and raised IndexError (a search took the
    index for damaged, rebuilt it and raised again). `plan` mends the matcher."""

    docs = [
        record(0, "Note", "other pool", "fact", "h"),
        record(1, "Note", "other", "decision", "h"),
    ]
    docs += [
        record(2, "Note", "pool", "decision", "h"),
        record(3, "Note", "other zebra", "fact", "h"),
    ]
    build(tmp_path / "ix", docs)
    ix = add_segment(tmp_path / "ix", [record(4, "Note", "pool", "decision", "h")], [docs[2]])
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        planned = plan(searcher.reader(), searcher.schema, "pool -zebra")
        narrow = Narrowing(["decision"], [], [], [])
        hits = whoosh_search.search(searcher, planned, narrow, lambda row: True, limit=10)
        assert [hit.doc for hit in hits] == [4]
        q = query.And([planned.query, narrowing_query(narrow)])
        every, _seen = whooshs_own(searcher, q, 100)
        pruned = whoosh_prune.collect(searcher, q, 10)
        assert pruned is not None and pruned.top(10) == every == [(every[0][0], 4)]
