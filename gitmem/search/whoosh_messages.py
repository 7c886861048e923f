"""The Whoosh index of session messages: its schema, writing it, and ranked hits with snippets.

One document per message of a transcript: the session id and the message's number in it (both
stored, the id also indexed: what a changed transcript's documents are dropped by, and
`session:ID` in a query), the role (`role:user`), the time, and the text. The text field is
called `body` and analysed exactly as a record's body (`index.FastText`), and the schema also
has the other text fields of a record (left empty), so a query is read as a records query is
(`whoosh_query.plan`) and ranks the way one does.

This module's name is pickled into the index like `index.py`'s is: renaming it, or changing
the schema, means bumping `VERSION` in `sessions_index.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gitmem.search import question
from gitmem.search.engine import Progress
from gitmem.search.index import ANALYZER, TEXT_FIELDS, FastText
from gitmem.search.messages import MessageDoc, MessageHit
from gitmem.search.snippets import snippet
from gitmem.search.whoosh_load import (
    FileIndex,
    FileStorage,
    Searcher,
    columns,
    fields,
    load_sorting,
)
from gitmem.search.whoosh_query import plan
from gitmem.search.whoosh_search import RERANKED, scored
from gitmem.search.whoosh_write import patch_writer

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


BULK_THRESHOLD = 3000  # messages: from here on, a full build is worth a second writer process
LIMIT_MB = 256  # the writer's posting buffer: bounded memory, whatever the number of messages


def schema() -> fields.Schema:
    return fields.Schema(
        session=fields.ID(stored=True),
        number=fields.STORED(),
        role=fields.ID(stored=True),
        time=fields.ID(stored=True, sortable=True),  # ISO 8601: sorts as text
        title=FastText(analyzer=ANALYZER),  # empty: there so a records query fits
        summary=FastText(analyzer=ANALYZER),  # empty
        tags=fields.KEYWORD(commas=True, lowercase=True, scorable=True),  # empty
        body=FastText(analyzer=ANALYZER),
        text=fields.COLUMN(columns.CompressedBytesColumn()),  # the message, for snippets
    )


def _storage(path: Path) -> FileStorage:
    return FileStorage(str(path), supports_mmap=False)  # see whoosh_write: cheap to open


def create(path: Path) -> FileIndex:
    path.mkdir(parents=True, exist_ok=True)
    return _storage(path).create_index(schema())


def open_index(path: Path) -> FileIndex:
    """The committed index at `path`; raises (any exception) when it is missing or damaged."""
    return _storage(path).open_index()


class Writer:
    """One Whoosh writer for a whole refresh: deletions, then messages added as they are read,
    one commit at the end (many small commits leave many segments and slow queries down)."""

    def __init__(self, ix: FileIndex, *, fresh: bool, expected: int) -> None:
        patch_writer()
        options: dict[str, Any] = {"limitmb": LIMIT_MB}
        if fresh and expected >= BULK_THRESHOLD:
            options.update(procs=2, multisegment=True)
        self._ix = ix
        self._writer = ix.writer(**options)
        self.added = 0

    def drop(self, sessions: Iterable[str]) -> None:
        for session in sessions:
            self._writer.delete_by_term("session", session)

    def add(self, messages: Iterable[MessageDoc]) -> None:
        for message in messages:
            text = message.text
            self._writer.add_document(
                session=message.session,
                number=message.number,
                role=message.role,
                time=message.time or "",
                body=text,
                text=text.encode("utf-8", "surrogateescape"),
            )
            self.added += 1

    def cancel(self) -> None:
        self._writer.cancel()

    def commit(self, progress: Progress | None = None) -> int:
        """Commit; the index's new generation."""
        self._writer.commit()
        if progress is not None:
            progress(self.added, self.added)
        return int(self._ix.latest_generation())


def count(searcher: Searcher) -> int:
    return int(searcher.doc_count())


# `role:user`, `session:ID` beside the records' fields (whose values find nothing here).
MESSAGE_FIELDS = question.FIELDS | {"role", "session"}


def search(
    searcher: Searcher, text: str, *, limit: int, newest: bool = False, match: str = "any"
) -> list[MessageHit]:
    """The best `limit` messages for the query `text`, read and ranked as a records query is
    (`whoosh_query.plan`: plain words ranked, any may match, with the coordination factor;
    `match` "all": each required)."""
    planned = plan(searcher.reader(), searcher.schema, text, match=match, names=MESSAGE_FIELDS)
    order = load_sorting().FieldFacet("time", reverse=True) if newest else None
    coordinate = len(planned.weights) > 1 and not newest
    wanted = max(limit, RERANKED) if coordinate else limit
    results = searcher.search(planned.query, limit=wanted, sortedby=order, terms=True)
    if not len(results.top_n):
        return []
    ranked = [(scored(hit, planned, coordinate)[0], hit) for hit in results]
    if coordinate:  # stable: Whoosh's order among equal scores
        ranked.sort(key=lambda item: -item[0])
    bodies = searcher.reader().column_reader("text")
    terms = {term.decode() for field, term in results.matched_terms() if field in TEXT_FIELDS}
    hits = []
    for score, hit in ranked[:limit]:
        stored = hit.fields()
        message = MessageDoc(
            stored["session"], int(stored["number"]), stored["role"], stored["time"] or None, ""
        )
        body = (bodies[hit.docnum] or b"").decode("utf-8", "replace")
        hits.append(MessageHit(message, score, snippet(body, terms)))
    return hits
