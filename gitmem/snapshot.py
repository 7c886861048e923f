"""A snapshot of files as a git tree, built in a temporary index (the user's is never read or
written), with per-file size, mtime, sha256 and word count taken from the blobs themselves, so the
metadata always matches what the tree holds even if a file changes while we read it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from gitmem import git
from gitmem.errors import GitMemError, UsageError
from gitmem.git import RepoInfo


def _index_env(index: Path) -> dict[str, str]:
    return {"GIT_INDEX_FILE": str(index)}


def inside(repo_root: Path, path: str, cwd: Path) -> str:
    """`path` (as the user typed it) relative to the work tree root; UsageError if outside."""
    absolute = Path(os.path.abspath(cwd / path))
    root = Path(os.path.realpath(repo_root))
    # Resolve the directory part only: a symlink inside the tree is snapshotted as a link.
    real = Path(os.path.realpath(absolute.parent)) / absolute.name
    try:
        relative = real.relative_to(root)
    except ValueError:
        raise UsageError(
            f"{path!r} is outside the repository ({repo_root}); checkpoints hold files of "
            "this work tree only"
        ) from None
    if relative.parts and relative.parts[0] == ".git":
        raise UsageError(f"{path!r} is inside the git directory; it cannot be checkpointed")
    if not os.path.lexists(real):
        raise UsageError(f"{path!r} does not exist")
    return relative.as_posix() or "."


def _not_ignored(root: Path, dirs: list[str]) -> list[str]:
    """`dirs` less those .gitignore excludes as a whole (`git add` refuses those outright)."""
    if not dirs:
        return []
    # The trailing slash: a `build/` pattern matches only what check-ignore knows is a directory.
    asked = [d.rstrip("/") + "/" for d in dirs]
    request = "\0".join(asked).encode("utf-8", errors="surrogateescape") + b"\0"
    proc = git.run(["check-ignore", "-z", "--stdin"], cwd=root, input=request, check=False)
    ignored = set(proc.stdout.decode("utf-8", errors="surrogateescape").split("\0"))
    return [d for d, a in zip(dirs, asked, strict=True) if a not in ignored]


def _stage(root: Path, index: Path, files: list[str] | None, context: str | None) -> None:
    """Fill the temporary index with the scope: .gitignore honoured except for files named
    explicitly with --files (a directory given there, or as --context, still honours it)."""
    env = _index_env(index)
    if files is None:
        files, named = [context or "."], []
    else:
        named = [p for p in files if not (root / p).is_dir() or (root / p).is_symlink()]
    dirs = _not_ignored(root, [p for p in files if p not in named])
    if named:
        git.run(["add", "--force", "--", *named], cwd=root, env=env)
    if dirs:
        git.run(["add", "-A", "--", *dirs], cwd=root, env=env)


class _Entry(NamedTuple):
    mode: str
    blob: str
    path: str


def _entries(root: Path, index: Path) -> list[_Entry]:
    out = git.run(["ls-files", "-s", "-z"], cwd=root, env=_index_env(index)).stdout
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        info, _, path = record.partition(b"\t")
        mode, blob, _stage_number = info.decode().split()
        entries.append(_Entry(mode, blob, path.decode("utf-8", errors="surrogateescape")))
    return entries


def _blobs(repo: RepoInfo, oids: Iterable[str]) -> Iterator[bytes]:
    """The content of each blob, in order, from one `git cat-file --batch` (one request at a
    time, so memory holds one file and the pipes never deadlock)."""
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=repo.git_dir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for oid in oids:
            proc.stdin.write(oid.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3:
                raise GitMemError(f"git cat-file could not read blob {oid}")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after the content
            yield data
    finally:
        proc.stdin.close()
        proc.wait()


def word_count(data: bytes) -> int | None:
    """Words in a text file; None for binary (a NUL byte, or not UTF-8)."""
    if b"\0" in data:
        return None
    try:
        return len(data.decode("utf-8").split())
    except UnicodeDecodeError:
        return None


def _mtime(path: Path) -> str:
    try:
        stamp = os.lstat(path).st_mtime
    except OSError:  # removed since git added it: the snapshot still has it
        return ""
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def _file_rows(repo: RepoInfo, root: Path, entries: list[_Entry]) -> list[dict[str, Any]]:
    # Submodules (160000) have no blob here: the tree records their commit, nothing to hash.
    blobs = [e for e in entries if e.mode != "160000"]
    rows = []
    for entry, data in zip(blobs, _blobs(repo, (e.blob for e in blobs)), strict=True):
        words = None if entry.mode == "120000" else word_count(data)
        rows.append(
            {
                "path": entry.path,
                "size": len(data),
                "mtime": _mtime(root / entry.path),
                "sha256": hashlib.sha256(data).hexdigest(),
                "words": words,
            }
        )
    return rows


def snapshot(
    repo: RepoInfo, root: Path, files: list[str] | None, context: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The tree id and the file rows of the scope (paths relative to `root`, see `_stage`)."""
    repo.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checkpoint-", dir=repo.state_dir) as temp:
        index = Path(temp) / "index"
        _stage(root, index, files, context)
        entries = _entries(root, index)
        if not entries:
            where = context or "the working tree"
            raise UsageError(f"nothing to checkpoint: no files in {where} (ignored ones skipped)")
        tree = git.run(["write-tree"], cwd=root, env=_index_env(index)).stdout.decode().strip()
        return tree, _file_rows(repo, root, entries)
