"""`git mem import FILE...`: conversations (Claude Code, JSONL, JSON) into session transcripts.

Exit codes: 0 when the run completed, even if malformed lines were skipped (each is named on
stderr as FILE:LINE and counted as `lines skipped`); 1 when the files held no message at all;
2 for a bad argument (a missing file, an unknown format), before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitmem.errors import GitMemError, UsageError
from gitmem.exchange import global_tree, importing
from gitmem.output import emit, plural, progress_bar, safe, warn
from gitmem.records.store import Store
from gitmem.sessions import importer
from gitmem.store import git

MAX_WARNINGS = 20  # per run on stderr; --json lists them all


def _records(args: argparse.Namespace) -> int:
    """ADR directories, folders of Markdown memory files, gitmem's own exports -> records."""
    store = Store(git.discover())
    plan = importing.plan(store, args.format, args.files)
    written = [] if args.dry_run else importing.write(store, plan)
    new, lines = _planned(plan, args)
    document = {
        "dry_run": args.dry_run,
        "records": len(plan.records),
        "new": len(new),
        "present": len(plan.records) - len(new),
        "written": written,
        "problems": plan.problems,
    }
    verb = "would import" if args.dry_run else "imported"
    lines.append(
        f"{verb} {plural(len(new), 'record')}; {len(plan.records) - len(new)} already here"
        + (f"; {plural(len(plan.problems), 'file')} skipped" if plan.problems else "")
    )
    emit(args.json, document, lines)
    return 0 if plan.records else 1


def _global_tree(args: argparse.Namespace) -> int:
    """A `~/.global/memory/<project>/` tree: records, conversations and checkpoints."""
    if len(args.files) != 1:
        raise UsageError("--format global takes one directory: ~/.global/memory/<project>/")
    store = Store(git.discover())
    found = global_tree.read(store, Path(args.files[0]))
    written = [] if args.dry_run else importing.write(store, found.plan)
    sessions = global_tree.write_sessions(store, found.sessions, args.dry_run)
    added, present, problems = global_tree.write_checkpoints(store, found.checkpoints, args.dry_run)
    problems = [*found.plan.problems, *sessions.problems, *problems]
    new, human = _planned(found.plan._replace(problems=problems), args)
    document = {
        "dry_run": args.dry_run,
        "records": {"new": len(new), "present": len(found.plan.records) - len(new),
                    "written": written},
        "sessions": {"sessions": len(sessions.sessions), "messages": sessions.added},
        "checkpoints": {"new": added, "present": present},
        "problems": problems,
    }  # fmt: skip
    verb = "would import" if args.dry_run else "imported"
    human.append(
        f"{verb} {plural(len(new), 'record')} ({len(found.plan.records) - len(new)} already "
        f"here), {plural(sessions.added, 'message')} in {plural(len(sessions.sessions), 'session')}"
        f", {plural(added, 'checkpoint')} ({present} already here)"
    )
    emit(args.json, document, human)
    return 0


def _planned(
    plan: importing.Plan, args: argparse.Namespace
) -> tuple[list[importing.Planned], list[str]]:
    """The records of `plan` not here yet, and a line for each; its problems said on stderr
    (`--json` lists them in the document instead)."""
    if not args.json:
        for problem in plan.problems[:MAX_WARNINGS]:
            warn(problem)
    new = [item for item in plan.records if not item.present]
    lines = [
        f"  {item.memory.id} {item.memory.type:<10} {safe(item.memory.title)}  "
        f"({safe(item.origin)})"
        for item in new
    ]
    return new, lines


def _from_hook(args: argparse.Namespace) -> int:
    """An assistant's session-end hook: its JSON on stdin names the transcript (Claude Code:
    `transcript_path`). Like the capture hooks it fails open: one line, exit 0, so that a
    problem here never gets in the assistant's way."""
    try:
        event = json.loads(sys.stdin.read(1_000_000) or "null")
        path = event.get("transcript_path") if isinstance(event, dict) else None
        if not isinstance(path, str) or not path:
            raise UsageError("the hook's input names no transcript_path")
        args.files, args.format = [path], "claude-code"
        run(argparse.Namespace(**{**vars(args), "from_hook": False}))
    except (GitMemError, ValueError) as error:
        warn(f"import --from-hook: {error}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.from_hook:
        return _from_hook(args)
    if not args.files:
        raise UsageError("name the files or directories to import (or --from-hook)")
    if args.format == "global":
        return _global_tree(args)
    if args.format in importing.FORMATS:
        return _records(args)
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
