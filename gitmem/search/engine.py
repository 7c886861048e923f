"""The search engine behind one interface: what the catalog, `list`, `search` and context packs
ask of the index, in terms of rows and hits (no engine's types, no engine's document numbers).

An engine keeps an index in a directory the catalog gives it and records nothing else: the
catalog's manifest records which directory and the generation `build` or `update` returned,
and `is_current` tells whether the directory still holds that generation. Everything an
engine writes is derived state, rebuilt from the files and notes at any time.

The one engine is Whoosh (`index.py` and the `whoosh_*` modules, the only ones importing it),
chosen in `catalog.ENGINE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from gitmem import NamedTuple

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any, NewType, Protocol

    from gitmem.search.changes import Document
else:  # the interfaces below are for mypy; at run time, plain classes and an int
    Protocol = object

    def NewType(name: str, tp: type) -> type:
        return tp


Row = dict[str, "Any"]
Progress = Callable[[int, int], None]

# A record in an open reader, for a caller that ranks its own candidates (context packs) and
# reads rows and bodies only for what it shows. Valid only while that reader is open.
Doc = NewType("Doc", int)

MARK_START, MARK_END = "\x01", "\x02"  # around matched words in a snippet: the caller styles them

WORD = re.compile(r"\w+")  # a word of the query syntax (and of the text an engine indexes)


def words(text: str) -> list[str]:
    """The words of a query text: one at least, or there is nothing to search for."""
    return WORD.findall(text)


class Narrowing(NamedTuple):
    """Filters an engine applies exactly (values as stored); the rest is the caller's `keep`."""

    types: list[str]
    tags: list[str]
    sources: list[str]
    projects: list[str]


EVERYTHING = Narrowing([], [], [], [])


class Hit(NamedTuple):
    row: Row
    score: float
    snippet: str  # the best passage, matched words between MARK_START and MARK_END
    doc: Doc  # in the reader that found it
    matched: tuple[str, ...] = ()  # the query's plain words this record matched


class Rerank(Protocol):
    """A second opinion on the best `depth` hits of a plain-words ranking (the semantic extra:
    `semantic.rerank.Mixer`): their new scores, from the question, their scores and texts."""

    depth: int

    def __call__(self, question: str, scores: list[float], texts: list[str]) -> list[float]: ...


class Reader(Protocol):
    """An open index, read as of one generation. Statuses read as the records' effective ones:
    the ids given as `superseded` when opening read as superseded (`query.effective_status`).
    `rerank`: what re-ranks plain-word searches (None: the lexical ranking alone)."""

    rerank: Rerank | None

    def count(self) -> int:
        """How many records the index holds."""
        ...

    def records(self, narrow: Narrowing, keep: Callable[[Row], bool]) -> Iterator[Row]:
        """Every record `narrow` and `keep` accept, newest first (ties: id, descending)."""
        ...

    def search(
        self,
        text: str,
        narrow: Narrowing,
        keep: Callable[[Row], bool],
        *,
        limit: int,
        newest: bool = False,
        retired: Callable[[Row], bool] = lambda row: False,
        snippets: bool = True,
        match: str = "any",
    ) -> list[Hit]:
        """The best `limit` records for the query `text` (the `git mem search` syntax) that
        `narrow` and `keep` accept; `retired` ones rank last; `newest`: by date instead.
        Plain words are ranked, any of them matching (`match` "any") or each ("all"), and the
        best of them re-ranked by the reader's `rerank` when it has one."""
        ...

    def suggest(self, text: str) -> str | None:
        """`text` with unknown words replaced by the closest known ones, if that changes it."""
        ...

    def current(self, narrow: Narrowing) -> list[Doc]:
        """The records of `narrow`'s types and sources that are not retired, in index order."""
        ...

    def about(self, paths: list[str]) -> set[Doc]:
        """The records whose recorded paths may concern one of `paths`: a superset, for
        `query.path_matches` to decide."""
        ...

    def located(self, locations: Iterable[str]) -> set[Doc]:
        """The records living at any of `locations` (`.memory/...` or `note:<sha>`)."""
        ...

    def newest(self, docs: Iterable[Doc], limit: int) -> list[Doc]:
        """The `limit` newest of `docs` (ties: id, descending, as `records`)."""
        ...

    def row(self, doc: Doc) -> Row:
        """The stored row of one record."""
        ...

    def body(self, doc: Doc) -> str:
        """The body text of one record."""
        ...


class Engine(Protocol):
    """Builds, updates, checks and opens an index in a directory."""

    # Of the engine's schema and analysis: a change there must bump it, and the catalog
    # rebuilds indexes of another version. Read without loading the engine.
    version: int

    def build(self, path: Path, documents: list[Document], progress: Progress | None) -> int:
        """A new index of `documents` in `path` (created); the generation to record."""
        ...

    def update(
        self,
        path: Path,
        removed: Iterable[str],
        added: list[Document],
        progress: Progress | None,
    ) -> int:
        """Drop the records of the `removed` locations, add `added`; the generation to record."""
        ...

    def is_current(self, path: Path, generation: object) -> bool:
        """Does `path` hold an index whose latest generation is `generation`? Cheap (no
        engine loaded): a newer one means a process died between committing the index and
        recording it. Damage it does not show surfaces when the index is read."""
        ...

    def open(self, path: Path, superseded: set[str]) -> AbstractContextManager[Reader]:
        """The committed index in `path`, open for reading; raises (any exception) when it is
        missing or damaged."""
        ...

    def load(self) -> None:
        """Import now what `open` needs: a one-shot search calls it while git answers which
        files changed, so the import does not wait for that answer (nor that answer for it)."""
        ...

    def keep_open(self, path: Path) -> KeptIndex:
        """The committed index in `path`, kept open across requests by a long-lived process;
        raises (any exception) when it is missing or damaged."""
        ...


class KeptIndex(Protocol):
    """One commit of an index held open: a `Reader` over it per request, none at a time."""

    generation: object  # the commit it holds (as `Engine.build` and `update` return them)

    def reader(self, superseded: set[str]) -> Reader:
        """A reader for one request (what it caches lives as long as the request)."""
        ...

    def close(self) -> None: ...
