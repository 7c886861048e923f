"""`git mem supersede OLD NEW`: NEW replaces OLD."""

from __future__ import annotations

import argparse
import copy

from gitmem import editing
from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import print_json


def run(args: argparse.Namespace) -> int:
    store = open_store()
    old, new = store.get(args.old), store.get(args.new)
    if old.memory.id == new.memory.id:
        raise UsageError("a memory cannot supersede itself")
    if old.memory.id not in new.memory.supersedes:
        memory = copy.deepcopy(new.memory)
        memory.supersedes.append(old.memory.id)
        editing.finish(store, new, memory)
    editing.mark_superseded(store, old.memory.id)
    if args.json:
        print_json({"old": old.memory.id, "new": new.memory.id})
    else:
        print(f"{old.memory.id} ({old.memory.title}) is superseded by {new.memory.id}")
    return 0
