"""A snapshot of files as a git tree, built in a temporary index (the user's is never read or
written), with per-file size, mtime, sha256 and word count taken from the blobs themselves, so the
metadata always matches what the tree holds even if a file changes while we read it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.errors import GitMemError, UsageError
from gitmem.store import git
from gitmem.store.git import RepoInfo


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


def _user_index(repo: RepoInfo) -> Path:
    proc = git.run(["rev-parse", "--git-path", "index"], cwd=repo.git_dir)
    path = Path(proc.stdout.decode().strip())
    return path if path.is_absolute() else repo.git_dir / path


def _stage(
    repo: RepoInfo, root: Path, index: Path, files: list[str] | None, context: str | None
) -> None:
    """Fill the temporary index with the scope. The whole tree (or --context DIR) is what git
    calls tracked and untracked: the user's index entries (a tracked file matching .gitignore
    stays) plus untracked files .gitignore does not exclude, as they are on disk now. Starting
    from a copy of the user's index (read, never written) lets `git add` skip re-hashing the
    files whose stat data is unchanged; copy2 keeps its mtime, which git's racy-clean check
    needs. Files named with --files are taken even if ignored; a directory named there still
    honours .gitignore."""
    env = _index_env(index)
    # Paths are file names, never globs: `--files '[x].txt'` must not take x.txt.
    literal = {**env, "GIT_LITERAL_PATHSPECS": "1"}
    if files is None:
        user_index = _user_index(repo)
        if user_index.exists():
            shutil.copy2(user_index, index)
        scope = context or "."
        if scope != ".":
            drop = [
                "rm",
                "--cached",
                "-r",
                "-q",
                "--ignore-unmatch",
                "--",
                ".",
                f":(exclude,literal){scope}",
            ]
            git.run(drop, cwd=root, env=env)
        files, named = [scope], []
    else:
        named = [p for p in files if not (root / p).is_dir() or (root / p).is_symlink()]
    dirs = _not_ignored(root, [p for p in files if p not in named])
    if named:
        git.run(["add", "--force", "--", *named], cwd=root, env=literal)
    if dirs:
        git.run(["add", "-A", "--", *dirs], cwd=root, env=literal)


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


Known = dict[tuple[str, str], dict[str, Any]]  # (mode, blob id) -> size, sha256, words


def _file_rows(
    repo: RepoInfo, root: Path, entries: list[_Entry], known: Known
) -> list[dict[str, Any]]:
    """A row per file; blobs already described in `known` (the previous checkpoint) are not
    read again, the others are read from the object database as stored."""
    # Submodules (160000) have no blob here: the tree records their commit, nothing to hash.
    blobs = [e for e in entries if e.mode != "160000"]
    unknown = [e for e in blobs if (e.mode, e.blob) not in known]
    described = dict(known)
    for entry, data in zip(unknown, _blobs(repo, (e.blob for e in unknown)), strict=True):
        described[(entry.mode, entry.blob)] = {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "words": None if entry.mode == "120000" else word_count(data),
        }
    rows = []
    for entry in blobs:
        facts = described[(entry.mode, entry.blob)]
        rows.append(
            {
                "path": entry.path,
                "size": facts["size"],
                "mtime": _mtime(root / entry.path),
                "sha256": facts["sha256"],
                "words": facts["words"],
            }
        )
    return rows


def known_rows(repo: RepoInfo, commit: str, rows: list[dict[str, Any]]) -> Known:
    """What the checkpoint `commit` (with metadata `rows`) already says about its blobs."""
    by_path = {row.get("path"): row for row in rows}
    out = git.run(["ls-tree", "-r", "-z", commit], cwd=repo.git_dir, check=False).stdout
    known: Known = {}
    for record in out.split(b"\0"):
        info, _, raw_path = record.partition(b"\t")
        row = by_path.get(raw_path.decode("utf-8", errors="surrogateescape"))
        fields = info.decode().split()
        if row is None or len(fields) != 3 or not isinstance(row.get("sha256"), str):
            continue
        known[(fields[0], fields[2])] = {k: row.get(k) for k in ("size", "sha256", "words")}
    return known


def snapshot(
    repo: RepoInfo,
    root: Path,
    files: list[str] | None,
    context: str | None,
    known: Known | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The tree id and the file rows of the scope (paths relative to `root`, see `_stage`)."""
    repo.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checkpoint-", dir=repo.state_dir) as temp:
        index = Path(temp) / "index"
        _stage(repo, root, index, files, context)
        entries = _entries(root, index)
        if not entries:
            where = context or "the working tree"
            raise UsageError(f"nothing to checkpoint: no files in {where} (ignored ones skipped)")
        tree = git.run(["write-tree"], cwd=root, env=_index_env(index)).stdout.decode().strip()
        return tree, _file_rows(repo, root, entries, known or {})
