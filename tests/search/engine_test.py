"""The search engine's interface (`engine.Engine`, `engine.Reader`) on `catalog.ENGINE`: what
the catalog, `list`, `search` and context packs rely on, in terms of rows, hits and `Doc`
handles only — a second engine would have to pass these as they are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitmem.search import catalog
from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING, MARK_END, MARK_START, Narrowing

Row = dict[str, Any]
KEEP_ALL: Callable[[Row], bool] = lambda row: True  # noqa: E731
DAY = 86400


def record(n: int, body: str = "", **fields: Any) -> Document:
    row = {
        "id": f"eeee0000000{n}",
        "type": "decision",
        "title": f"Record {n}",
        "created": f"2026-01-0{n}T10:00:00+00:00",
        "location": f".memory/decisions/{n}.md",
        **fields,
    }
    return Document(row, body or f"Body of record {n}.", 1_767_261_600 + n * DAY)


DOCUMENTS = [
    record(1, paths=["src/db/pool.py"], body="The pool holds twenty connections."),
    record(2, status="deprecated", body="Old pool settings."),
    record(3, type="fact", source="hook", paths=["docs/*.md"]),
    record(4, type="fact", body="Pool metrics are exported."),
    record(5),
]
E1, E2, E3, E4, E5 = (document.row["id"] for document in DOCUMENTS)


def ids(rows: list[Row]) -> list[str]:
    return [row["id"] for row in rows]


def test_build_update_and_is_current(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    search = catalog.ENGINE
    assert not search.is_current(ix, None)  # nothing there yet
    first = search.build(ix, DOCUMENTS[:2], None)
    assert search.is_current(ix, first)
    second = search.update(ix, [DOCUMENTS[0].row["location"]], DOCUMENTS[2:], None)
    assert search.is_current(ix, second)
    assert not search.is_current(ix, first)  # a newer generation than the recorded one
    assert not search.is_current(tmp_path / "elsewhere", second)
    with search.open(ix, set()) as reader:
        assert reader.count() == 4
        assert ids(list(reader.records(EVERYTHING, KEEP_ALL))) == [E5, E4, E3, E2]


def test_reader(tmp_path: Path) -> None:
    search = catalog.ENGINE
    search.build(tmp_path / "ix", DOCUMENTS, None)
    with search.open(tmp_path / "ix", {E5}) as reader:
        # Records by filter, newest first; `keep` has the last word.
        facts = Narrowing(["fact"], [], [], [])
        assert ids(list(reader.records(facts, KEEP_ALL))) == [E4, E3]
        assert ids(list(reader.records(EVERYTHING, lambda row: row["id"] != E4)))[:2] == [E5, E3]

        # Search: ranked hits with marked snippets; retired ones last; a text asked twice.
        first: Callable[[Row], bool] = lambda row: row["id"] == E1  # noqa: E731
        hits = reader.search("pool", EVERYTHING, KEEP_ALL, limit=10, retired=first)
        assert sorted(ids([hit.row for hit in hits])) == [E1, E2, E4]
        assert hits[-1].row["id"] == E1
        assert all(f"{MARK_START}pool{MARK_END}" in hit.snippet.lower() for hit in hits)
        again = reader.search("pool", EVERYTHING, KEEP_ALL, limit=1, snippets=False)
        assert [hit.snippet for hit in again] == [""]
        newest = reader.search("pool", EVERYTHING, KEEP_ALL, limit=10, newest=True)
        assert ids([hit.row for hit in newest]) == [E4, E2, E1]
        # `superseded` given when opening: E5 reads as superseded.
        superseded = reader.search("status:superseded", EVERYTHING, KEEP_ALL, limit=10)
        assert ids([hit.row for hit in superseded]) == [E5]
        assert reader.suggest("recrd") == "record"  # from the titles
        assert reader.suggest("pool") is None

        # By document: the handles of hits are the ones `row`, `body`, `current`, `newest` use.
        by_id = {reader.row(hit.doc)["id"]: hit.doc for hit in hits}
        assert reader.body(by_id[E1]) == "The pool holds twenty connections."
        decisions = reader.current(Narrowing(["decision"], [], [], []))
        assert sorted(reader.row(doc)["id"] for doc in decisions) == [E1]  # E2, E5 retired
        hooked = reader.current(Narrowing(["fact"], [], ["hook"], []))
        assert [reader.row(doc)["id"] for doc in hooked] == [E3]
        every = reader.current(Narrowing(["decision", "fact"], [], [], []))
        assert [reader.row(doc)["id"] for doc in reader.newest(every, 2)] == [E4, E3]
        about = {reader.row(doc)["id"] for doc in reader.about(["src/db"])}
        assert about == {E1, E3}  # under src/db, and a glob (a candidate for path_matches)
