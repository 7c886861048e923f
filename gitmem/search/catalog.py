"""What records exist where, kept in step with the search index; re-reads only what changed.

Derived state under `<common-dir>/gitmem/index/<worktree>/`: a manifest of what the
search index (`engine.py`) was built from — per file its path, mtime, size, a digest and the ids
in it; per note its blob, ids and the commit's time; the notes ref tip — and the index itself.
Every read command calls `refresh`: a directory walk and a ref lookup when nothing changed;
otherwise only changed files and notes are parsed, and the index is updated before the manifest
is saved. Resolving an id prefix needs only the manifest, so `show` never opens the index (nor
loads the engine) unless something changed.

Delete it at any time. A missing, damaged, other-version or half-written index is rebuilt; a
process that finds another one updating the index answers from the last committed state rather
than waiting; a process killed half-way leaves a state the next one detects and rebuilds.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import marshal
import os
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from gitmem.errors import GitMemError
from gitmem.search import reach
from gitmem.search.changes import (
    Changes,
    Problem,
    Row,
    refresh_files,
    refresh_notes,
    winners,
)
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.store import git
from gitmem.store.files import atomic_write, try_lock

if TYPE_CHECKING:
    from gitmem.search.engine import Engine, Reader

VERSION = 2  # of the manifest
Progress = Callable[[int, int], None]
# The search engine (`engine.Engine`). Its module loads Whoosh only to build, update or open an
# index, and `engine.py` (only types) is not imported here: `show` and the hooks need neither.
ENGINE: Engine = WhooshEngine()
SCHEMA_VERSION = ENGINE.version  # another in the manifest: the index is rebuilt


# ------------------------------------------------------------------------------ catalog


class Catalog:
    """The manifest: where every record lives, what could not be read, and the index.

    A note git copied to the new commit of an amend or rebase (notes.rewriteRef) also stays on
    the old commit; such byte-identical copies are one record, indexed where it was copied to.
    """

    def __init__(
        self, repo: git.RepoInfo, root: Path, manifest: dict[str, Any], files_read: int = 0
    ) -> None:
        self.repo = repo
        self.root = root
        self._manifest = manifest
        self.files_read = files_read  # `.memory/` files this refresh read (changed or racy)

    @functools.cached_property
    def _winners(self) -> dict[str, set[str]]:
        return winners(self._manifest["notes"])

    @property
    def index_dir(self) -> Path:
        return self.root / str(self._manifest["dir"])

    def open(self) -> AbstractContextManager[Reader]:
        """The index, open for reading; raises (any exception) when missing or damaged."""
        return ENGINE.open(self.index_dir, self.superseded)

    def find(self, prefix: str) -> list[Row]:
        """`{id, location[, blob, created]}` of every record whose id starts with `prefix`."""
        rows: list[Row] = []
        for relpath, entry in self._manifest["files"].items():
            for record_id in entry[3]:
                if record_id.startswith(prefix):
                    rows.append({"id": record_id, "location": ".memory/" + relpath})
        notes = self._manifest["notes"]
        for sha, ids in self._winners.items():
            for record_id in ids:
                if record_id.startswith(prefix):
                    blob, _records, _problems, _time, _age, created = notes[sha]
                    location = f"note:{sha}"
                    rows.append(
                        {"id": record_id, "location": location, "blob": blob, "created": created}
                    )
        return rows

    @property
    def warnings(self) -> list[Problem]:
        entries = [
            *(e[4] for e in self._manifest["files"].values()),
            *(e[2] for e in self._manifest["notes"].values()),
        ]
        return [Problem(*problem) for problems in entries for problem in problems]

    @functools.cached_property
    def superseded(self) -> set[str]:
        """Ids some record names in `supersedes`: they read as superseded."""
        found = {old for entry in self._manifest["files"].values() for old in entry[5]}
        notes = self._manifest["notes"]
        for sha, ids in self._winners.items():
            for record_id, _own, supersedes in notes[sha][1]:
                if record_id in ids:
                    found.update(supersedes)
        return found

    @functools.cached_property
    def unmerged(self) -> set[str]:
        """Commits carrying notes that neither HEAD nor the default branch reaches: their
        records are not the project's memory (hidden from reads unless `--all`)."""
        notes_tip = self._manifest["notes_tip"]
        return reach.unmerged(self.repo, self.root, notes_tip, self._winners)

    @property
    def count(self) -> int:
        files = sum(len(entry[3]) for entry in self._manifest["files"].values())
        return files + sum(len(ids) for ids in self._winners.values())


# ------------------------------------------------------------------------------ manifest


def index_root(repo: git.RepoInfo) -> Path:
    """This worktree's index directory (linked worktrees have their own `.memory/` files)."""
    name = "main" if repo.git_dir == repo.common_dir else "wt-" + repo.git_dir.name
    return repo.state_dir / "index" / name


def _key(types: list[str]) -> list[Any]:
    return [VERSION, SCHEMA_VERSION, sys.version_info[:2], sorted(types)]


