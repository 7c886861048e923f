"""Context packs: the project's memory for the start of an assistant's session, within a budget.

A pack is Markdown: a fixed header, then sections in order of value — active decisions, facts,
user preferences, procedures, the last session summaries, errors and patterns, then records of
the types declared in .memory/config.toml — and at the end the ids it left out. The budget is
in tokens, estimated without a tokenizer as ceil(characters / 4) of the whole Markdown text
(header and list of left-out ids included).

Each section has a share of the budget; what a section does not use passes to the next, and
what is left at the end goes back to the sections in order. So a repository with thousands of
decisions still shows its errors, and a small one gives its whole budget to what it has.

`queries` (full-text search) and `paths` (a recorded file, directory or glob concerning one of
them, as `git mem list --path`) move the matching records to the top of every section; without
them a section is newest first. The same repository state gives the same bytes: sort keys are
(focus, search score rounded, created, id) and nothing depends on the time of day.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from gitmem.assist.pack_sections import (
    PERSONAL,
    Candidate,
    Spec,
    focus_order,
    sections,
    with_personal,
)
from gitmem.assist.packing import CHARS_PER_TOKEN, EXCERPT_MIN_BUDGET, Pack, place, tokens
from gitmem.errors import UsageError
from gitmem.records.store import Store
from gitmem.search.catalog import Catalog
from gitmem.search.engine import EVERYTHING, Doc, Hit, Narrowing, Reader, Row, words
from gitmem.search.query import Filter, path_matches

__all__ = ["DEFAULT_BUDGET", "MIN_BUDGET", "Pack", "build", "check_budget", "tokens"]

DEFAULT_BUDGET = 2000
MIN_BUDGET = 40  # tokens: the header and "N more left out" always fit
# Hits per query that move up (the rest of a section follows by date): about as many as the
# whole pack can show, at least SEARCH_MIN.
SEARCH_MIN = 50
CHARS_PER_HIT = 80


def check_budget(budget: object) -> int:
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise UsageError(f"the budget must be a whole number of tokens, not {budget!r}")
    if budget < MIN_BUDGET:
        raise UsageError(f"the budget must be at least {MIN_BUDGET} tokens, not {budget}")
    return budget


def build(
    store: Store,
    *,
    budget: int = DEFAULT_BUDGET,
    queries: Sequence[str] = (),
    paths: Sequence[str] = (),
    unmerged: bool = False,
    personal: Store | None = None,
) -> Pack:
    """The context pack of `store` within `budget` tokens.

    `queries`: search texts (the `git mem search` syntax); `paths`: repository-relative files,
    directories or globs. Both move what matches them to the top of each section.
    `unmerged`: also records in notes on commits neither HEAD nor the default branch reaches.
    `personal`: the reader's personal memory, whose preferences get a section of their own
    (budgeted like the others; `queries` order it too).
    """
    from gitmem.records import finder

    budget = check_budget(budget)
    queries = [q for q in (q.strip() for q in queries) if q]
    paths = [p for p in (p.strip() for p in paths) if p]
    for text in queries:
        if not words(text):
            raise UsageError(f"nothing to search for in {text!r}: give at least one word")
    room = budget * CHARS_PER_TOKEN
    specs = sections(store.config.memory_types)

    def work(catalog: Catalog, reader: Reader) -> Pack:
        notes = [f"note:{sha}" for sha in catalog.unmerged]
        hidden: set[Doc] = set()
        if not unmerged:
            hidden = reader.located(notes)
        elif notes:  # shown: each says where it lives
            reader = cast("Reader", _Marking(reader, catalog.unmerged))
        candidates, totals = _gather(
            specs, reader, catalog.superseded, hidden, queries, paths, room
        )
        if personal is None:
            # Rows and bodies are read while placing, only for what is shown: inside the reader.
            return place(specs, candidates, totals, room, budget >= EXCERPT_MIN_BUDGET)

        def add_personal(own: Catalog, own_reader: Reader) -> Pack:
            mine, total = _gather((PERSONAL,), own_reader, own.superseded, set(), queries, [], room)
            at = all_specs.index(PERSONAL)
            candidates[at:at] = mine
            totals[at:at] = total
            return place(all_specs, candidates, totals, room, budget >= EXCERPT_MIN_BUDGET)

        return finder.with_index(personal, add_personal)

    all_specs = with_personal(specs)
    pack = finder.with_index(store, work)
    pack.budget, pack.queries, pack.paths = budget, queries, paths
    return pack


class _Marking:
    """A reader whose rows carry `unmerged: true` when on a commit of no merged branch."""

    def __init__(self, reader: Reader, unmerged: set[str]) -> None:
        self._reader = reader
        self._unmerged = unmerged

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def row(self, doc: Doc) -> Row:
        from gitmem.records.finder import mark

        return mark(self._reader.row(doc), self._unmerged)

    def search(self, *args: Any, **kwargs: Any) -> list[Hit]:
        from gitmem.records.finder import mark

        hits: list[Hit] = self._reader.search(*args, **kwargs)
        return [hit._replace(row=mark(hit.row, self._unmerged)) for hit in hits]


def _gather(
    specs: tuple[Spec, ...],
    reader: Reader,
    superseded: set[str],
    hidden: set[Doc],
    queries: list[str],
    paths: list[str],
    room: int,
) -> tuple[list[list[Candidate]], list[int]]:
    """Per section, its candidates in rank order, and how many current records it has
    (never those in `hidden`: records on commits of no merged branch).

    Only the rows of search hits and of records about `paths` are read here; the rest of a
    section is ordered by date, without reading rows.
    """
    cap = room // 16 + 1  # no section can show more entries than this
    wanted = max(SEARCH_MIN, room // CHARS_PER_HIT)
    hits = _hits(specs, reader, superseded, queries, wanted)
    hits = {doc: hit for doc, hit in hits.items() if doc not in hidden}
    about = reader.about(paths) if paths else set()  # once, not once per section
    per_section: list[list[Candidate]] = []
    totals: list[int] = []
    for spec in specs:
        # `current` holds only records of the section's types and sources that are not retired
        # (what `Filter(types, sources).matches` would check again on each row).
        current = reader.current(Narrowing(list(spec.types), [], list(spec.sources), []))
        if hidden:
            current = [doc for doc in current if doc not in hidden]
        limit = min(cap, spec.limit) if spec.limit else cap
        totals.append(min(len(current), spec.limit) if spec.limit else len(current))
        focused = [hits[doc] for doc in current if doc in hits]
        for doc in current:
            if doc in about and doc not in hits:
                candidate = Candidate(reader, doc, focus="path")
                recorded = candidate.row.get("paths", [])
                if any(path_matches(q, p) for q in paths for p in recorded):
                    focused.append(candidate)
        ranked = focus_order(focused)[:limit]
        seen = {candidate.doc for candidate in ranked}
        for doc in reader.newest(current, limit + len(seen)):
            if len(ranked) < limit and doc not in seen:
                ranked.append(Candidate(reader, doc))
        per_section.append(ranked)
    return per_section, totals


def _hits(
    specs: tuple[Spec, ...],
    reader: Reader,
    superseded: set[str],
    queries: list[str],
    limit: int,
) -> dict[Doc, Candidate]:
    """The search hits of every query, by document, with their best score (rounded, so
    that ranking does not hang on the last bits of a float)."""
    hits: dict[Doc, Candidate] = {}
    every_type = [t for spec in specs for t in spec.types]
    flt = Filter(types=every_type)
    # No narrowing by type in the query: an Or of seven types made Whoosh's search 4-5 times
    # slower (it scores the Or for every match), and nearly every record is of those types.
    for text in queries:
        found = reader.search(
            text, EVERYTHING, lambda row: flt.matches(row, superseded), limit=limit, snippets=False
        )
        for hit in found:
            score = round(hit.score, 3)
            if hit.doc not in hits or hits[hit.doc].score < score:
                hits[hit.doc] = Candidate(reader, hit.doc, hit.row, "query", score)
    return hits
