"""`git mem edit ID`: change a memory in the editor or with --set/--add-tag/--body."""

from __future__ import annotations

import argparse
import sys

from gitmem.commands import open_store
from gitmem.output import emit, safe, warn
from gitmem.records import actions, editing
from gitmem.store import secrets


def run(args: argparse.Namespace) -> int:
    store = open_store()
    changes = (args.set, args.set_unknown, args.unset, args.add_tag, args.remove_tag)
    options = any(changes) or args.body is not None or args.redact
    if options:
        body = sys.stdin.read() if args.body == "-" else args.body
        result = actions.update(
            store,
            args.id,
            assignments=args.set,
            unknown=args.set_unknown,
            unset=args.unset,
            add_tags=args.add_tag,
            remove_tags=args.remove_tag,
            body=body,
            redact=args.redact,
        )
    else:
        stored = store.get(args.id)
        memory = editing.edit_in_editor(store, stored)
        try:
            location = editing.finish(store, stored, memory)
        except secrets.SecretError as error:
            path = editing.edit_draft_path(store, memory.id)
            kept = f"your edit is in {path}"
            raise secrets.SecretError(error.what, error.findings, kept=kept) from None
        result = actions.Updated(memory.id, memory != stored.memory, location)
    if result.redacted and not args.json:
        warn(f"redacted {secrets.describe_listed(result.redacted)}")
    human = (
        f"updated {result.id} in {result.location}"
        if result.changed
        else f"no changes to {result.id}"
    )
    emit(args.json, result.to_json(), safe(human))
    return 0
