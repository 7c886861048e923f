"""`git mem assistant install NAME`: wire an assistant's own files to gitmem, diff first."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterator

from gitmem.assist import context, installers
from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import emit, safe


def run(args: argparse.Namespace) -> int:
    store = open_store()
    store.require_work_tree()
    root = store.repo.work_tree
    assert root is not None
    changes = installers.plan(
        args.name, root, lambda: safe(context.build(store, budget=args.budget).markdown())
    )
    document = {
        "assistant": args.name,
        "dry_run": args.dry_run,
        "changes": [{"path": c.path, "created": c.old is None} for c in changes],
    }
    if not changes:
        emit(args.json, document, f"{args.name} is already wired to gitmem; nothing to change")
        return 0
    if not args.json:
        for line in _diff(changes):
            print(line)
    if not args.dry_run and not args.yes and sys.stdin.isatty():
        answer = input(f"write {len(changes)} file(s)? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise UsageError("nothing written")
    if not args.dry_run:
        installers.apply(root, changes)
    verb = "would change" if args.dry_run else "changed"
    emit(args.json, document, f"{verb}: {', '.join(safe(c.path) for c in changes)}")
    return 0


def _diff(changes: list[installers.Change]) -> Iterator[str]:
    for change in changes:
        old = (change.old or "").splitlines()
        source = "/dev/null" if change.old is None else f"a/{change.path}"
        lines = difflib.unified_diff(
            old, change.new.splitlines(), source, f"b/{change.path}", lineterm=""
        )
        yield from (safe(line) for line in lines)
