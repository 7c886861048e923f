"""`git mem checkpoint save | list | show | diff`: save points for work in progress."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from gitmem.checkpoints import checkpoint
from gitmem.checkpoints.diff import compare, diff_text
from gitmem.errors import UsageError
from gitmem.output import BOLD, DIM, YELLOW, emit, plural, safe, style, warn
from gitmem.store import git


def _metadata(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UsageError(f"--metadata is not valid JSON ({error}); give a JSON object") from None
    if not isinstance(value, dict):
        kind = type(value).__name__ if value is not None else "null"
        raise UsageError(f"--metadata must be a JSON object such as '{{\"k\": 1}}', not a {kind}")
    return value


def _save(args: argparse.Namespace) -> int:
    repo = git.discover()
    saved = checkpoint.save(
        repo,
        checkpoint.validate_name(args.name),
        stage=args.stage,
        notes=args.notes,
        files=args.files,
        context=args.context,
        metadata=_metadata(args.metadata),
        done=args.done,
        todo=args.todo,
    )
    emit(args.json, saved.to_json(), safe(f"saved {checkpoint.summary(saved, files=False)}"))
    return 0


def _row(spec: str, item: checkpoint.Checkpoint) -> dict[str, Any]:
    return {
        "spec": spec,
        "commit": item.commit,
        "timestamp": item.timestamp,
        "stage": item.stage,
        "notes": item.notes,
        "files": item.totals["files"],
        "bytes": item.totals["bytes"],
        "words": item.totals["words"],
    }


def _newest(chain: list[checkpoint.Checkpoint]) -> datetime:
    """When a chain was last saved (timestamps of any precision compare as times)."""
    when = checkpoint.parse_time(chain[0].timestamp) if chain else None
    return when or datetime.min.replace(tzinfo=UTC)


def _list(args: argparse.Namespace) -> int:
    repo = git.discover()
    wanted = [checkpoint.validate_name(args.name)] if args.name else checkpoint.names(repo)
    groups = [(name, checkpoint.chain(repo, name)) for name in wanted]
    groups.sort(key=lambda group: _newest(group[1]), reverse=True)
    document = {
        "count": sum(len(chain) for _, chain in groups),
        "names": [
            {
                "name": name,
                "ref": checkpoint.REF_PREFIX + name,
                "checkpoints": [_row(f"{name}~{i}", c) for i, c in enumerate(chain)],
            }
            for name, chain in groups
        ],
    }
    emit(args.json, document, _listing(groups))
    if not groups and not args.json:
        warn("no checkpoints yet: try git mem checkpoint save --name NAME")
    return 0 if groups else 1


def _listing(groups: list[tuple[str, list[checkpoint.Checkpoint]]]) -> Iterator[str]:
    for name, chain in groups:
        yield f"{style(safe(name), BOLD)}  {plural(len(chain), 'checkpoint')}"
        rows = [_row(f"{name}~{i}", c) for i, c in enumerate(chain)]
        spec_width = max(len(row["spec"]) for row in rows)
        stage_width = max(len(row["stage"] or "-") for row in rows)
        for row in rows:
            notes = safe((row["notes"] or "").split("\n", 1)[0])
            size = checkpoint.human_size(row["bytes"])
            files = plural(row["files"], "file")
            line = (
                f"  {style(safe(row['spec'].ljust(spec_width)), YELLOW)}  "
                f"{safe(row['timestamp'])}  "
                f"{safe((row['stage'] or '-').ljust(stage_width))}  {files:>9}  {size:>9}"
            )
            yield f"{line}  {style(notes, DIM)}".rstrip()


def _show(args: argparse.Namespace) -> int:
    found = checkpoint.resolve(git.discover(), args.spec)
    emit(args.json, found.to_json(), safe(checkpoint.summary(found)))
    return 0


def _diff(args: argparse.Namespace) -> int:
    repo = git.discover()
    old = checkpoint.resolve(repo, args.old)
    new = checkpoint.resolve(repo, args.new)
    changes, unchanged = compare(old, new)
    document = {
        "from": _side(args.old, old),
        "to": _side(args.new, new),
        "changes": [change.to_json() for change in changes],
        "unchanged": unchanged,
        "words_delta": new.totals["words"] - old.totals["words"],
    }
    emit(args.json, document, diff_text(old, new, changes, unchanged))
    return 0


def _side(spec: str, item: checkpoint.Checkpoint) -> dict[str, Any]:
    return {"spec": spec, "name": item.name, "commit": item.commit, "timestamp": item.timestamp}


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "save": _save,
    "list": _list,
    "show": _show,
    "diff": _diff,
}


def _delegate(module: str) -> Callable[[argparse.Namespace], int]:
    """resume and prune live in their own modules (imported only when run)."""

    def run_action(args: argparse.Namespace) -> int:
        import importlib

        code: int = importlib.import_module(f"gitmem.commands.{module}").run(args)
        return code

    return run_action


ACTIONS |= {"resume": _delegate("checkpoint_resume"), "prune": _delegate("checkpoint_prune")}


def run(args: argparse.Namespace) -> int:
    return ACTIONS[args.action](args)
