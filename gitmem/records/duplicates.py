"""Near-duplicate memories: `save` refuses one (unless --force), `doctor --duplicates` names
the pairs. Two records are near-duplicates when they are of one type, both their titles and
their whole texts are this similar (the Jaccard index of their word sets), and they name the
same numbers in the same order: "Use PostgreSQL 15" and "Use PostgreSQL 16", or "worker 0
record 2" and "worker 2 record 0", say different things in the same words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from gitmem.errors import GitMemError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.changes import Row
from gitmem.search.query import Filter
from gitmem.store.record import Memory

TITLE_SIMILARITY = 0.8
TEXT_SIMILARITY = 0.6
_WORD = re.compile(r"[^\W_]+")


class Duplicate(NamedTuple):
    first: Row  # the older of the two
    second: Row
    similarity: float  # of the whole texts, 0..1

    def to_json(self) -> dict[str, Any]:
        return {
            "ids": [self.first["id"], self.second["id"]],
            "titles": [self.first["title"], self.second["title"]],
            "similarity": round(self.similarity, 2),
        }


class Words(NamedTuple):
    words: frozenset[str]  # lower-cased, numbers left out
    numbers: tuple[str, ...]  # in order


def words(text: str) -> Words:
    found = [word.lower() for word in _WORD.findall(text)]
    return Words(
        frozenset(w for w in found if not w.isdigit()), tuple(w for w in found if w.isdigit())
    )


def similarity(a: Words, b: Words) -> float:
    """The Jaccard index of the two word sets; 0 when their numbers differ."""
    if a.numbers != b.numbers:
        return 0.0
    return len(a.words & b.words) / len(a.words | b.words) if a.words or b.words else 1.0


def duplicates(store: Store, rows: Sequence[Row]) -> Iterator[Duplicate]:
    """Pairs of active records of one type with near-identical titles and texts.

    Titles are compared first and only within a type, bucketed by their words (two titles
    this similar share most words), so the work stays near-linear in the number of records.
    """
    by_word: dict[tuple[str, str], list[int]] = {}
    titles = [words(row["title"]) for row in rows]
    for index, (row, title) in enumerate(zip(rows, titles, strict=True)):
        for word in title.words:
            by_word.setdefault((row["type"], word), []).append(index)
    texts: dict[int, Words | None] = {}

    def text(index: int) -> Words | None:
        if index not in texts:
            texts[index] = _text_words(store, rows[index])
        return texts[index]

    for index, row in enumerate(rows):
        candidates = {
            other
            for word in titles[index].words
            for other in by_word.get((row["type"], word), ())
            if other > index  # each pair once
        }
        for other in sorted(candidates):
            if similarity(titles[index], titles[other]) < TITLE_SIMILARITY:
                continue
            mine, theirs = text(index), text(other)
            score = similarity(mine, theirs) if mine and theirs else 0.0
            if score >= TEXT_SIMILARITY:
                first, second = sorted((row, rows[other]), key=lambda r: (r["created"], r["id"]))
                yield Duplicate(first, second, score)


def near_duplicate(store: Store, memory: Memory) -> Row | None:
    """An active record of `memory`'s type whose title and text are near-identical to its."""
    title = words(memory.title)
    text: Words | None = None
    for row in finder.records(store, Filter(types=[memory.type])):
        if row["id"] == memory.id or similarity(title, words(row["title"])) < TITLE_SIMILARITY:
            continue
        text = text or words(" ".join([memory.title, memory.summary or "", memory.body]))
        theirs = _text_words(store, row)
        if theirs is not None and similarity(text, theirs) >= TEXT_SIMILARITY:
            return row
    return None


def _text_words(store: Store, row: Row) -> Words | None:
    """The words of the record `row` names; None when it cannot be read now (another process
    moved or removed it since the catalog was read: it cannot be a duplicate then)."""
    try:
        memory = store.load(row).memory
    except GitMemError:
        return None
    return words(" ".join([memory.title, memory.summary or "", memory.body]))
