"""The sections of a context pack (which types go in each, in order of value, and each one's
share of the budget) and the records that may fill them (`Candidate`, read lazily from the
index, and the order the focused ones take). `packing` lays them out within the budget."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Protocol

from gitmem.search.engine import Doc, Row
from gitmem.search.query import created_at
from gitmem.store.types import OTHER_SECTION, MemoryType

LAST_SESSIONS = 3


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    heading: str
    types: tuple[str, ...]
    share: float  # of the entries' budget, before what earlier sections left
    sources: tuple[str, ...] = ()
    limit: int | None = None  # at most this many records are considered


# The sections of a pack, in order of value. Which types go in each is the type registry's
# (store/types.py, MemoryType.section); a section no type goes in is left out.
_LAYOUT = (
    Spec("decisions", "Decisions", (), 0.30),
    Spec("facts", "Facts", (), 0.15),
    Spec("preferences", "Preferences", (), 0.10),
    Spec("procedures", "Procedures", (), 0.10),
    Spec("sessions", "Recent sessions", (), 0.10, ("session",), LAST_SESSIONS),
    Spec("errors", "Errors and patterns", (), 0.25),
    # Types declared in .memory/config.toml share one section, last, with no share of its own:
    # it gets what the built-in sections leave, so a custom type never crowds them out, and a
    # pack of a repository without custom types is laid out exactly as before they existed.
    Spec(OTHER_SECTION, "Other", (), 0.0),
)


# Preferences from the reader's personal memory (`--global`), right after the project's own.
PERSONAL = Spec(
    "personal", "Your preferences (personal memory: git mem show -g ID)", ("user",), 0.05
)


def with_personal(specs: tuple[Spec, ...]) -> tuple[Spec, ...]:
    """`specs` with the personal section after the project's preferences (or the facts)."""
    names = [spec.name for spec in specs]
    after = next((names.index(n) + 1 for n in ("preferences", "facts") if n in names), 0)
    return (*specs[:after], PERSONAL, *specs[after:])


def sections(memory_types: Iterable[MemoryType]) -> tuple[Spec, ...]:
    """The sections of a pack of records of these types (`Config.memory_types`), in order."""
    known = list(memory_types)
    specs = (
        dataclasses.replace(spec, types=tuple(t.name for t in known if t.section == spec.name))
        for spec in _LAYOUT
    )
    return tuple(spec for spec in specs if spec.types)


class Source(Protocol):
    """Where a candidate's row and body come from (an `engine.Reader` while the index is open)."""

    def row(self, doc: Doc) -> Row: ...

    def body(self, doc: Doc) -> str: ...


class Candidate:
    """A record that may go into a section; its row and body are read when first needed."""

    def __init__(
        self,
        source: Source,
        doc: Doc,
        row: Row | None = None,
        focus: str | None = None,
        score: float = 0.0,
    ) -> None:
        self.source = source
        self.doc = doc
        self.focus = focus  # "query" or "path": why it moved up
        self.score = score
        self._row = row
        self._body: str | None = None

    @property
    def row(self) -> Row:
        if self._row is None:
            self._row = self.source.row(self.doc)
        return self._row

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = self.source.body(self.doc)
        return self._body


def focus_order(candidates: list[Candidate]) -> list[Candidate]:
    """Search hits by score, then path matches; ties newest first, then by id (descending, as
    the rest of a section)."""
    ordered = sorted(
        candidates, key=lambda c: (created_at(c.row).timestamp(), c.row["id"]), reverse=True
    )
    return sorted(ordered, key=lambda c: (c.focus != "query", -c.score))
