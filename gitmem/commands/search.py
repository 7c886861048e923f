"""`git mem search QUERY`: ranked full-text search over every memory."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from gitmem.commands import open_store
from gitmem.commands.list import line, make_filter
from gitmem.errors import UsageError
from gitmem.output import BOLD, CYAN, YELLOW, emit, notice, safe, style, use_color, warn
from gitmem.records import finder, workspace
from gitmem.search.engine import MARK_END, MARK_START
from gitmem.store import compose


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
    if args.repos or args.workspace:
        return _across_repositories(args, text)
    store = open_store()
    found = finder.search(
        store,
        make_filter(store, args),
        text,
        limit=args.limit,
        newest=args.sort == "newest",
        snippets=not args.ids,
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


def _across_repositories(args: argparse.Namespace, text: str) -> int:
    """`--repos PATH,...` / `--workspace`: one ranked list over several repositories."""
    if args.path or args.commit:
        raise UsageError(
            "--path and --commit name one repository's files and commits; leave them out "
            "when searching several repositories"
        )
    paths = compose.split_list(args.repos) if args.repos else workspace.configured()
    places = workspace.open_places(paths, notify=notice)
    hits = workspace.search(
        places,
        lambda store: make_filter(store, args),
        text,
        limit=args.limit,
        newest=args.sort == "newest",
        snippets=not args.ids,
    )
    if args.ids:
        human: Iterator[str] = (f"{safe(h.repository)}:{safe(h.hit.row['id'])}" for h in hits)
    else:
        human = _workspace_lines(hits)
    emit(args.json, workspace.to_json(text, hits), human)
    if not hits:
        names = ", ".join(place.name for place in places)
        warn(f"no memories match {text!r} in {names}")
        return 1
    return 0


def _workspace_lines(hits: list[workspace.WorkspaceHit]) -> Iterator[str]:
    for found in hits:
        yield f"{style(safe(found.repository), CYAN)}  {line(found.hit.row)}"
        if found.hit.snippet:
            yield "    " + highlighted(found.hit.snippet)
