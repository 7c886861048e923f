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
from typing import TYPE_CHECKING

from gitmem.assist.packing import (
    CHARS_PER_TOKEN,
    EXCERPT_MIN_BUDGET,
    Candidate,
    Pack,
    Spec,
    focus_order,
    place,
    sections,
    tokens,
)
from gitmem.errors import UsageError
from gitmem.records.store import Store
from gitmem.search.query import Filter, path_matches

if TYPE_CHECKING:
    from whoosh.index import FileIndex
    from whoosh.searching import Searcher

    from gitmem.search.index import Records

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
) -> Pack:
    """The context pack of `store` within `budget` tokens.

    `queries`: search texts (the `git mem search` syntax); `paths`: repository-relative files,
    directories or globs. Both move what matches them to the top of each section.
    """
    import json

    from gitmem.records import finder
    from gitmem.search import index
    from gitmem.search.catalog import Catalog

    budget = check_budget(budget)
    queries = [q for q in (q.strip() for q in queries) if q]
    paths = [p for p in (p.strip() for p in paths) if p]
    for text in queries:
        if not index.words(text):
            raise UsageError(f"nothing to search for in {text!r}: give at least one word")
    room = budget * CHARS_PER_TOKEN

    specs = sections(store.config.memory_types)

    def work(catalog: Catalog, ix: FileIndex, searcher: Searcher) -> Pack:
        records = index.Records(searcher, json.loads)
        candidates, totals = _gather(
            specs, ix, searcher, records, catalog.superseded, queries, paths, room
        )
        # Rows and bodies are read while placing, only for what is shown: inside the searcher.
        return place(specs, candidates, totals, room, budget >= EXCERPT_MIN_BUDGET)

    pack = finder.with_index(store, work)
    pack.budget, pack.queries, pack.paths = budget, queries, paths
    return pack


def _gather(
    specs: tuple[Spec, ...],
    ix: FileIndex,
    searcher: Searcher,
    records: Records,
    superseded: set[str],
    queries: list[str],
    paths: list[str],
    room: int,
) -> tuple[list[list[Candidate]], list[int]]:
    """Per section, its candidates in rank order, and how many current records it has.

    Only the rows of search hits and of records about `paths` are read here; the rest of a
    section is ordered by the index's `created` column.
    """
    from gitmem.search import index

    cap = room // 16 + 1  # no section can show more entries than this
    wanted = max(SEARCH_MIN, room // CHARS_PER_HIT)
    hits = _hits(specs, ix, searcher, records, superseded, queries, wanted)
    about = records.about(paths) if paths else set()  # once, not once per section
    per_section: list[list[Candidate]] = []
    totals: list[int] = []
    for spec in specs:
        # `current` holds only records of the section's types and sources that are not retired
        # (what `Filter(types, sources).matches` would check again on each row).
        narrow = index.Narrowing(list(spec.types), [], list(spec.sources), [])
        current = records.current(narrow, superseded)
        limit = min(cap, spec.limit) if spec.limit else cap
        totals.append(min(len(current), spec.limit) if spec.limit else len(current))
        focused = [hits[d] for d in current if d in hits]
        for docnum in current:
            if docnum in about and docnum not in hits:
                candidate = Candidate(records, docnum, focus="path")
                recorded = candidate.row.get("paths", [])
                if any(path_matches(q, p) for q in paths for p in recorded):
                    focused.append(candidate)
        ranked = focus_order(focused)[:limit]
        seen = {candidate.docnum for candidate in ranked}
        for docnum in records.newest(current, limit + len(seen)):
            if len(ranked) < limit and docnum not in seen:
                ranked.append(Candidate(records, docnum))
        per_section.append(ranked)
    return per_section, totals


def _hits(
    specs: tuple[Spec, ...],
    ix: FileIndex,
    searcher: Searcher,
    records: Records,
    superseded: set[str],
    queries: list[str],
    limit: int,
) -> dict[int, Candidate]:
    """The search hits of every query, by document, with their best score (rounded, so
    that ranking does not hang on the last bits of a float)."""
    import json

    from gitmem.search import index

    hits: dict[int, Candidate] = {}
    every_type = [t for spec in specs for t in spec.types]
    flt = Filter(types=every_type)
    # No narrowing by type in the query: an Or of seven types made Whoosh's search 4-5 times
    # slower (it scores the Or for every match), and nearly every record is of those types.
    narrow = index.Narrowing([], [], [], [])
    for text in queries:
        parsed = index.effective_status(index.parse(ix, text), superseded)
        found = index.search(
            searcher,
            parsed,
            narrow,
            lambda row: flt.matches(row, superseded),
            json.loads,
            limit=limit,
            snippets=False,
        )
        for hit in found:
            docnum = hit.docnum
            score = round(hit.score, 3)
            if docnum not in hits or hits[docnum].score < score:
                hits[docnum] = Candidate(records, docnum, hit.row, "query", score)
    return hits
