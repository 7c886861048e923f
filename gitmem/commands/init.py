"""`git mem init`: set up `.memory/` and the git settings; idempotent."""

from __future__ import annotations

import argparse

from gitmem.capture import hooks
from gitmem.output import emit
from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.initialize import initialize


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    store = Store(repo)
    changes = initialize(repo, store.memory_dir, display=args.display_ref)
    if args.hooks:
        changes += [change.message for change in hooks.install(repo) if change.changed]
    bare = store.memory_dir is None
    lines = (
        ["no work tree: .memory/ not created (notes on refs/notes/mem still work)"] if bare else []
    )
    lines += changes or ["gitmem is already set up here; nothing changed"]
    emit(args.json, {"changed": changes, "bare": bare}, lines)
    return 0
