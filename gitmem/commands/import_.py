"""`git mem import FILE...`: conversations (Claude Code, JSONL, JSON) into session transcripts.

Exit codes: 0 when the run completed, even if malformed lines were skipped (each is named on
stderr as FILE:LINE and counted as `lines skipped`); 1 when the files held no message at all;
2 for a bad argument (a missing file, an unknown format), before anything is written.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from gitmem.output import emit, plural, progress_bar, safe, warn
from gitmem.records.store import Store
from gitmem.sessions import importer
from gitmem.store import git

MAX_WARNINGS = 20  # per run on stderr; --json lists them all


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    store = Store(repo)
    if args.summaries:
        store.require_work_tree()  # before anything is written
    paths = importer.expand(args.files)
    report = importer.Report()
    with progress_bar("importing") as progress:
        found = importer.parse(paths, args.format, report, progress)
    if found:
        importer.store(
            repo,
            found,
            report,
            label=args.label,
            dry_run=args.dry_run,
            summaries=args.summaries,
        )
    report.dry_run = args.dry_run
    summaries = (
        importer.write_summaries(store, report)
        if args.summaries and found and not args.dry_run
        else []
    )
    if not args.json:
        for problem in report.problems[:MAX_WARNINGS]:
            warn(problem)
        if len(report.problems) > MAX_WARNINGS:
            warn(f"... and {len(report.problems) - MAX_WARNINGS} more (--json lists them all)")
        if report.redacted:
            warn(
                f"redacted {plural(len(report.redacted), 'secret')} in the imported messages "
                f"({'; '.join(report.redacted[:MAX_WARNINGS])}"
                f"{'; ...' if len(report.redacted) > MAX_WARNINGS else ''}): the transcripts "
                "hold [REDACTED:<kind>]; the files imported still hold the secrets"
            )
    nothing = [f"nothing to import: no messages in {plural(report.files, 'file')}"]
    document: dict[str, Any] = report.to_json()
    if args.summaries:
        document["summaries"] = [written.to_json() for written in summaries]
    lines = [*_imported(report), *_summaries(summaries)] if found else nothing
    emit(args.json, document, map(safe, lines))
    return 0 if found else 1


def _summaries(summaries: list[importer.Summary]) -> Iterator[str]:
    for written in summaries:
        where = written.location or "already there"
        yield f"  {written.session}  summary {written.id}  {where}"


def _imported(report: importer.Report) -> Iterator[str]:
    verb = "would import" if report.dry_run else "imported"
    yield (
        f"{verb} {plural(len(report.sessions), 'session')} from {plural(report.files, 'file')}: "
        f"{plural(report.added, 'message')} added, "
        f"{plural(report.duplicates, 'duplicate')} skipped, "
        f"{plural(report.lines_skipped, 'line')} skipped"
    )
    for outcome in report.sessions:
        state = "new" if outcome.new else ("updated" if outcome.added else "unchanged")
        label = f"  {outcome.label}" if outcome.label else ""
        yield (
            f"  {outcome.id}  {outcome.format:<11}  {outcome.added:>6} added  "
            f"{outcome.duplicates:>6} duplicates  {state}{label}"
        )
