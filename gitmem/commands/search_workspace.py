"""`git mem search --repos PATH... / --workspace`: one ranked list over several repositories."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from gitmem.commands.list import line, make_filter
from gitmem.errors import UsageError
from gitmem.output import CYAN, emit, notice, safe, style, warn
from gitmem.records import workspace
from gitmem.store import compose


def run(args: argparse.Namespace, text: str) -> int:
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
        human = _lines(hits)
    emit(args.json, workspace.to_json(text, hits), human)
    if not hits:
        names = ", ".join(place.name for place in places)
        warn(f"no memories match {text!r} in {names}")
        return 1
    return 0


def _lines(hits: list[workspace.WorkspaceHit]) -> Iterator[str]:
    from gitmem.commands.search import highlighted

    for found in hits:
        yield f"{style(safe(found.repository), CYAN)}  {line(found.hit.row)}"
        if found.hit.snippet:
            yield "    " + highlighted(found.hit.snippet)
