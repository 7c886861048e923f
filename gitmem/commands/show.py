"""`git mem show ID`: one memory, readable, raw, or as JSON."""

from __future__ import annotations

import sys

from gitmem.commands import open_store
from gitmem.output import BOLD, CYAN, DIM, YELLOW, emit, safe, style

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    import argparse

    # the store is loaded after git was asked what changed (open_store)
    from gitmem.store.record import Memory

DETAIL_FIELDS = (
    "author",
    "created",
    "updated",
    "summary",
    "project",
    "source",
    "tool",
    "session",
    "paths",
    "commits",
    "links",
    "supersedes",
)


def render(memory: Memory, location: str) -> str:
    """The memory for people; everything from the record is shown `safe`."""
    lines = [
        f"{style(safe(memory.id), YELLOW)} {style(safe(memory.type), CYAN)} {safe(memory.status)}",
        style(safe(memory.title), BOLD),
    ]
    fields = memory.fields()
    for key in (*DETAIL_FIELDS, "tags", "metadata", *memory.extra):
        if key in fields:
            value = fields[key]
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            elif isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            lines.append(style(f"{safe(key) + ':':<12}", DIM) + safe(f"{value}"))
    lines.append(style(f"{'location:':<12}", DIM) + safe(location))
    return "\n".join(lines) + "\n\n" + safe(memory.body.rstrip("\n")) + "\n"


def run(args: argparse.Namespace) -> int:
    store = open_store(reading=True)
    stored = store.get(args.id)
    if args.raw:
        # The exact bytes, whatever the locale: a note written by hand need not be UTF-8. On a
        # terminal they are shown `safe`: the record must not drive the terminal.
        text = safe(stored.text) if sys.stdout.isatty() else stored.text
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
        sys.stdout.buffer.flush()
    else:
        document = {**stored.memory.to_json(), "location": stored.location}
        emit(args.json, document, render(stored.memory, stored.location), end="")
    return 0
