"""`git mem search QUERY`: ranked full-text search over every memory, and with --sessions or
--everything over the messages of session transcripts."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from gitmem.commands import open_store
from gitmem.commands.list import line, make_filter
from gitmem.errors import UsageError
from gitmem.output import (
    BOLD,
    CYAN,
    DIM,
    YELLOW,
    emit,
    notice,
    progress_bar,
    safe,
    style,
    use_color,
    warn,
)
from gitmem.search.engine import MARK_END, MARK_START

# The store, the finder and the index are imported where they are used, after `open_store`
# has asked git what changed: git stats the work tree meanwhile. `--server` needs none of them.
TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    import argparse

    from gitmem.records import finder, workspace
    from gitmem.search.messages import MessageHit
    from gitmem.sessions.search import Everything


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
    if args.server is not None:  # across published repositories (--sessions: messages)
        if args.everything or args.repos or args.workspace:
            raise UsageError("--server searches the database; leave out --everything, --repos "
                             "and --workspace")  # fmt: skip
        from gitmem.commands import server

        return server.search(args, text, highlighted)
    if (args.sessions or args.everything) and (args.repos or args.workspace):
        raise UsageError("--sessions and --everything search this repository only; leave out "
                         "--repos and --workspace")  # fmt: skip
    if args.sessions or args.everything:
        return _conversations(args, text)
    if args.repos or args.workspace:
        return _across_repositories(args, text)
    store = open_store(reading=True)
    from gitmem.records import finder

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
            # Quoted, then styled: the quotes of a styled text would show its escape codes.
            suggestion = style(repr(safe(found.suggestion)), BOLD, stream=sys.stderr)
            message += f"; did you mean {suggestion}?"
        warn(message, escape=False)
        return 1
    return 0


def _hits(found: finder.Found) -> Iterator[str]:
    for hit in found.hits:
        yield line(hit.row)
        if hit.snippet:
            yield "    " + highlighted(hit.snippet)


def message_line(hit: MessageHit) -> str:
    """Where a message is: session id, number, role, time; every part of it `safe`."""
    message = hit.message
    when = (message.time or "")[:16].replace("T", " ")
    role = style(f"{safe(message.role):<9}", CYAN)
    number = f"#{message.number}"
    return f"{style(safe(message.session), YELLOW)} {number:<6} {role} {style(safe(when), DIM)}"


def _message_hits(hits: list[MessageHit]) -> Iterator[str]:
    for hit in hits:
        yield message_line(hit).rstrip()
        if hit.snippet:
            yield "    " + highlighted(hit.snippet)


def _mixed_hits(found: Everything) -> Iterator[str]:
    for item in found.hits:
        if item.record is not None:
            yield f"{'record':<8}{line(item.record.row)}"
            snippet = item.record.snippet
        else:
            assert item.message is not None
            yield f"{'message':<8}{message_line(item.message)}".rstrip()
            snippet = item.message.snippet
        if snippet:
            yield "    " + highlighted(snippet)


def _conversations(args: argparse.Namespace, text: str) -> int:
    """--sessions (messages only) and --everything (records and messages in one list)."""
    from gitmem.search.query import FILTER_OPTIONS
    from gitmem.sessions import search as sessions_search

    given = [f"--{name}" for name in FILTER_OPTIONS if getattr(args, name)]
    if args.sessions and (given or args.all):
        which = ", ".join(given or ["--all"])
        raise UsageError(f"{which} filters records: not with --sessions (try --everything)")
    if args.ids:
        raise UsageError("--ids lists record ids: not with --sessions or --everything")
    store = open_store()
    newest = args.sort == "newest"
    with progress_bar("indexing session transcripts", "transcripts") as progress:
        if args.sessions:
            hits = sessions_search.search(
                store.repo,
                text,
                limit=args.limit,
                newest=newest,
                progress=progress,
                match=args.match,
            )
            emit(args.json, sessions_search.found_json(hits, text), _message_hits(hits))
            found = bool(hits)
        else:
            flt = make_filter(store, args)
            mixed = sessions_search.everything(
                store,
                flt,
                text,
                limit=args.limit,
                newest=newest,
                progress=progress,
                match=args.match,
            )
            emit(args.json, sessions_search.everything_json(mixed, text), _mixed_hits(mixed))
            found = bool(mixed.hits)
    if not found:
        what = "no messages" if args.sessions else "no memories or messages"
        warn(f"{what} match {text!r}")
        return 1
    return 0


def _across_repositories(args: argparse.Namespace, text: str) -> int:
    """`--repos PATH,...` / `--workspace`: one ranked list over several repositories."""
    if args.path or args.commit:
        raise UsageError(
            "--path and --commit name one repository's files and commits; leave them out "
            "when searching several repositories"
        )
    from gitmem.records import workspace
    from gitmem.store import compose

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
