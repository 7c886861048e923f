"""Which notes are on commits the project has: reachable from HEAD or the default branch.

A note on a commit of a feature branch that was never merged (or was deleted) is not the
project's memory: reads hide its records unless asked for everything (`--all`). Worked out
with two git calls (`git.unreachable`) and cached in the index directory, keyed by HEAD, the
default branch's tip and the notes tip, so a read that changed none of them costs one file read.
Those tips (`git.project_tips`, a git process) are cached there too, with the bytes of the ref
files git reads them from (`tips_key`): a read whose ref files are unchanged runs no git.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Iterable
from pathlib import Path

from gitmem.store import git
from gitmem.store.files import atomic_write

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


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
    path = root / CACHE
    cached: list[Any] | None = None
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        cached = marshal.loads(path.read_bytes())
    if not (
        isinstance(cached, list)
        and len(cached) == 4
        and isinstance(cached[1], list)
        and isinstance(cached[3], list)
    ):
        cached = None
    refs = None
    if tips is None:
        refs = tips_key(repo)
        if refs is not None and cached is not None and cached[2] == refs and len(cached[3]) == 2:
            tips = (cached[3][0], cached[3][1])
        else:
            tips = git.project_tips(repo)
            if refs != tips_key(repo):  # moved while git read them: not kept
                refs = None
    head, default = tips
    key = [head, default, notes_tip]
    if cached is not None and cached[0] == key:
        found = set(cached[1])
        if cached[2] == refs or refs is None:
            return found
    else:
        found = git.unreachable(repo, noted, [tip for tip in (head, default) if tip])
    with contextlib.suppress(OSError):  # a read-only repository still answers
        root.mkdir(parents=True, exist_ok=True)
        data = [key, sorted(found), refs, [head, default]]
        atomic_write(path, marshal.dumps(data), durable=False)
    return found


def tips_key(repo: git.RepoInfo) -> bytes | None:
    """The bytes `git.project_tips` answers from: HEAD, the ref it names, the default
    branches' loose refs and `packed-refs` (None where git keeps refs otherwise: a reftable,
    a symbolic ref naming another)."""
    if (repo.common_dir / "reftable").exists():
        return None
    parts = []
    names = [(repo.git_dir, "HEAD"), *((repo.common_dir, ref) for ref in git.DEFAULT_BRANCHES)]
    for base, name in names:
        try:
            data = (base / name).read_bytes()
        except FileNotFoundError:
            data = b"-"
        except OSError:
            return None
        parts.append(data)
        if data.startswith(b"ref: "):
            try:
                target = (repo.common_dir / data[5:].strip().decode()).read_bytes()
            except FileNotFoundError:
                target = b"-"
            except (OSError, UnicodeDecodeError):
                return None
            if target.startswith(b"ref: "):
                return None
            parts.append(target)
    try:
        parts.append((repo.common_dir / "packed-refs").read_bytes())
    except FileNotFoundError:
        parts.append(b"-")
    except OSError:
        return None
    return b"\0".join(parts)
