"""`git mem export --format jsonl|markdown|adr DIR`: every memory, written out."""

from __future__ import annotations

import argparse
from pathlib import Path

from gitmem.commands import open_store
from gitmem.commands.list import make_filter
from gitmem.exchange import exporting
from gitmem.output import emit, plural, safe


def run(args: argparse.Namespace) -> int:
    store = open_store()
    directory = Path(args.directory)
    done = exporting.export(store, make_filter(store, args), args.format, directory)
    document = {"format": args.format, "directory": str(directory), "records": done.records,
                "files": done.files}  # fmt: skip
    human = f"wrote {plural(done.records, 'record')} to {safe(str(directory))} ({args.format})"
    emit(args.json, document, human)
    return 0 if done.records else 1
