"""`git mem report KIND`: deploys (DORA), decisions, activity, errors, timeline."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.errors import UsageError
from gitmem.output import deliver, notice, safe, warn
from gitmem.reports.data import Window
from gitmem.reports.report import KINDS, build, render
from gitmem.search.query import parse_when


def run(args: argparse.Namespace) -> int:
    if args.server is not None:
        from gitmem.commands import server

        kind = args.kind
        if kind is None and args.server and "://" not in args.server:  # `--server KIND`
            kind, args.server = args.server, ""
        if kind is None:
            raise UsageError("which report? give a KIND (see git mem report -h)")
        return server.report(args, kind)
    if args.kind is None or args.kind not in KINDS:
        what = f"report {args.kind!r} needs --server" if args.kind else "which report? give a KIND"
        raise UsageError(f"{what} (see git mem report -h)")
    window = Window(
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until) if args.until else None,
    )
    store = open_store()
    for message in store.catalog().warnings:
        warn(f"skipped {message}")
    text = render(build(store, args.kind, window, args.env, unmerged=args.all), args.format)
    if args.format != "json":  # JSON keeps exact strings (and escapes control characters itself)
        text = safe(text)
    if deliver(text, args.output):
        notice(f"wrote {args.kind} report to {args.output}")
    return 0
