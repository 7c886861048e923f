"""`git mem edit ID`: change a memory in the editor or with --set/--add-tag/--body."""

from __future__ import annotations

import argparse
import copy
import sys

from gitmem import compose, editing
from gitmem.commands import open_store
from gitmem.output import print_json
from gitmem.record import normalize_tag


def run(args: argparse.Namespace) -> int:
    store = open_store()
    stored = store.get(args.id)
    options = args.set or args.unset or args.add_tag or args.remove_tag or args.body is not None
    if options:
        memory = copy.deepcopy(stored.memory)
        for assignment in args.set:
            editing.set_field(memory, assignment)
        for key in args.unset:
            editing.unset_field(memory, key)
        # Only the tags named on the command line are normalised; the others stay as written.
        added = [tag for tag in compose.tags(args.add_tag) if tag not in memory.tags]
        removed = set(compose.tags(args.remove_tag))
        memory.tags = [tag for tag in [*memory.tags, *added] if normalize_tag(tag) not in removed]
        if args.body is not None:
            body = sys.stdin.read() if args.body == "-" else args.body
            memory.body = body.strip("\n") + "\n"
    else:
        memory = editing.edit_in_editor(store, stored)
    location = editing.finish(store, stored, memory)
    changed = memory != stored.memory
    if args.json:
        print_json({"id": memory.id, "changed": changed, "location": location})
    elif changed:
        print(f"updated {memory.id} in {location}")
    else:
        print(f"no changes to {memory.id}")
    return 0
