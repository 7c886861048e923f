"""Which `.memory/` files may have changed since the last refresh, asked of git's index.

Git keeps the stat data of every tracked file in its index and checks them in C, in parallel,
handling racily-clean entries by content: `git diff-files` names the tracked files whose work
tree copy differs from the staged one (or may: a touched file is listed too), `git ls-files
--others` the untracked ones; `git ls-files --modified --others` asks both at once. A tracked
file git does not list has its staged content, so a manifest entry whose digest is that
blob's id (`changes.blob_id`) is current. What the manifest must re-check is then small:

- the files git lists now (modified, deleted, untracked, ignored);
- the files the last refresh watched: listed then, read then, or special (symlinks,
  assume-unchanged, skip-worktree, unmerged: git does not vouch for their content);
- when the index file itself changed (`git add`, commit, checkout, merge): every path whose
  staged blob is not the digest the manifest has, and every path no longer in the index.

The caller stats only those. Without a usable git index (no work tree, `GIT_INDEX_FILE`, a
`.memory` that is a symlink, git failing) `probe` says so and the caller walks `.memory/`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

from gitmem.store import git

PREFIX = ".memory/"
Identity = tuple[int, int, int]  # the index file's (mtime_ns, size, inode): git replaces it


class GitState(NamedTuple):
    """What the last refresh learnt from git, kept in the manifest."""

    index_file: Identity | None  # the index file the staged blobs were compared at
    watch: list[str]  # paths (relative to `.memory/`) to re-check on every refresh
    special: list[str]  # tracked paths git does not vouch for (part of `watch`)


class Probe(NamedTuple):
    index_file: Identity | None
    listed: set[str]  # modified, deleted, untracked or ignored now
    special: set[str]
    staged: dict[str, str] | None  # path -> staged blob id; None: the index file is unchanged


def is_record_path(relpath: str) -> bool:
    """A path `changes.scan` would find: a `.md` file under no dot-named folder, not the top
    README.md."""
    if not relpath.endswith(".md") or relpath == "README.md":
        return False
    return not any(part.startswith(".") for part in relpath.split("/"))


def _index_identity(path: Path) -> Identity | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _paths(out: bytes) -> list[str]:
    return [os.fsdecode(raw)[len(PREFIX) :] for raw in out.split(b"\0") if raw]


def probe(repo: git.RepoInfo, memory_dir: Path | None, previous: GitState | None) -> Probe | None:
    """What git says about `.memory/`; None when git's index cannot be asked."""
    if repo.work_tree is None or memory_dir is None or os.environ.get("GIT_INDEX_FILE"):
        return None
    if memory_dir.is_symlink():
        return None
    index = _index_identity(repo.git_dir / "index")
    spec = ["--", PREFIX]
    # --modified: what `git diff-files` names (deleted files too); --others: untracked and
    # ignored files. One process; the staged blobs only when the index file changed.
    commands = [["ls-files", "--modified", "--others", "-z", *spec]]
    fresh = previous is None or index is None or previous.index_file != index
    if fresh:
        commands.append(["ls-files", "--stage", "-v", "-z", *spec])
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        # At once, when both are needed: two cores.
        procs = [
            subprocess.Popen(
                ["git", *args],
                cwd=repo.work_tree,
                env={**env, "GIT_DIR": str(repo.git_dir), "GIT_WORK_TREE": str(repo.work_tree)},
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            for args in commands
        ]
    except OSError:
        return None
    outs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        return None
    every = _paths(outs[0])
    if any(path.endswith("/") for path in every):
        return None  # a repository nested in `.memory/`: git does not look inside; we do
    listed = {p for p in every if is_record_path(p)}
    if index != _index_identity(repo.git_dir / "index"):
        return None  # the index changed while git read it: answers of different times
    if not fresh:
        assert previous is not None
        return Probe(index, listed, set(previous.special), None)
    staged: dict[str, str] = {}
    special: set[str] = set()
    for line in outs[1].split(b"\0"):
        if not line:
            continue
        info, _tab, raw = line.partition(b"\t")
        tag, mode, oid, stage = info.split(b" ")
        path = os.fsdecode(raw)[len(PREFIX) :]
        if not is_record_path(path):
            continue
        # H: an ordinary cached entry. Lowercase: assume-unchanged; S: skip-worktree; M:
        # unmerged; 120000: a symlink (its blob is the link, not what we read through it).
        if tag != b"H" or mode == b"120000" or stage != b"0":
            special.add(path)
        staged[path] = oid.decode()
    return Probe(index, listed, special, staged)
