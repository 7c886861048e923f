"""`git mem context`: a Markdown (or JSON) context pack for the start of a session."""

from __future__ import annotations

import argparse
from pathlib import Path

from gitmem.assist import context, context_file
from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import emit, safe, warn
from gitmem.records.store import Store
from gitmem.store import compose, personal


def run(args: argparse.Namespace) -> int:
    context.check_budget(args.budget)
    store = open_store()
    paths = compose.repo_paths(store.repo, args.path)
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    pack = context.build(
        store,
        budget=args.budget,
        queries=args.query,
        paths=paths,
        unmerged=args.all,
        personal=None if args.personal or args.no_personal else _personal_store(),
    )
    if args.write:
        return _write(store.repo.work_tree, args, safe(pack.markdown()))
    emit(args.json or args.format == "json", pack.to_json(), safe(pack.markdown()), end="")
    return 0


def _personal_store() -> Store | None:
    """The reader's personal memory, when there is one (`--global` writes start it)."""
    if not (personal.home() / ".git").exists():
        return None
    return Store(personal.open_repo(create=False))


def _write(work_tree: Path | None, args: argparse.Namespace, markdown: str) -> int:
    if work_tree is None:
        raise UsageError("--write needs a work tree (this is a bare repository)")
    if args.format == "json":
        raise UsageError("--write writes the Markdown pack; leave out --format json")
    path = context_file.target(work_tree, args.write, Path.cwd())
    written = context_file.update(path, markdown, shown_as=args.write)
    what = "created" if written.created else "updated" if written.changed else "up to date:"
    emit(
        args.json,
        {"path": args.write, "created": written.created, "changed": written.changed},
        f"{what} {safe(args.write)} (the section between the gitmem context markers)",
    )
    return 0
