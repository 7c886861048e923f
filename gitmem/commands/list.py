"""`git mem list`: memories newest first, filtered."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import CYAN, DIM, YELLOW, emit, safe, style, warn

# The store, the catalog and what they load are imported where they are used, after
# `open_store` has asked git what changed: git stats the work tree meanwhile.
if TYPE_CHECKING:
    from gitmem.records.store import Store
    from gitmem.search.changes import Row
    from gitmem.search.query import Filter


def make_filter(store: Store, args: argparse.Namespace) -> Filter:
    """The filter the shared flags (--type, --tag, ... --all) describe."""
    from gitmem.store import compose, git

    commits = [git.resolve_commit(store.repo, rev) for rev in args.commit]
    paths = compose.repo_paths(store.repo, args.path)
    return filter_of(args, paths, commits, unmerged=args.all)


def filter_of(
    args: argparse.Namespace, paths: list[str], commits: list[str], *, unmerged: bool
) -> Filter:
    """The filter of the shared flags with `paths` and `commits` as the caller reads them
    (this repository's, or as given for a database of many)."""
    from gitmem.search.query import Filter, parse_when

    return Filter(
        types=args.type,
        tags=args.tag,
        statuses=args.status,
        authors=args.author,
        sources=args.source,
        projects=args.project,
        paths=paths,
        commits=commits,
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until) if args.until else None,
        include_retired=args.all,
        include_unmerged=unmerged,
    )


def short_location(location: str) -> str:
    return location[:12] if location.startswith("note:") else location


def line(row: Row) -> str:
    """One record as a line; every part of it that comes from the record is `safe`."""
    from gitmem.search.query import unmerged_mark

    tags = " " + style(safe("[" + ", ".join(row["tags"]) + "]"), DIM) if row.get("tags") else ""
    kind = style(f"{safe(row['type']):<10}", CYAN)
    where = style(safe(short_location(row["location"])), DIM)
    if row.get("unmerged"):  # not the project's memory: say where it lives
        where = style(safe(unmerged_mark(row).lstrip()), YELLOW)
    ident, created, title = safe(row["id"]), safe(row["created"][:10]), safe(row["title"])
    return f"{style(ident, YELLOW)} {created} {kind} {title}{tags}  {where}"


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = open_store(reading=True)
    from gitmem.records import finder

    catalog = store.catalog()
    for message in catalog.warnings:
        warn(f"skipped {message}")
    rows = finder.records(store, make_filter(store, args), args.limit)
    document = {"count": len(rows), "records": [finder.public(row) for row in rows]}
    emit(args.json, document, map(line, rows))
    if not rows and not args.json:
        warn("no memories match" if catalog.count else "no memories yet: try git mem save")
    return 0 if rows else 1
