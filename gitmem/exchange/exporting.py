"""`git mem export --format jsonl|markdown|adr DIR`: every record, written out for other tools
(or for `git mem import --format records|adr`, which reads them back adding nothing).

Files are written under DIR only (created if missing), atomically, and never over a file that
is there already with other content: an export into a folder holding other work refuses.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import NamedTuple

from gitmem.errors import UsageError
from gitmem.exchange import adr
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.store.files import atomic_write
from gitmem.store.front_matter import serialize_file
from gitmem.store.record import Memory

FORMATS = ("jsonl", "markdown", "adr")


class Exported(NamedTuple):
    files: list[str]  # relative to DIR, in the order written
    records: int


def memories(store: Store, flt: Filter) -> list[Memory]:
    """The records `flt` accepts, oldest first (ADR numbers follow time)."""
    rows = finder.records(store, flt)
    loaded = [store.load(row).memory for row in rows]
    return sorted(loaded, key=lambda m: (m.created, m.id))


def export(store: Store, flt: Filter, format: str, directory: Path) -> Exported:
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    if format == "adr":  # an ADR log keeps the superseded ones: the chain is the history
        flt = dataclasses.replace(flt, types=["decision"], include_retired=True)
    records = memories(store, flt)
    files = _files(records, format)
    for name, text in files.items():  # every clash before anything is written
        target = directory / name
        if target.exists() and target.read_bytes() != text.encode():
            raise UsageError(f"{target} exists with other content; export into an empty folder")
    for name, text in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text.encode())
    return Exported(list(files), len(records))


def _files(records: list[Memory], format: str) -> dict[str, str]:
    if format == "jsonl":
        lines = [json.dumps(m.to_json(), ensure_ascii=False, default=str) for m in records]
        return {"memories.jsonl": "".join(line + "\n" for line in lines)}
    if format == "markdown":
        return {f"{m.type}/{m.created[:10]}-{m.id}.md": serialize_file(m) for m in records}
    numbers = {m.id: n for n, m in enumerate(records, 1)}
    names = {m.id: f"{numbers[m.id]:04d}-{_slug(m.title)}.md" for m in records}
    out = {}
    for memory in records:
        replaced = [
            (numbers[old], next(m.title for m in records if m.id == old), names[old])
            for old in memory.supersedes
            if old in numbers
        ]
        out[names[memory.id]] = adr.render(
            numbers[memory.id], memory.title, memory.created[:10], memory.status, memory.body,
            memory.id, replaced,
        )  # fmt: skip
    return out


def _slug(title: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return "-".join(words)[:60].strip("-") or "decision"
