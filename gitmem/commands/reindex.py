"""`git mem reindex`: bring the search index up to date now, or rebuild it (`--full`)."""

from __future__ import annotations

import argparse
import time

from gitmem.commands import open_store
from gitmem.output import emit, safe


def run(args: argparse.Namespace) -> int:
    store = open_store()
    started = time.perf_counter()
    catalog = store.catalog(wait=True, full=args.full)
    seconds = time.perf_counter() - started
    document = {
        "records": catalog.count,
        "full": args.full,
        "seconds": round(seconds, 3),
        "index": str(catalog.index_dir),
        "problems": [str(problem) for problem in catalog.warnings],
    }
    what = "rebuilt" if args.full else "up to date"
    emit(
        args.json,
        document,
        [
            f"index {what}: {catalog.count} records in {seconds:.2f} s ({catalog.index_dir})",
            *(safe(f"  skipped {problem}") for problem in catalog.warnings),
        ],
    )
    return 0
