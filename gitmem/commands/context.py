"""`git mem context`: a Markdown (or JSON) context pack for the start of a session."""

from __future__ import annotations

import argparse

from gitmem.assist import context
from gitmem.commands import open_store
from gitmem.output import print_json, warn
from gitmem.store import compose


def run(args: argparse.Namespace) -> int:
    context.check_budget(args.budget)
    store = open_store()
    paths = compose.repo_paths(store.repo, args.path)
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    pack = context.build(store, budget=args.budget, queries=args.query, paths=paths)
    if args.json or args.format == "json":
        print_json(pack.to_json())
    else:
        print(pack.markdown(), end="")
    return 0
