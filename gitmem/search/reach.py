"""Which notes are on commits the project has: reachable from HEAD or the default branch.

A note on a commit of a feature branch that was never merged (or was deleted) is not the
project's memory: reads hide its records unless asked for everything (`--all`). Worked out
with two git calls (`git.unreachable`) and cached in the index directory, keyed by HEAD, the
default branch's tip and the notes tip, so a read that changed none of them costs one file read.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Iterable
from pathlib import Path

from gitmem.store import git
from gitmem.store.files import atomic_write

CACHE = "reach"


def unmerged(
    repo: git.RepoInfo,
    root: Path,
    notes_tip: str | None,
    noted: Iterable[str],
    tips: tuple[str | None, str | None] | None = None,
) -> set[str]:
    """The shas among `noted` (commits carrying notes at `notes_tip`) that neither HEAD nor
    the default branch reaches; cached under `root` (this worktree's index directory).
    `tips`: `git.project_tips`, when the caller knows them already."""
    if notes_tip is None:
        return set()
    head, default = git.project_tips(repo) if tips is None else tips
    key = [head, default, notes_tip]
    path = root / CACHE
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        cached = marshal.loads(path.read_bytes())
        if isinstance(cached, list) and len(cached) == 2 and cached[0] == key:
            return set(cached[1])
    found = git.unreachable(repo, noted, [tip for tip in (head, default) if tip])
    with contextlib.suppress(OSError):  # a read-only repository still answers
        root.mkdir(parents=True, exist_ok=True)
        atomic_write(path, marshal.dumps([key, sorted(found)]), durable=False)
    return found
