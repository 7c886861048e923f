"""`git mem rm ID`: remove one memory (its file, or its part of a note)."""

from __future__ import annotations

import argparse

from gitmem import finder
from gitmem.commands import open_store
from gitmem.output import print_json, warn
from gitmem.query import Filter


def run(args: argparse.Namespace) -> int:
    store = open_store()
    stored = store.get(args.id)
    store.delete(stored)
    record_id = stored.memory.id
    referrers = [
        row["id"]
        for row in finder.records(store, Filter(include_retired=True))
        if record_id in row.get("links", []) + row.get("supersedes", [])
    ]
    if args.json:
        print_json({"id": record_id, "removed": stored.location, "referenced_by": referrers})
        return 0
    print(f"removed {record_id} ({stored.memory.title}) from {stored.location}")
    if referrers:
        warn(f"still referenced by {', '.join(referrers)} (links/supersedes)")
    return 0
