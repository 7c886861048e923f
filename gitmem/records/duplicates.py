"""Near-duplicate memories: `save` refuses one (unless --force), `doctor --duplicates` names
the pairs. Two records are near-duplicates when they are of one type and both their titles and
their whole texts are this similar (the Jaccard index of their word sets)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

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


def words(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in _WORD.findall(text))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def duplicates(store: Store, rows: Sequence[Row]) -> Iterator[Duplicate]:
    """Pairs of active records of one type with near-identical titles and texts.

    Titles are compared first and only within a type, bucketed by their words (two titles
    this similar share most words), so the work stays near-linear in the number of records.
    """
    by_word: dict[tuple[str, str], list[int]] = {}
    titles = [words(row["title"]) for row in rows]
    for index, (row, title) in enumerate(zip(rows, titles, strict=True)):
        for word in title:
            by_word.setdefault((row["type"], word), []).append(index)
    seen: set[tuple[int, int]] = set()
    texts: dict[int, frozenset[str]] = {}
    for index, row in enumerate(rows):
        candidates = {
            other
            for word in titles[index]
            for other in by_word.get((row["type"], word), ())
            if other > index
        }
        for other in sorted(candidates):
            if (index, other) in seen:
                continue
            seen.add((index, other))
            if similarity(titles[index], titles[other]) < TITLE_SIMILARITY:
                continue
            text_a = texts.setdefault(index, _text_words(store, row))
            text_b = texts.setdefault(other, _text_words(store, rows[other]))
            score = similarity(text_a, text_b)
            if score >= TEXT_SIMILARITY:
                first, second = sorted((row, rows[other]), key=lambda r: (r["created"], r["id"]))
                yield Duplicate(first, second, score)


def near_duplicate(store: Store, memory: Memory) -> Row | None:
    """An active record of `memory`'s type whose title and text are near-identical to its."""
    title = words(memory.title)
    text: frozenset[str] | None = None
    for row in finder.records(store, Filter(types=[memory.type])):
        if row["id"] == memory.id or similarity(title, words(row["title"])) < TITLE_SIMILARITY:
            continue
        text = text or words(" ".join([memory.title, memory.summary or "", memory.body]))
        if similarity(text, _text_words(store, row)) >= TEXT_SIMILARITY:
            return row
    return None


def _text_words(store: Store, row: Row) -> frozenset[str]:
    memory = store.get(row["id"]).memory
    return words(" ".join([memory.title, memory.summary or "", memory.body]))
