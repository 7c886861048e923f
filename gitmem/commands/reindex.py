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
    document: dict[str, object] = {
        "records": catalog.count,
        "full": args.full,
        "seconds": round(seconds, 3),
        "index": str(catalog.index_dir),
        "problems": [str(problem) for problem in catalog.warnings],
    }
    what = "rebuilt" if args.full else "up to date"
    lines = [
        f"index {what}: {catalog.count} records in {seconds:.2f} s ({catalog.index_dir})",
        *(safe(f"  skipped {problem}") for problem in catalog.warnings),
    ]
    if args.sessions:
        from gitmem.output import plural, progress_bar
        from gitmem.sessions import search as sessions_search

        started = time.perf_counter()
        with progress_bar("indexing session transcripts", "transcripts") as progress:
            found = sessions_search.index(store.repo, full=args.full, wait=True, progress=progress)
        seconds = time.perf_counter() - started
        document["sessions"] = {
            "messages": found.count,
            "sessions": found.sessions,
            "transcripts_read": found.transcripts_read,
            "seconds": round(seconds, 3),
            "index": str(found.root),
        }
        lines.append(
            f"session index {what}: {plural(found.count, 'message')} of "
            f"{plural(found.sessions, 'session')} in {seconds:.2f} s ({found.root})"
        )
    emit(args.json, document, lines)
    return 0
