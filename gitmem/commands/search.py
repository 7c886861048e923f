"""`git mem search QUERY`: ranked full-text search over every memory."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from gitmem.commands import open_store
from gitmem.commands.list import line, make_filter
from gitmem.errors import UsageError
from gitmem.output import BOLD, YELLOW, emit, safe, style, use_color, warn
from gitmem.records import finder
from gitmem.search.engine import MARK_END, MARK_START


def highlighted(snippet: str) -> str:
    """The snippet with matched words in bold on a terminal, plain elsewhere.

    The record's text is shown `safe`; only the match markers become colour.
    """
    snippet = safe(snippet, keep=MARK_START + MARK_END)
    if not use_color(sys.stdout):
        return snippet.replace(MARK_START, "").replace(MARK_END, "")
    start = f"\033[{BOLD};{YELLOW}m"
    return snippet.replace(MARK_START, start).replace(MARK_END, "\033[0m")


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    text = " ".join(args.query)
    store = open_store()
    found = finder.search(
        store,
        make_filter(store, args),
        text,
        limit=args.limit,
        newest=args.sort == "newest",
        snippets=not args.ids,
        match=args.match,
    )
    hits = (safe(hit.row["id"]) for hit in found.hits) if args.ids else _hits(found)
    emit(args.json, finder.found_json(found, text), hits)
    if not found.hits:
        message = safe(f"no memories match {text!r}")
        if found.hidden == "retired":
            message += "; superseded, deprecated or rejected ones do: add --all"
        elif found.hidden == "unmerged":
            message += "; records on unmerged commits do: add --all"
        elif found.suggestion:
            suggestion = style(safe(found.suggestion), BOLD, stream=sys.stderr)
            message += f"; did you mean {suggestion!r}?"
        warn(message, escape=False)
        return 1
    return 0


def _hits(found: finder.Found) -> Iterator[str]:
    for hit in found.hits:
        yield line(hit.row)
        if hit.snippet:
            yield "    " + highlighted(hit.snippet)
