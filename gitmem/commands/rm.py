"""`git mem rm ID`: remove one memory (its file, or its part of a note)."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import print_json, warn
from gitmem.records import actions


def run(args: argparse.Namespace) -> int:
    deleted = actions.delete(open_store(), args.id)
    if args.json:
        print_json(deleted.to_json())
        return 0
    print(f"removed {deleted.id} ({deleted.title}) from {deleted.removed}")
    if deleted.referenced_by:
        warn(f"still referenced by {', '.join(deleted.referenced_by)} (links/supersedes)")
    return 0
