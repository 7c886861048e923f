"""The full build (`whoosh_bulk`) writes what Whoosh's own writer writes, byte for byte, and
its two processes give the same documents, terms and scores in the same order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import whoosh_bulk, whoosh_write
from gitmem.search.changes import Document, encode_row
from gitmem.search.index import fields_of
from gitmem.search.whoosh_load import FileIndex

WORDS = ["pool", "zebra", "deploy", "deploying", "postgres", "mongodb", "cache", "the", "of"]
WORDS += ["read_csv", "getHTTPResponse"]


def documents(count: int) -> list[Document]:
    """Records with repeated and single words, identifiers, empty and filled optional fields,
    tags, paths, notes: a common word in more than one block of 128 postings."""
    out = []
    for n in range(count):
        words = [WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 9)]
        row: dict[str, Any] = {
            "id": f"bbbb{n:08d}",
            "type": ("decision", "fact", "error")[n % 3],
            "title": f"Title {' '.join(words[:4])} number{n % 17}",
            "created": "2026-01-02T10:00:00+00:00",
            "location": f"note:{n:040x}" if n % 5 == 0 else f".memory/facts/r{n}.md",
        }
        if n % 2:
            row["summary"] = f"Summary {words[-1]} {words[0]} {words[-1]}"
        if n % 3:
            row["tags"] = [words[0], f"tag{n % 4}"]
        if n % 4:
            row["paths"] = [f"src/m{n % 6}/f{n}.py"]
            row["project"] = "Alpha"
        body = " ".join(words * (1 + n % 3)) + f". Zebra {n} pool, pool."
        out.append(Document(row, body, 1_767_261_600 + n))
    return out


def add_each(docs: list[Document]) -> Any:
    def add(writer: Any, n: int) -> None:
        writer.add_document(**fields_of(docs[n], encode_row(docs[n].row)))

    return add


def segment_files(ix: FileIndex) -> list[dict[str, bytes]]:
    """Each segment's files by name (without the random segment id)."""
    out = []
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage)
        files = {}
        for name in storage.list():
            with storage.open_file(name) as f:
                files[name.replace(segment.segment_id(), "SEG")] = f.read()
        out.append(files)
    return out


def stock_build(path: Path, docs: list[Document]) -> FileIndex:
    """Whoosh's own writer, one segment: what a build wrote before `whoosh_bulk`."""
    ix = whoosh_write.create(path)
    whoosh_write.patch_writer()
    writer = ix.writer()
    for n in range(len(docs)):
        add_each(docs)(writer, n)
    writer.commit()
    return whoosh_write.open_index(path)


def test_the_same_files_as_whooshs_own_writer(tmp_path: Path) -> None:
    docs = documents(300)
    stock = segment_files(stock_build(tmp_path / "stock", docs))
    ix = whoosh_write.create(tmp_path / "bulk")
    whoosh_bulk.build(ix, len(docs), add_each(docs), processes=1)
    bulk = segment_files(whoosh_write.open_index(tmp_path / "bulk"))
    assert len(stock) == len(bulk) == 1
    assert sorted(bulk[0]) == sorted(stock[0])
    assert "SEG.pst" in bulk[0] and "SEG.trm" in bulk[0]
    for name in sorted(stock[0]):
        assert bulk[0][name] == stock[0][name], name


def hits(ix: FileIndex, words: list[str]) -> list[tuple[str, float]]:
    from whoosh import query

    q = query.Or([query.Term(f, w) for w in words for f in ("title", "summary", "body", "tags")])
    with ix.searcher() as searcher:
        return [(hit["row"][7:19], hit.score) for hit in searcher.search(q, limit=None)]


@pytest.mark.slow
def test_two_processes_and_small_segments_rank_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = documents(300)
    stock = stock_build(tmp_path / "stock", docs)
    monkeypatch.setattr(whoosh_bulk, "SEGMENT_DOCS", 70)  # 150 each: 70 + 70 + 10
    ix = whoosh_write.create(tmp_path / "bulk")
    whoosh_bulk.build(ix, len(docs), add_each(docs), processes=2)
    ix = whoosh_write.open_index(tmp_path / "bulk")
    assert [s.doc_count() for s in ix._segments()] == [70, 70, 10, 70, 70, 10]
    with ix.searcher() as searcher:  # the documents in their order
        rows = [searcher.stored_fields(n)["row"] for n in range(len(docs))]
    assert rows == [encode_row(doc.row) for doc in docs]
    for words in (["pool"], ["zebra", "deploy"], ["read_csv", "number3", "tag1"], ["title"]):
        assert hits(ix, words) == hits(stock, words), words
    assert len(hits(ix, ["pool"])) == len(docs)
    left = [n for n in os.listdir(tmp_path / "bulk") if not n.endswith((".toc", ".seg"))]
    assert left == ["MAIN_WRITELOCK"]  # (as Whoosh's writer leaves it: no temporary files)


def test_a_failing_document_fails_the_build_and_commits_nothing(tmp_path: Path) -> None:
    docs = documents(40)
    add = add_each(docs)

    def failing(writer: Any, n: int) -> None:
        if n == 30:  # in the second half: the child process
            raise ValueError("bad document")
        add(writer, n)

    ix = whoosh_write.create(tmp_path / "ix")
    with pytest.raises(ValueError, match="bad document"):
        whoosh_bulk.build(ix, len(docs), failing, processes=2)
    assert whoosh_write.generation(whoosh_write.open_index(tmp_path / "ix")) == 0
    # The lock is released: the next build succeeds.
    whoosh_bulk.build(ix, len(docs), add, processes=2)
    assert whoosh_write.open_index(tmp_path / "ix").doc_count() == len(docs)
