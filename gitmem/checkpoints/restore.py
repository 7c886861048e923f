"""Resuming a checkpoint: its files written back into the work tree (or another directory).

Safety comes before any write: every path of the snapshot is checked first (`restore_paths`),
and one bad path refuses the whole checkpoint. Files that differ from the snapshot and hold
work git cannot give back (modified, staged, untracked, ignored, or outside any work tree) are
only overwritten with `force`. Each write is atomic; each file is verified against the sha256
in the metadata.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitmem.checkpoints import checkpoint
from gitmem.checkpoints.checkpoint import Checkpoint
from gitmem.checkpoints.restore_paths import check_paths, inside
from gitmem.errors import ConflictError, NotFoundError, UsageError
from gitmem.store import files, git
from gitmem.store.git import RepoInfo

WRITES = ("create", "restore-deleted", "overwrite")
STATUS = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching"]
STATUS += ["--no-renames"]


@dataclass
class Item:
    """One path of the checkpoint and what resuming does with it."""

    path: str
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (submodule)
    oid: str
    action: str  # create | restore-deleted | overwrite | unchanged | skipped | missing
    expected: str | None = None  # sha256 from the metadata
    current: str | None = None  # sha256 of what is there now (unchanged files)
    verified: bool | None = None  # None: not checked (--no-verify, symlink, no metadata)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "action": self.action,
            "verified": self.verified,
            "note": self.note or None,
        }


@dataclass
class Plan:
    checkpoint: Checkpoint
    target: Path
    items: list[Item] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # dry run: what needs --force

    def count(self, *actions: str) -> int:
        return sum(1 for item in self.items if item.action in actions)


def select(
    repo: RepoInfo, name: str, timestamp: str | None = None, at: str | None = None
) -> Checkpoint:
    """The checkpoint of `name` to resume: the newest, the one at `timestamp`, or commit `at`."""
    checkpoint.validate_name(name)
    if timestamp is not None:
        return checkpoint.resolve(repo, f"{name}@{timestamp}")
    if at is None:
        return checkpoint.resolve(repo, name)
    found = checkpoint.chain(repo, name)
    wanted = at.lower()
    if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
        wanted = git.resolve_commit(repo, at)
    matches = [c for c in found if c.commit.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(f"{c.commit[:12]} ({c.timestamp})" for c in found)
    if matches:
        raise UsageError(f"--at {at} matches {len(matches)} checkpoints of {name}: {listed}")
    raise NotFoundError(f"--at {at} is not a checkpoint of {name}; its checkpoints: {listed}")


def _tree(repo: RepoInfo, commit: str) -> list[tuple[str, str, str]]:
    """(mode, oid, path) of every entry of the snapshot, recursively, paths as stored."""
    out = git.run(["ls-tree", "-r", "-z", "--full-tree", commit], cwd=repo.git_dir).stdout
    entries = []
    for record in out.split(b"\0"):
        if record:
            info, _, path = record.partition(b"\t")
            mode, _kind, oid = info.decode().split()
            entries.append((mode, oid, os.fsdecode(path)))
    return entries


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _is_exec(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o100)


def _classify(root: Path, item: Item, work_tree: bool) -> tuple[str, str | None]:
    """The action for one blob or symlink entry, and a reason it is blocked (or None)."""
    path = root / item.path
    if not os.path.lexists(path):
        return ("restore-deleted" if work_tree else "create"), None
    if item.mode == "120000":
        if path.is_symlink() and _git_blob_id(os.fsencode(os.readlink(path))) == item.oid:
            return "unchanged", None
        if path.is_dir() and not path.is_symlink():
            return "overwrite", "a directory is in the way"
        return "overwrite", None
    if path.is_dir() and not path.is_symlink():
        return "overwrite", "a directory is in the way"
    if path.is_symlink() or not path.is_file():
        return "overwrite", None
    data = path.read_bytes()
    if _git_blob_id(data) == item.oid and _is_exec(path) == (item.mode == "100755"):
        item.current = hashlib.sha256(data).hexdigest()
        return "unchanged", None
    return "overwrite", None


def _parent_blocked(root: Path, path: str) -> str | None:
    here = root
    for part in path.split("/")[:-1]:
        here = here / part
        if os.path.lexists(here) and not here.is_dir():
            return f"{here.relative_to(root)} is a file where the snapshot has a directory"
    return None


def _uncommitted(repo: RepoInfo, root: Path, paths: list[str]) -> dict[str, str]:
    """{path: why} for the paths whose current content git could not give back."""
    work_tree = repo.work_tree
    prefix = None
    if work_tree is not None and inside(Path(os.path.realpath(work_tree)), root):
        prefix = os.path.relpath(root, os.path.realpath(work_tree))
    if prefix is None:
        return {path: "not in this repository's work tree" for path in paths}
    lead = "" if prefix == "." else prefix + "/"
    found: dict[str, str] = {}
    reasons = {"??": "untracked", "!!": "ignored"}
    for start in range(0, len(paths), 1000):
        specs = [f":(literal){lead}{path}" for path in paths[start : start + 1000]]
        out = git.run(
            [*STATUS, "--", *specs],
            cwd=work_tree,
            env={"GIT_OPTIONAL_LOCKS": "0"},  # a status must not rewrite the user's index
        ).stdout
        for record in out.split(b"\0"):
            if len(record) > 3:
                code = record[:2].decode()
                path = os.fsdecode(record[3:]).removeprefix(lead)
                found[path] = reasons.get(code, "uncommitted changes")
    return found


def plan(
    repo: RepoInfo,
    chosen: Checkpoint,
    target: Path | None,
    force: bool = False,
    dry_run: bool = False,
) -> Plan:
    """What resuming `chosen` into `target` (default: the work tree) would do; raises before
    anything is written if a path is unsafe or a file with uncommitted work is in the way
    (a dry run lists those in `refused` instead)."""
    if target is None:
        if repo.work_tree is None:
            raise UsageError("no work tree here: give --target DIR")
        target = repo.work_tree
    root = Path(os.path.realpath(target))
    if os.path.lexists(root) and not root.is_dir():
        raise UsageError(f"--target {target} exists and is not a directory")
    work_tree = repo.work_tree is not None and root == Path(os.path.realpath(repo.work_tree))
    entries = _tree(repo, chosen.commit)
    check_paths(repo, entries, root)
    expected = {row.get("path"): row.get("sha256") for row in chosen.files}
    result = Plan(chosen, root)
    blocked = []
    for mode, oid, path in entries:
        item = Item(path, mode, oid, "skipped", expected.get(path))
        result.items.append(item)
        if mode == "160000":
            item.note = "a submodule: its commit is recorded, not its files"
            continue
        reason = _parent_blocked(root, path) if root.exists() else None
        if reason is None and root.exists():
            item.action, reason = _classify(root, item, work_tree)
        elif reason is None:
            item.action = "create"
        if reason is not None:
            blocked.append(f"{path} ({reason})")
    in_tree = {item.path for item in result.items}
    for row in chosen.files:
        if row.get("path") not in in_tree:
            result.items.append(Item(str(row.get("path")), "", "", "missing", row.get("sha256")))
            result.items[-1].note = "listed in the metadata but not in the snapshot"
    if blocked:
        raise ConflictError(f"cannot resume: {', '.join(blocked)}; move them aside first")
    overwrites = [item.path for item in result.items if item.action == "overwrite"]
    dirty = _uncommitted(repo, root, overwrites) if overwrites and root.exists() else {}
    for item in result.items:
        if item.path in dirty:
            item.note = f"had {dirty[item.path]}" if force else f"{dirty[item.path]}: needs --force"
    result.refused = [] if force else sorted(dirty)
    if dirty and not force and not dry_run:
        named = ", ".join(f"{path} ({why})" for path, why in sorted(dirty.items()))
        raise ConflictError(
            f"would overwrite files with work git cannot give back: {named}; "
            "commit or move them, or use --force"
        )
    return result


def _blobs(repo: RepoInfo, oids: list[str]) -> Iterator[bytes | None]:
    """Each blob's content (None: missing here, e.g. a shallow or partial clone), in order.

    One `git cat-file --batch`, one request at a time (memory holds one file). In a partial
    clone git fetches a missing blob from the promisor remote; when it cannot, cat-file dies
    instead of answering `missing`: that blob is missing and a new cat-file takes the rest.
    """
    position = 0
    while position < len(oids):
        proc = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=repo.git_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            while position < len(oids):
                oid = oids[position]
                position += 1
                try:
                    proc.stdin.write(oid.encode() + b"\n")
                    proc.stdin.flush()
                except BrokenPipeError:
                    header = []
                else:
                    header = proc.stdout.readline().split()
                if len(header) != 3:  # `<oid> missing`, or cat-file died on it
                    yield None
                    if not header:
                        break
                    continue
                data = proc.stdout.read(int(header[2]))
                proc.stdout.read(1)  # the newline after the content
                yield data
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            proc.wait()


def _write(path: Path, mode: str, data: bytes) -> None:
    if mode == "120000":
        temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.fsdecode(data), temp)
        try:
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return
    files.atomic_write(path, data)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if mode == "100755" else 0o666) & ~umask)


def apply(repo: RepoInfo, todo: Plan, verify: bool = True) -> Plan:
    """Write the plan's files; record per item whether it was verified or why not."""
    writes = [item for item in todo.items if item.action in WRITES]
    todo.target.mkdir(parents=True, exist_ok=True)
    for item, data in zip(writes, _blobs(repo, [i.oid for i in writes]), strict=True):
        if data is None:
            item.action, item.note = (
                "missing",
                "its blob is not in this repository and could not be fetched",
            )
            continue
        checkable = verify and item.mode != "120000" and item.expected is not None
        if checkable and hashlib.sha256(data).hexdigest() != item.expected:
            item.action, item.verified = "skipped", False
            item.note = "the snapshot's content does not match the metadata's sha256"
            continue
        path = todo.target / item.path
        _write(path, item.mode, data)
        if checkable:
            item.verified = hashlib.sha256(path.read_bytes()).hexdigest() == item.expected
            if not item.verified:
                item.note = "the written file does not match the metadata's sha256"
    for item in todo.items:
        if verify and item.action == "unchanged" and item.expected is not None:
            item.verified = item.current == item.expected
    if verify:
        for item in todo.items:
            if item.verified is None and item.action in (*WRITES, "unchanged") and not item.note:
                item.note = "symlink: not hashed" if item.mode == "120000" else "no sha256 recorded"
    return todo


def failed(done: Plan) -> list[Item]:
    """Items that make the resume incomplete: missing blobs, failed verification."""
    return [i for i in done.items if i.action == "missing" or i.verified is False]
