"""`git mem context`: a Markdown (or JSON) context pack for the start of a session."""

from __future__ import annotations

import argparse

from gitmem.assist import context
from gitmem.commands import open_store
from gitmem.output import emit, safe, warn
from gitmem.store import compose


def run(args: argparse.Namespace) -> int:
    context.check_budget(args.budget)
    store = open_store()
    paths = compose.repo_paths(store.repo, args.path)
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    pack = context.build(
        store, budget=args.budget, queries=args.query, paths=paths, unmerged=args.all
    )
    emit(args.json or args.format == "json", pack.to_json(), safe(pack.markdown()), end="")
    return 0
