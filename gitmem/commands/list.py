"""`git mem list`: memories newest first, filtered."""

from __future__ import annotations

from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import CYAN, DIM, YELLOW, emit, safe, style, warn

# The store, the catalog and what they load are imported where they are used, after
# `open_store` has asked git what changed: git stats the work tree meanwhile.
TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    import argparse

    from gitmem.records.store import Store
    from gitmem.search.changes import Row
    from gitmem.search.query import Filter


def options(args: argparse.Namespace) -> dict[str, list[str]]:
    """The values of the repeatable filter flags (`--type` ... `--commit`), by option name."""
    from gitmem.search.query import LIST_OPTIONS

    return {name: getattr(args, name) for name in LIST_OPTIONS}


def make_filter(store: Store, args: argparse.Namespace) -> Filter:
    """The filter the shared flags (--type, --tag, ... --all) describe, in this repository."""
    from gitmem.records.finder import local_filter

    return local_filter(
        store, options(args), since=args.since, until=args.until, everything=args.all
    )


def database_filter(args: argparse.Namespace) -> Filter:
    """The filter of the shared flags with paths and commits as given: a database holds many
    repositories."""
    from gitmem.search.query import filter_of

    return filter_of(
        options(args), since=args.since, until=args.until, everything=args.all, unmerged=False
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
    import json  # noqa: F401 - the rows' decoder (`manifest.newest`), loaded while git runs

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
