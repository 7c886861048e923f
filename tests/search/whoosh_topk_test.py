"""`whoosh_topk`: the best N of a ranked query are Whoosh's own, every candidate scored (its
TopCollector with its block-quality skipping and matcher replacement off), to the last bit of
each score, with the same terms seen; for plain words with expansions and related terms
(`BestOf`), filters, exclusions, phrases, ties, several segments and deleted documents."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import whoosh_bulk, whoosh_columns, whoosh_search, whoosh_topk, whoosh_write
from gitmem.search.changes import Document, encode_row
from gitmem.search.engine import Narrowing
from gitmem.search.index import TEXT_FIELDS, fields_of
from gitmem.search.whoosh_load import FileIndex, query
from gitmem.search.whoosh_query import narrowing_query, plan

WORDS = ["pool", "zebra", "deploy", "deploying", "production", "hosting", "validation", "check"]
WORDS += ["cache", "memoize", "read_csv", "postgresql", "the", "of", "take", "out"]


def documents(count: int) -> list[Document]:
    """Records of a few words in varied mixes and lengths (a common word in more than one
    block of 128 postings); every tenth record the same as the one before it but for its id
    (equal scores)."""
    out = []
    for n in range(count):
        seed = n - 1 if n % 10 == 9 else n
        words = [WORDS[(seed * k) % len(WORDS)] for k in range(1, 2 + seed % 11)]
        row: dict[str, Any] = {
            "id": f"cccc{n:08d}",
            "type": ("decision", "fact", "error")[seed % 3],
            "title": f"Title {' '.join(words[:3])}",
            "created": "2026-01-02T10:00:00+00:00",
            "location": f".memory/facts/r{n}.md",
        }
        if seed % 2:
            row["summary"] = f"Summary {words[-1]} {words[0]}"
        if seed % 3:
            row["tags"] = [words[0], f"tag{seed % 4}"]
        body = " ".join(words * (1 + seed % 4)) + (". Zebra pool" if seed % 5 else ". pool")
        body += " take out." if seed % 7 else "."
        out.append(Document(row, body, 1_767_261_600 + n))
    return out


def build(path: Path, docs: list[Document]) -> FileIndex:
    ix = whoosh_write.create(path)

    def add(writer: Any, n: int) -> None:
        writer.add_document(**fields_of(docs[n], encode_row(docs[n].row)))

    whoosh_bulk.build(ix, len(docs), add, processes=1)
    return whoosh_write.open_index(path)


def add_segment(path: Path, docs: list[Document], deleted: Sequence[Document] = ()) -> FileIndex:
    """The index at `path` with `docs` in a segment of their own (kept apart: not merged),
    `deleted` deleted from the segments before it."""
    writer = whoosh_write.open_index(path).writer()
    for doc in deleted:
        writer.delete_by_term("location", doc.row["location"])
    for doc in docs:
        writer.add_document(**fields_of(doc, encode_row(doc.row)))
    writer.commit(merge=False)
    return whoosh_write.open_index(path)


def record(n: int, title: str, body: str, kind: str = "fact", letter: str = "e") -> Document:
    """One fact (or `kind`) record, its id and file named by `letter` and `n`."""
    row: dict[str, Any] = {
        "id": f"{letter * 4}{n:08d}",
        "type": kind,
        "title": title,
        "created": "2026-01-02T10:00:00+00:00",
        "location": f".memory/facts/{letter}{n}.md",
    }
    return Document(row, body, 1_767_261_600 + n)


TEXTS = [
    "pool",  # every record: several blocks
    "deploy",  # its related terms: BestOf
    "validation zebra cache",
    "deploy pool hosting",
    "deplo",  # no such word: its prefix expansions
    "postgrsql",  # a near miss
    "read_csv check",  # an identifier's parts
    '"deploy pool" cache',  # a phrase: stepped through
    "pool -zebra",  # an exclusion
    "type:decision pool memoize",  # syntax and words: an intersection
    "take out",  # a related multi-word member
]
NARROW = [None, Narrowing(["decision"], [], [], []), Narrowing(["fact"], ["tag1"], [], [])]


def whooshs_own(searcher: Any, q: Any, limit: int) -> tuple[list[tuple[float, int]], set[Any]]:
    """Whoosh's TopCollector scoring every candidate, and the terms it saw."""
    from whoosh import collectors

    top = collectors.TopCollector(limit=limit, usequality=False)
    top.replace = 0
    collector = whoosh_search._seen_terms_collector(top)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return list(results.top_n), set(results.termdocs)


