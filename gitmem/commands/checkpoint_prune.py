"""`git mem checkpoint prune`: apply a retention policy to checkpoint chains (gitmem/prune.py)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from gitmem.checkpoints import prune
from gitmem.output import DIM, GREEN, RED, emit, plural, safe, style, warn
from gitmem.store import git


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    policy = prune.Policy(args.keep_last, args.older_than, tuple(args.keep_stage))
    results = prune.prune(repo, policy, args.name, dry_run=args.dry_run)
    document = {"dry_run": args.dry_run, "chains": [r.to_json() for r in results]}
    emit(args.json, document, _verdicts(results, args.dry_run))
    if not results and not args.json:
        warn("no checkpoints to prune")
    return 0


def _verdicts(results: list[prune.ChainResult], dry_run: bool) -> Iterator[str]:
    for result in results:
        kept = len(result.verdicts) - result.dropped
        yield (
            f"{safe(result.name)}: {plural(len(result.verdicts), 'checkpoint')}, "
            f"keep {kept}, drop {result.dropped}"
        )
        for verdict in result.verdicts:
            item = verdict.checkpoint
            word = style("keep", GREEN) if verdict.kept else style("drop", RED)
            why = safe(", ".join(verdict.kept_by or verdict.dropped_because))
            when, stage = safe(item.timestamp), safe(item.stage or "-")
            yield f"  {word}  {item.commit[:12]}  {when}  {stage}  {style(why, DIM)}"
        yield safe(_outcome(result, dry_run))


def _outcome(result: prune.ChainResult, dry_run: bool) -> str:
    ref = result.ref
    if not result.dropped:
        return f"  {ref} unchanged"
    if dry_run:
        would = "be deleted" if result.emptied else "be rewritten"
        return f"  {ref} would {would} (dry run: nothing written)"
    # Dropped commits stay in the object store until git gc: say how to get them back.
    undo = f"undo until the next git gc: git update-ref {ref} {result.old_tip}"
    if result.emptied:
        return f"  {ref} deleted (was {result.old_tip[:12]}; {undo})"
    assert result.new_tip is not None
    return f"  {ref} {result.old_tip[:12]} -> {result.new_tip[:12]} ({undo})"
