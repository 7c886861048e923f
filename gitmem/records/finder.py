"""Records by filter (`list`) and by query (`search`), read from the always-fresh index.

What a filter means lives in `query.Filter`; the search engine only narrows the candidates by
the fields it can match exactly (type, tag, source, project) before `Filter.matches` decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from gitmem import NamedTuple
from gitmem.errors import GitMemError, UsageError
from gitmem.records.store import Store
from gitmem.search import catalog as catalogs
from gitmem.search.catalog import Catalog
from gitmem.search.changes import Row
from gitmem.search.engine import MARK_END, MARK_START, Hit, Narrowing, Reader, words
from gitmem.search.query import Filter, filter_of, is_retired, note_commit
from gitmem.store.lazy import dataclasses  # without `inspect` (lazy.py)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
MATCHES = ("any", "all")  # how plain words of a query must match (`--match`)


class Found(NamedTuple):
    hits: list[Hit]
    suggestion: str | None  # a corrected query, when nothing matched
    # nothing matched, but hidden records would: "retired" (superseded, deprecated or
    # rejected) or "unmerged" (in notes on commits of no merged branch); else ""
    hidden: str


def local_filter(
    store: Store,
    given: Mapping[str, Sequence[str]],
    *,
    since: str | None,
    until: str | None,
    everything: bool,
    cwd: Path | None = None,
) -> Filter:
    """`query.filter_of` in this repository: revisions resolved to commits, paths relative to
    `cwd` (default: the process's, as git reads them) made relative to the work tree, and
    `--all` shows records on unmerged commits too."""
    from gitmem.store import git

    commits = [git.resolve_commit(store.repo, rev) for rev in given.get("commit", ())]
    paths: list[str] = []
    if given.get("path"):  # compose (and shlex) only for paths given
        from gitmem.store import compose

        paths = compose.repo_paths(store.repo, list(given["path"]), cwd)
    resolved = {**given, "path": paths, "commit": commits}
    return filter_of(resolved, since=since, until=until, everything=everything, unmerged=everything)


def _narrowing(flt: Filter) -> Narrowing:
    from gitmem.store.record import normalize_tag

    return Narrowing(flt.types, [normalize_tag(t) for t in flt.tags], flt.sources, flt.projects)


def with_index(store: Store, work: Callable[[Catalog, Reader], T]) -> T:
    """Run `work` on the fresh index; a damaged index is rebuilt and `work` run again."""
    catalog = store.catalog()
    for attempt in range(3):
        try:
            with catalog.open() as reader:
                return work(catalog, reader)
        except GitMemError:
            raise
        except Exception:
            if attempt == 2:
                raise
            # 1st: another process may have replaced the index; wait for it and look again.
            # 2nd: damaged in a way only reading shows (a truncated segment): rebuild it.
            catalog = store.catalog(wait=True, full=attempt == 1)
    raise AssertionError("unreachable")


def mark(row: Row, unmerged: set[str]) -> Row:
    """`row`, with `unmerged: true` when it lives in a note on a commit of no merged branch."""
    if unmerged and note_commit(row) in unmerged:
        row["unmerged"] = True
    return row


def records(store: Store, flt: Filter, limit: int | None = None) -> list[Row]:
    """The records `flt` accepts, newest first (those on unmerged commits marked).

    Read from the manifest, newest first, only as far as `limit` needs: no index opened."""
    found: list[Row] = []
    for row in newest(store, flt):
        found.append(row)
        if limit is not None and len(found) >= limit:
            break
    return found


def newest(store: Store, flt: Filter) -> Iterator[Row]:
    """`records`, read from the manifest as the caller consumes them (it stops when it has
    what it needs: a page of a timeline)."""
    catalog = store.catalog()
    superseded, unmerged = catalog.superseded, catalog.unmerged
    for row in catalog.newest(flt.types):
        if flt.matches(row, superseded, unmerged):
            yield mark(row, unmerged)


def superseding(store: Store, flt: Filter) -> Iterator[Row]:
    """The records `flt` accepts among those that supersede or are superseded (and those
    sharing a note with one that supersedes: `Catalog.superseding`), newest first, marked as
    `newest` marks them."""
    catalog = store.catalog()
    superseded, unmerged = catalog.superseded, catalog.unmerged
    for row in catalog.superseding():
        if flt.matches(row, superseded, unmerged):
            yield mark(row, unmerged)


def rows_by_id(store: Store, ids: Iterable[str]) -> dict[str, Row]:
    """The rows of the records `ids` name in full (those not here are left out), as `records`
    reads them, from the index: a few lookups, not a read of every row."""
    wanted = set(ids)
    catalog = store.catalog()
    locations = {row["location"] for i in wanted for row in catalog.find(i) if row["id"] == i}
    if not locations:
        return {}

    def work(catalog: Catalog, reader: Reader) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for doc in reader.located(locations):  # a note's location holds all its records
            row = reader.row(doc)
            if row["id"] in wanted:
                found[row["id"]] = mark(row, catalog.unmerged)
        return found

    return with_index(store, work)


def about_paths(
    store: Store, flt: Filter, limit: int, skip: str = "", budget: int | None = None
) -> tuple[list[Row], bool]:
    """Up to `limit` records `flt` (with `paths`) accepts but `skip`, newest first, and whether
    that is all of them: found through the index's paths, so the cost follows the records
    about those paths, not the repository's size (`records` reads every row until `limit`
    match). The index's candidates include everything under each folder above the paths (a
    record about `src/` concerns `src/db/`); `budget` caps the candidates read, newest first,
    and the answer then says it may not be complete."""

    def work(catalog: Catalog, reader: Reader) -> tuple[list[Row], bool]:
        superseded, unmerged = catalog.superseded, catalog.unmerged
        docs = reader.about(flt.paths)
        read = len(docs) if budget is None else min(len(docs), budget)
        found: list[Row] = []
        for doc in reader.newest(docs, read):
            row = reader.row(doc)
            if row["id"] != skip and flt.matches(row, superseded, unmerged):
                found.append(mark(row, unmerged))
                if len(found) >= limit:
                    return found, True
        return found, read == len(docs)

    return with_index(store, work)


def search(
    store: Store,
    flt: Filter,
    text: str,
    *,
    limit: int,
    newest: bool = False,
    snippets: bool = True,
    match: str = "any",
) -> Found:
    """The best `limit` records for the query `text` among those `flt` accepts: plain words
    ranked with any of them matching (`match` "any") or each required ("all")."""
    if not words(text):
        raise UsageError(f"nothing to search for in {text!r}: give at least one word")
    if match not in MATCHES:
        raise UsageError(f"--match must be one of {', '.join(MATCHES)}, not {match!r}")

    # The engine loads while git says which files changed (`Store.catalog` waits for that).
    catalogs.ENGINE.load()

    def work(catalog: Catalog, reader: Reader) -> Found:
        superseded, unmerged = catalog.superseded, catalog.unmerged

        def run(accept: Filter, limit: int, snippets: bool, text: str = text) -> list[Hit]:
            return reader.search(
                text,
                _narrowing(accept),
                lambda row: accept.matches(row, superseded, unmerged),
                limit=limit,
                newest=newest,
                retired=lambda row: is_retired(row, superseded),
                snippets=snippets,
                match=match,
            )

        hits = run(flt, limit, snippets)
        for hit in hits:
            mark(hit.row, unmerged)
        if hits:
            return Found(hits, None, "")
        hidden = ""
        if not (flt.include_retired and flt.include_unmerged):
            every = dataclasses.replace(flt, include_retired=True, include_unmerged=True)
            for hit in run(every, 1, False):
                hidden = "unmerged" if note_commit(hit.row) in unmerged else "retired"
        if hidden:
            return Found(hits, None, hidden)
        # "Did you mean" only when it helps: the corrected query finds something.
        suggestion = reader.suggest(text)
        if suggestion is not None and not run(flt, 1, False, suggestion):
            suggestion = None
        return Found(hits, suggestion, "")

    return with_index(store, work)


def public(row: Row) -> Row:
    """A row as --json shows it (without the note's blob id, an internal detail)."""
    return {key: value for key, value in row.items() if key != "blob"}


def found_json(found: Found, text: str) -> dict[str, Any]:
    """`git mem search --json`: the query, the hits with plain snippets, any suggestion."""
    hits = [
        {
            "score": round(hit.score, 4),
            "id": hit.row["id"],
            "type": hit.row["type"],
            "title": hit.row["title"],
            "location": hit.row["location"],
            "snippet": hit.snippet.replace(MARK_START, "").replace(MARK_END, ""),
            "matched": list(hit.matched),
            "record": public(hit.row),
        }
        for hit in found.hits
    ]
    return {"query": text, "count": len(hits), "hits": hits, "suggestion": found.suggestion}
