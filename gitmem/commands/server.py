"""The `--server` forms of `search` and `report`: ask the PostgreSQL database `git mem publish`
fills, across every repository published there. Usable outside a repository (the URL then
comes from the option, GITMEM_DATABASE_URL or the user's config)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from gitmem.commands.list import database_filter, line
from gitmem.errors import GitMemError, UsageError
from gitmem.output import DIM, MAGENTA, deliver, emit, notice, safe, style, warn
from gitmem.search.query import parse_when

if TYPE_CHECKING:
    from gitmem.publish.ask import Hit, MessageHit


def _url(given: str | None) -> str:
    import os

    from gitmem.publish import connect

    if given or os.environ.get(connect.ENV):
        # No repository to look for: finding it (a git process) was a tenth of a search.
        return connect.resolve(given or None, None)
    from gitmem.store import git

    memory_dir: Path | None = None
    try:
        repo = git.discover()
        memory_dir = repo.work_tree / ".memory" if repo.work_tree else None
    except GitMemError:
        pass  # outside a repository: the URL comes from elsewhere
    return connect.resolve(given or None, memory_dir)


def search(args: argparse.Namespace, text: str, highlighted: Callable[[str], str]) -> int:
    """`highlighted`: search's snippet styling (passed in: search imports this module)."""
    from gitmem.publish import ask, connect, schema

    url = _url(args.server)
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until) if args.until else None
    with connect.reader(url) as conn:
        schema.require(conn, lambda: connect.where(url))  # urllib.parse only for a message
        if getattr(args, "sessions", False):
            found = ask.messages(
                conn, text, limit=args.limit, newest=args.sort == "newest", since=since, until=until
            )
            document = ask.messages_json(found, text)
            emit(args.json, document, _message_lines(found, args.ids, highlighted))
            return _none(found, text, "messages")
        flt = database_filter(args)
        hits = ask.records(conn, text, flt, limit=args.limit, newest=args.sort == "newest")
    document = ask.records_json(hits, text)
    emit(args.json, document, _record_lines(hits, args.ids, highlighted))
    return _none(hits, text, "memories")


def _none(found: list[Hit] | list[MessageHit], text: str, what: str) -> int:
    if found:
        return 0
    warn(f"no {what} match {text!r} in any published repository")
    return 1


def _record_lines(hits: list[Hit], ids: bool, highlighted: Callable[[str], str]) -> Iterator[str]:
    for hit in hits:
        if ids:
            yield f"{safe(hit.repository)} {safe(hit.row['id'])}"
            continue
        yield f"{line(hit.row)}  {style(safe(hit.repository), MAGENTA)}"
        if hit.snippet:
            yield "    " + highlighted(hit.snippet)


def _message_lines(
    found: list[MessageHit], ids: bool, highlighted: Callable[[str], str]
) -> Iterator[str]:
    for hit in found:
        if ids:
            yield f"{safe(hit.repository)} {safe(hit.session)} {hit.hash}"
            continue
        when = (hit.timestamp or "")[:19]
        repository = style(safe(hit.repository), MAGENTA)
        yield f"{style(safe(hit.session), DIM)} {safe(when)} {safe(hit.role):<9}  {repository}"
        yield "    " + highlighted(hit.snippet)


def report(args: argparse.Namespace, kind: str) -> int:
    from gitmem.publish import connect, reports, schema

    if kind not in reports.KINDS:
        raise UsageError(
            f"report {kind!r} has no --server form; across repositories: "
            + ", ".join(reports.KINDS)
        )
    if args.format == "html":
        raise UsageError("--server reports come as Markdown or JSON (--format markdown|json)")
    url = _url(args.server)
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until) if args.until else None
    with connect.connect(url) as conn:
        schema.require(conn, connect.where(url))
        document = reports.build(conn, kind, since, until)
    text = reports.render(document, args.format)
    if args.format != "json":
        text = safe(text)
    if deliver(text, args.output):
        notice(f"wrote {kind} report to {args.output}")
    return 0
