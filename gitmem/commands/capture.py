"""`git mem capture [REV-RANGE]`: the capture rules over existing history (backfill)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from gitmem.capture import backfill
from gitmem.capture.rules import Rules, load_rules
from gitmem.output import CYAN, DIM, emit, plural, safe, style, warn
from gitmem.store import git


def _progress(total: int | None) -> Callable[[int], None]:
    def show(scanned: int) -> None:
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\rcapture: scanned {scanned}{of} commits")
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    rules = load_rules(repo)
    for warning in rules.warnings:
        warn(warning)
    revs = list(args.revs)
    if args.explain:
        return _explain(args, repo, rules, revs)
    on_terminal = sys.stderr.isatty() and not args.json
    progress = None
    if on_terminal:
        progress = _progress(
            backfill.count(repo, revs or ["HEAD"]) if revs or backfill.has_commits(repo) else 0
        )
    report = backfill.backfill(repo, rules, revs, dry_run=args.dry_run, progress=progress)
    if on_terminal:
        sys.stderr.write("\n")
    written = report.outcome.written if report.outcome else []
    records = [
        {"id": m.id, "type": m.type, "title": m.title, "commit": m.commits[0]} for m in written
    ]
    document = {
        "dry_run": args.dry_run,
        "scanned": report.scanned,
        "captured": report.captured,
        "present": report.present,
        "records": records,
    }
    redacted = report.outcome.redacted if report.outcome else []
    if redacted:  # only then: the document's shape stays as it was for scripts
        document["redacted"] = redacted
    if redacted and not args.json:
        verb = "would redact" if args.dry_run else "redacted"
        warn(
            f"{verb} {plural(len(redacted), 'secret')} found in commit messages "
            f"({'; '.join(redacted)}): the notes hold [REDACTED:<kind>]; the commits still "
            f"hold {'it' if len(redacted) == 1 else 'them'}"
        )
    emit(args.json, document, _captured(report, records, args.dry_run))
    return 0


def _captured(
    report: backfill.Report, records: list[dict[str, Any]], dry_run: bool
) -> Iterator[str]:
    verb = "would capture" if dry_run else "captured"
    for record in records:
        sha = style(safe(record["commit"][:12]), DIM)
        what = safe(f"{record['type']}: {record['title']}")
        yield f"{verb} {style(safe(record['id']), CYAN)} {sha} {what}"
    commits = len({r["commit"] for r in records})
    yield (
        f"scanned {report.scanned} commits: {verb} {report.captured} records on {commits} "
        f"commits, {report.present} already present"
    )


def _explain(args: argparse.Namespace, repo: git.RepoInfo, rules: Rules, revs: list[str]) -> int:
    rows = []
    for commit, found, reason in backfill.explain(repo, rules, revs):
        subject = commit.message.strip().split("\n", 1)[0]
        records = [{"type": c.type, "title": c.title, "issues": list(c.refs)} for c in found]
        rows.append({"commit": commit.sha, "subject": subject, "records": records, "rule": reason})
    emit(args.json, {"commits": rows}, _explained(rows))
    return 0


def _explained(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        sha = style(safe(row["commit"][:12]), DIM)
        yield f"{sha} {safe(row['subject'])}"
        for record in row["records"]:
            what = f"{record['type']}: {record['title']} ({row['rule']})"
            yield f"  captured {safe(what)}"
        if not row["records"]:
            yield f"  not captured: {safe(row['rule'])}"
