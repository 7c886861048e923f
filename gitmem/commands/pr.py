"""`git mem pr [BASE] [HEAD]`: what a reviewer should know about a branch, as Markdown."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import emit, safe, warn
from gitmem.review import markdown, review


def run(args: argparse.Namespace) -> int:
    store = open_store()
    result = review.build(
        store, args.base, args.head or "HEAD", limit=args.limit, remote=args.remote
    )
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    emit(args.json, result.to_json(), safe(markdown.render(result, args.link_base or "")), end="")
    return 0