def texts(seen: set[Any]) -> set[str]:
    """The words of the terms seen that snippets mark (`whoosh_search.search`)."""
    return {term.decode() for field, term in seen if field in TEXT_FIELDS}


def queries(searcher: Any) -> list[Any]:
    out = []
    for text in TEXTS:
        planned = plan(searcher.reader(), searcher.schema, text)
        for narrow in NARROW:
            narrowed = narrowing_query(narrow) if narrow else None
            out.append(query.And([planned.query, narrowed]) if narrowed else planned.query)
    return out


def assert_same(searcher: Any) -> int:
    """Every query, several cut-offs (one inside a run of equal scores): the same hits,
    scores and seen terms as Whoosh. How many queries matched something."""
    whoosh_columns.cache_lengths(searcher)  # (the segments' lengths as the engine reads them)
    matched = 0
    for q in queries(searcher):
        collected = whoosh_topk.collect(searcher, q)
        again = whoosh_topk.collect(searcher, q)  # (from the scores kept)
        assert collected is not None and again is not None, q
        # (Whoosh's best N are the first N of its every match: one order, score then docnum)
        every, seen = whooshs_own(searcher, q, 10_000)
        assert texts(collected.seen) == texts(seen), q
        for limit in (1, 7, 40, 10_000):
            assert collected.top(limit) == every[:limit], (q, limit)
            assert again.top(limit) == every[:limit], (q, limit)
        matched += bool(collected.top(1))
    return matched


@pytest.mark.slow
def test_the_best_n_are_whooshs_every_candidate_scored(tmp_path: Path) -> None:
    ix = build(tmp_path / "ix", documents(400))
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 1
        # (all but `type:decision ...` narrowed to facts)
        assert assert_same(searcher) == len(TEXTS) * len(NARROW) - 1
        # Equal scores come in document order, as Whoosh's heap keeps them.
        collected = whoosh_topk.collect(searcher, queries(searcher)[0])
        assert collected is not None
        ranked = collected.top(10_000)
        ties = [(a, b) for a, b in itertools.pairwise(ranked) if a[0] == b[0]]
        assert ties and all(a[1] < b[1] for a, b in ties)


def test_every_term_kind_read_term_at_a_time(tmp_path: Path) -> None:
    """Only phrases (here one in title, one in body) are stepped through document by
    document: terms, unions, BestOf, intersections, exclusions and boosts are read whole."""
    ix = build(tmp_path / "ix", documents(200))
    with ix.searcher() as searcher:
        whoosh_columns.cache_lengths(searcher)
        context = searcher.context().set(needs_current=True)
        for text, stepped in (("deploy pool hosting", 0), ('"deploy pool" cache', 2)):
            q = plan(searcher.reader(), searcher.schema, text).query
            reading = whoosh_topk._Segment(searcher)
            reading.read(q.matcher(searcher, context))
            whole = [terms for terms, _docs, read_whole in reading.groups if read_whole]
            assert len(reading.groups) - len(whole) == stepped, text
            assert len(whole) >= 4


@pytest.mark.slow
def test_several_segments_and_deleted_documents(tmp_path: Path) -> None:
    docs = documents(300)
    build(tmp_path / "ix", docs[:200])
    # (kept apart: the first segment has deleted documents)
    ix = add_segment(tmp_path / "ix", docs[200:], deleted=docs[0:200:3])
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2
        assert searcher.reader().has_deletions()
        assert assert_same(searcher) == len(TEXTS) * len(NARROW) - 1
        deleted = set(searcher.reader().all_doc_ids()) ^ set(range(300))
        collected = whoosh_topk.collect(searcher, queries(searcher)[0])
        assert collected is not None
        hits = collected.top(10_000)
        assert deleted and not deleted & {docnum for _score, docnum in hits}


def test_the_scores_kept_are_bounded_least_recently_used_out() -> None:
    from array import array

    from gitmem.search.kept import Kept

    kept = Kept(10, whoosh_topk._postings_held)  # as the scores are kept (`whoosh_topk._CACHE`)

    def entry(n: int) -> tuple[array[int], array[float]]:
        return array("I", range(n)), array("d", [1.0] * n)

    kept.put("a", entry(4))
    kept.put("b", entry(4))
    assert kept.get("a") is not None  # "a" is now the most recently used
    kept.put("c", entry(4))  # 12 > 10: "b" goes
    assert kept.get("b") is None
    assert kept.get("a") is not None and kept.get("c") is not None
    assert kept.held == 8
    kept.put("d", entry(30))  # larger than the bound alone: kept, everything else out
    assert kept.held == 30 and kept.get("a") is None and kept.get("d") is not None