def _load(root: Path) -> dict[str, Any] | None:
    try:
        data = marshal.loads((root / "manifest").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


_DAMAGE = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def _usable(manifest: dict[str, Any] | None, key: list[Any]) -> TypeGuard[dict[str, Any]]:
    return (
        manifest is not None
        and manifest.get("key") == key
        and isinstance(manifest.get("files"), dict)
        and isinstance(manifest.get("notes"), dict)
    )


def _well_formed(manifest: dict[str, Any]) -> bool:
    """Every entry has the shape this version writes (checked where nothing is re-read)."""

    def strings(values: Any) -> bool:
        return isinstance(values, list) and all(isinstance(v, str) for v in values)

    try:
        return all(
            isinstance(mtime, int)
            and isinstance(size, int)
            and isinstance(digest, str)
            and strings(ids)
            and strings(superseded)
            and isinstance(problems, list)
            for mtime, size, digest, ids, problems, superseded in manifest["files"].values()
        ) and all(
            isinstance(blob, str)
            and isinstance(commit_time, str)
            and isinstance(created, str)
            and isinstance(age, int)
            and isinstance(problems, list)
            and all(isinstance(i, str) and strings(s) for i, _own, s in records)
            for blob, records, problems, commit_time, age, created in manifest["notes"].values()
        )
    except _DAMAGE:
        return False


def _save(root: Path, manifest: dict[str, Any]) -> None:
    atomic_write(root / "manifest", marshal.dumps(manifest), durable=False)


# ------------------------------------------------------------------------------ refresh


def refresh(
    repo: git.RepoInfo,
    memory_dir: Path | None,
    types: list[str],
    *,
    full: bool = False,
    wait: bool = False,
    write: bool = True,
    progress: Progress | None = None,
) -> Catalog:
    """The catalog and index, brought up to date with the files and the notes ref.

    `full`: rebuild the index from scratch. If another process holds the index, answer from
    the last committed state instead of waiting (unless there is none yet, `wait` or `full`).
    `write=False`: the catalog only, read fresh but neither saved nor indexed (for hooks,
    which must stay fast and never touch the index).
    """
    root = index_root(repo)
    key = _key(types)
    if not write:
        return _refresh(repo, memory_dir, root, key, types, False, None, write=False)
    with try_lock(root.parent / f"{root.name}.lock") as acquired:
        if not acquired and not full and not wait:
            current = _load(root)
            if _usable(current, key) and _well_formed(current) and _index_matches(root, current):
                return Catalog(repo, root, current)
        if not acquired:
            acquired.wait()
        return _refresh(repo, memory_dir, root, key, types, full, progress)


def _refresh(
    repo: git.RepoInfo,
    memory_dir: Path | None,
    root: Path,
    key: list[Any],
    types: list[str],
    full: bool,
    progress: Progress | None,
    write: bool = True,
) -> Catalog:
    old = _load(root)
    fresh = full or not _usable(old, key) or not _index_matches(root, old)
    if fresh:
        old = {"files": {}, "notes": {}, "notes_tip": None, "scanned": 0}
    assert old is not None
    started = time.time_ns()
    changes = Changes()
    tip_oid = git.commit_tip(repo, git.NOTES_REF)
    try:
        files = refresh_files(memory_dir, old, types, changes)
        notes: dict[str, list[Any]] = old["notes"]
        if tip_oid != old["notes_tip"]:
            notes = refresh_notes(repo, old["notes"], types, changes)
    except _DAMAGE:
        if fresh:
            raise
        # The manifest has the right version but the wrong shape (damaged, or written by
        # another build of gitmem): derived state is rebuilt, never a reason to fail.
        return _refresh(repo, memory_dir, root, key, types, True, progress, write)
    manifest = {
        "key": key,
        "scanned": started,
        "files": files,
        "notes_tip": tip_oid,
        "notes": notes,
        "dir": old.get("dir"),
        "generation": old.get("generation"),
    }
    if not write:
        return Catalog(repo, root, manifest, changes.read)
    if not fresh and not changes:
        if files != old["files"] or tip_oid != old["notes_tip"] or changes.rechecked:
            with contextlib.suppress(OSError):  # a read-only repository still answers
                _save(root, manifest)
        return Catalog(repo, root, manifest, changes.read)
    try:
        _write_index(root, manifest, changes, fresh, progress)
    except Exception:
        if fresh:
            raise
        # The index is damaged in a way its table of contents did not show: start over.
        return _refresh(repo, memory_dir, root, key, types, True, progress)
    return Catalog(repo, root, manifest, changes.read)


def _index_matches(root: Path, manifest: dict[str, Any]) -> bool:
    """The index the manifest describes is there, at the generation it was saved with."""
    return ENGINE.is_current(root / str(manifest.get("dir")), manifest.get("generation"))


_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.ENOTDIR, errno.EEXIST)


def _write_index(
    root: Path,
    manifest: dict[str, Any],
    changes: Changes,
    fresh: bool,
    progress: Progress | None,
) -> None:
    name = f"ix-{os.urandom(4).hex()}" if fresh else str(manifest["dir"])
    try:
        if fresh:
            generation = ENGINE.build(root / name, changes.added, progress)
        else:
            generation = ENGINE.update(root / name, changes.removed, changes.added, progress)
        manifest["dir"] = name
        manifest["generation"] = generation
        _save(root, manifest)
    except BaseException as error:
        if fresh:
            shutil.rmtree(root / name, ignore_errors=True)
        if isinstance(error, OSError) and error.errno in _UNWRITABLE:
            raise GitMemError(
                f"cannot write the search index in {root}: {error.strerror}"
            ) from None
        raise
    if fresh:  # earlier builds: a reader still using one retries, then waits for the lock
        for old in root.glob("ix-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
