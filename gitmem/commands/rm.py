"""`git mem rm ID`: remove one memory (its file, or its part of a note)."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import emit, safe, warn
from gitmem.records import actions


def run(args: argparse.Namespace) -> int:
    deleted = actions.delete(open_store(), args.id, force=args.force, clean_links=args.clean_links)
    lines = [f"removed {deleted.id} ({deleted.title}) from {deleted.removed}"]
    lines += [f"removed the reference to it from {other}" for other in deleted.cleaned]
    emit(args.json, deleted.to_json(), map(safe, lines))
    if deleted.referenced_by and not args.json:
        warn(
            f"still referenced by {', '.join(deleted.referenced_by)} (links/supersedes): "
            "`git mem doctor` will report it; edit those records, or use rm --clean-links"
        )
    return 0
