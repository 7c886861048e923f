"""The Whoosh index's schema and analysis: which fields a record becomes, and how text becomes
terms.

This module's name is part of the on-disk format: Whoosh pickles the schema into every index's
table of contents, and with it `gitmem.search.index.FastText`. Renaming the module means
bumping `WhooshEngine.version` (as moving it here from `gitmem/index.py` did), or indexes built
before could not be opened and would be rebuilt through the damage path.

Whoosh's analyzer chain yields one Token object per word through four generators; indexing
body text with `fast_terms` (one regex, a stem cache) produces the same terms at ~2.5 times the
speed. `analyzer_terms_match` in the tests keeps the two in step. A change here must
bump `WhooshEngine.version`, so that indexes built the old way are rebuilt.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from gitmem.search.changes import Document
from gitmem.search.engine import WORD, Row
from gitmem.search.whoosh_load import (
    analysis,
    columns,
    dumps,
    fields,
    pack_uint,
    stemmer_for_language,
)

TEXT_FIELDS = ("title", "summary", "body", "tags")
BOOSTS = {"title": 4.0, "summary": 2.0, "tags": 2.0}  # BM25F field weights; body 1
FIELD_ALIASES = {"tags": ["tag"], "paths": ["path"], "commits": ["commit"]}

_STOP_WORDS = frozenset(analysis.STOP_WORDS)
stem = stemmer_for_language("en")  # Snowball (Porter2): deploy, deploying, deployment agree
_stems: dict[str, str] = {}  # word -> stem ("" for a stop word): most text repeats words


def fast_terms(text: str) -> list[str]:
    """The terms ANALYZER yields for `text`, in order, without building Token objects."""
    terms: list[str] = []
    cache = _stems
    for word in WORD.findall(text):
        term = cache.get(word)
        if term is None:
            lowered = word.lower()  # per word, as LowercaseFilter does ("İ" lowers to 2 chars)
            term = "" if len(lowered) < 2 or lowered in _STOP_WORDS else stem(lowered)
            cache[word] = term
        if term:
            terms.append(term)
    return terms


# The analyzer Whoosh uses for queries, highlighting and spelling; `fast_terms` for indexing.
ANALYZER = (
    analysis.RegexTokenizer(WORD.pattern)
    | analysis.LowercaseFilter()
    | analysis.StopFilter()
    | analysis.StemFilter(stemfn=stem, cachesize=-1)
)


class FastText(fields.TEXT):  # type: ignore[misc]
    """A TEXT field (stemmed, with positions for phrases) indexed through `fast_terms`."""

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(fast_terms(value)):
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
        for term, found in positions.items():
            yield term.encode(), len(found), len(found) * boost, encode_positions(found)


_single: dict[int, bytes] = {}  # most terms occur once in a document


def encode_positions(positions: list[int]) -> bytes:
    """Whoosh's Positions format: the count, then the deltas between positions, pickled."""
    if len(positions) == 1:
        encoded = _single.get(positions[0])
        if encoded is None:
            encoded = _single[positions[0]] = bytes(pack_uint(1) + dumps(positions, 2))
        return encoded
    deltas = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
    return bytes(pack_uint(len(deltas)) + dumps(deltas, 2))


def schema() -> fields.Schema:
    return fields.Schema(
        location=fields.ID(),  # `.memory/...` or `note:<sha>`: what a change replaces
        id=fields.ID(sortable=True),
        type=fields.ID(),
        status=fields.ID(),
        source=fields.ID(),
        project=fields.KEYWORD(commas=True, lowercase=True),
        title=FastText(analyzer=ANALYZER, field_boost=BOOSTS["title"], spelling=True),
        summary=FastText(analyzer=ANALYZER, field_boost=BOOSTS["summary"]),
        body=FastText(analyzer=ANALYZER),
        tags=fields.KEYWORD(commas=True, lowercase=True, scorable=True, field_boost=BOOSTS["tags"]),
        author=fields.TEXT(analyzer=analysis.SimpleAnalyzer()),
        created=fields.NUMERIC(int, bits=64, signed=True, sortable=True),
        paths=fields.KEYWORD(commas=True),
        commits=fields.KEYWORD(commas=True),
        row=fields.STORED(),  # the record's fields as JSON: what list and search print
        text=fields.COLUMN(columns.CompressedBytesColumn()),  # the body, for snippets
    )


def path_prefixes(paths: Iterable[str]) -> set[str]:
    """Each path and the directories above it (`src/db/x.py`: src, src/db, src/db/x.py)."""
    terms: set[str] = set()
    for path in paths:
        parts = path.removeprefix("./").rstrip("/").split("/")
        terms.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    return terms


def _path_terms(paths: Iterable[str]) -> str:
    """The `paths` field: `path:src/db` finds a record about `src/db/x.py`."""
    return ",".join(sorted(path_prefixes(paths)))


def fields_of(document: Document, row_json: str) -> dict[str, Any]:
    """The document Whoosh indexes for a record."""
    row = document.row
    return {
        "location": row["location"],
        "id": row["id"],
        "type": row["type"],
        "status": row.get("status", "active"),
        "source": row.get("source", ""),
        "project": row.get("project", ""),
        "title": row["title"],
        "summary": row.get("summary", ""),
        "body": document.body,
        "tags": ",".join(row.get("tags", [])),
        "author": row.get("author", ""),
        "created": document.created,
        "paths": _path_terms(row.get("paths", [])),
        "commits": ",".join([*row.get("commits", []), *_note_sha(row)]),
        "row": row_json,
        "text": document.body.encode("utf-8", "surrogateescape"),
    }


def _note_sha(row: Row) -> list[str]:
    location: str = row["location"]
    return [location[5:]] if location.startswith("note:") else []
