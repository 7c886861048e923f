"""`git mem rm ID`: remove one memory (its file, or its part of a note)."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import emit, warn
from gitmem.records import actions


def run(args: argparse.Namespace) -> int:
    deleted = actions.delete(open_store(), args.id)
    emit(
        args.json,
        deleted.to_json(),
        f"removed {deleted.id} ({deleted.title}) from {deleted.removed}",
    )
    if deleted.referenced_by and not args.json:
        warn(f"still referenced by {', '.join(deleted.referenced_by)} (links/supersedes)")
    return 0
