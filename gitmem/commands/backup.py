"""`git mem backup create|verify|restore`: the whole memory in one git bundle, and back."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from gitmem.errors import GitMemError
from gitmem.output import emit, plural, safe
from gitmem.share import backup, hiddenrefs
from gitmem.store import git, integrate
from gitmem.store.notesmerge import Delta


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n:.1f} GiB"


def _counts(info: backup.BundleInfo) -> list[str]:
    heads = sorted(r for r in info.refs if r.startswith("refs/heads/"))
    names = [*(f"branch {r.removeprefix('refs/heads/')}" for r in heads)]
    names += sorted(r for r in info.refs if r not in heads)
    return [
        f"refs: {len(info.refs)} ({', '.join(names)})",
        f"records in notes: {info.records}",
        f"checkpoints: {info.checkpoints} ({plural(info.checkpoint_commits, 'snapshot')})",
    ]


def _create(args: argparse.Namespace) -> int:
    repo = git.discover()
    if args.file:
        path = Path(args.file)
    else:  # outside the work tree, so that `git add -A` never commits a backup
        path = backup.default_path(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
    info = backup.create(repo, path, args.branch)
    emit(
        args.json,
        info.to_json(),
        map(
            safe,
            [
                f"wrote {info.path} ({_size(info.size)}), checked",
                *_counts(info),
                f"restore with: git mem backup restore {info.path}",
            ],
        ),
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    try:
        repo: git.RepoInfo | None = git.discover()
    except GitMemError:
        repo = None  # a bundle of complete histories can be checked anywhere
    info = backup.verify(repo, Path(args.file))
    emit(
        args.json,
        info.to_json(),
        map(safe, [f"{info.path} is a complete bundle ({_size(info.size)})", *_counts(info)]),
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    repo = git.discover()
    result = backup.restore(
        repo, Path(args.file), dry_run=args.dry_run, branch=args.branch, patterns=args.refs
    )
    emit(args.json, result.to_json(), map(safe, _restored(repo, result)))
    return 0


def _restored(repo: git.RepoInfo, result: backup.RestoreResult) -> Iterator[str]:
    if result.dry_run:
        yield f"dry run, nothing written: restoring {result.bundle.path} would do this"
    else:
        yield f"restored from {result.bundle.path}"
    if result.notes == "merged":
        change = Delta(result.notes_added, result.notes_removed, result.notes_updated)
        yield f"notes: merged: {integrate.describe(change, result.conflicts)}"
    elif result.notes == "absent":
        yield "notes: none in the backup"
    else:
        yield f"notes: {result.notes}"
    for conflict in result.conflicts:
        yield integrate.conflict_line(conflict)
    for adoption in result.refs:
        yield hiddenrefs.describe(adoption, "the backup")
        if adoption.outcome == hiddenrefs.CREATED and adoption.ref in hiddenrefs.checked_out(repo):
            yield (
                "  (it is HEAD's branch, which had no commits: `git checkout HEAD -- .` "
                "checks its files out)"
            )
    for ref in result.ignored:
        if ref.startswith("refs/heads/"):
            why = (
                f"not the branch holding .memory/ ({result.branch.removeprefix('refs/heads/')})"
                if result.branch
                else "HEAD is detached, so no branch is restored (--branch BRANCH names one)"
            )
        else:
            why = "not memory"
        yield f"{ref}: {why}, left out (`--refs {ref}` restores it)"


def run(args: argparse.Namespace) -> int:
    action = {"create": _create, "verify": _verify, "restore": _restore}[args.action]
    return action(args)
