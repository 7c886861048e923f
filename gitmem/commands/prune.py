"""`git mem prune`: retire stale memories (status: deprecated), never delete them."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.commands.list import line, make_filter
from gitmem.errors import UsageError
from gitmem.output import emit, plural, warn
from gitmem.records import prune
from gitmem.search.query import FILTER_OPTIONS, parse_when


def run(args: argparse.Namespace) -> int:
    # Without one of these, prune would retire every active memory.
    if not args.older_than and not any(getattr(args, name) for name in FILTER_OPTIONS):
        raise UsageError(
            "say which memories are stale: --older-than AGE and/or filters such as --type, "
            "--tag, --status (prune never retires everything at once)"
        )
    store = open_store()
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    older_than = parse_when(args.older_than) if args.older_than else None
    found = prune.stale(store, make_filter(store, args), older_than)
    if not args.dry_run:
        prune.retire(store, found)
    document = {
        "dry_run": args.dry_run,
        "status": prune.RETIRED_AS,
        "count": len(found),
        "records": [item.to_json() for item in found],
    }
    emit(args.json, document, _human(found, args.dry_run))
    return 0 if found else 1


def _human(found: list[prune.Stale], dry_run: bool) -> list[str]:
    if not found:
        return ["nothing to prune: no active memory matches"]
    count = plural(len(found), "record")
    head = f"would retire {count}" if dry_run else f"retired {count}"
    lines = [
        f"{head} (status: {prune.RETIRED_AS}; kept in history, hidden from search, "
        "lists and context packs):"
    ]
    lines += [f"  {line(item.row)}" for item in found]
    if not dry_run:
        lines.append(
            "undo: git mem edit ID --set status=STATUS with the status it had (active unless "
            "--json says otherwise); files are plain changes until committed (git restore .memory/)"
        )
    return lines
