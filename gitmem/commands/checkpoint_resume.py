"""`git mem checkpoint resume`: write a checkpoint's files back (see gitmem/restore.py)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from gitmem.checkpoints import restore, restore_report
from gitmem.errors import UsageError
from gitmem.output import DIM, GREEN, RED, YELLOW, emit, plural, safe, style, warn
from gitmem.store import files, git

COLOURS = {
    "create": GREEN,
    "restore-deleted": GREEN,
    "overwrite": YELLOW,
    "missing": RED,
    "unchanged": DIM,
}


def _line(item: restore.Item, dry_run: bool) -> str:
    action = style(f"{item.action:<15}", COLOURS.get(item.action, DIM))
    check = {True: "  verified", False: "  FAILED verification", None: ""}[item.verified]
    note = safe(f"  ({item.note})") if item.note else ""
    return f"  {action} {safe(str(item.path))}{check if not dry_run else ''}{note}".rstrip()


def run(args: argparse.Namespace) -> int:
    if args.dry_run and args.report:
        raise UsageError("--report writes a file and --dry-run writes nothing: give one of them")
    repo = git.discover()
    chosen = restore.select(repo, args.name, args.timestamp, args.at)
    target = Path(args.target).absolute() if args.target else None
    plan = restore.plan(repo, chosen, target, force=args.force, dry_run=args.dry_run)
    stage = f" ({chosen.stage})" if chosen.stage else ""
    title = safe(f"checkpoint {chosen.name}@{chosen.timestamp}{stage} {chosen.commit[:12]}")
    if args.dry_run:
        emit(args.json, _json(plan, dry_run=True, verify=False), _planned(title, plan))
        if plan.refused and not args.json:
            verb = "holds" if len(plan.refused) == 1 else "hold"
            warn(
                f"without --force this would refuse: {', '.join(plan.refused)} "
                f"{verb} uncommitted work"
            )
        return 1 if plan.refused else 0  # the real run would refuse: say so in the code too
    verify = not args.no_verify
    done = restore.apply(repo, plan, verify=verify)
    if args.report:
        files.atomic_write(Path(args.report), restore_report.report(done, verify).encode())
    emit(args.json, _json(done, dry_run=False, verify=verify), _restored(title, done, verify))
    problems = restore.failed(done)
    for item in problems:
        warn(f"not restored: {item.path}: {item.note}")
    return 1 if problems else 0


def _planned(title: str, plan: restore.Plan) -> Iterator[str]:
    yield f"{title} -> {safe(str(plan.target))} (dry run: nothing written)"
    for item in plan.items:
        yield _line(item, dry_run=True)
    counts = ", ".join(
        f"{plan.count(action)} {action}"
        for action in (*restore.WRITES, "unchanged", "skipped", "missing")
        if plan.count(action)
    )
    writes = plan.count(*restore.WRITES)
    yield f"would write {plural(writes, 'file')} ({counts or 'nothing'})"


def _restored(title: str, done: restore.Plan, verify: bool) -> Iterator[str]:
    yield f"{title} -> {safe(str(done.target))}"
    for item in done.items:
        if item.action != "unchanged" or item.verified is False:
            yield _line(item, dry_run=False)
    verified = sum(1 for item in done.items if item.verified)
    written = done.count(*restore.WRITES)
    yield (
        f"restored {plural(written, 'file')}, "
        f"{done.count('unchanged')} unchanged, "
        + (f"{verified} verified" if verify else "not verified (--no-verify)")
    )


def _json(plan: restore.Plan, dry_run: bool, verify: bool) -> dict[str, object]:
    chosen = plan.checkpoint
    return {
        "name": chosen.name,
        "commit": chosen.commit,
        "timestamp": chosen.timestamp,
        "stage": chosen.stage,
        "target": str(plan.target),
        "dry_run": dry_run,
        "refused": plan.refused,
        "verify": verify,
        "counts": {
            action: plan.count(action)
            for action in (*restore.WRITES, "unchanged", "skipped", "missing")
        },
        "files": [item.to_json() for item in plan.items],
    }
