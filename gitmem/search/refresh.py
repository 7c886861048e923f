"""Bringing the catalog (the manifest and the search index) up to date with the `.memory/`
files and the notes ref: `refresh`, which every read command calls before it answers.

When nothing changed this is a ref lookup and the git calls that ask git's index which
`.memory/` files may have changed (`worktree.py`; or, in a long-lived process, the paths a file
watcher saw), and a stat of those only; otherwise only changed files and notes are parsed
(`changes.py`), and the index is updated before the manifest records it. A process that finds
another one updating the index answers from the last committed state rather than waiting; a
manifest or index that is missing, damaged or of another version is rebuilt.
"""

from __future__ import annotations

import _sqlite3 as sqlite3  # without datetime: see manifest.py
import errno
import os
import sys
import time
from collections.abc import Collection
from pathlib import Path

from gitmem.errors import GitMemError

# catalog's ENGINE, VERSION and SCHEMA_VERSION are read as its attributes (tests swap them)
from gitmem.search import catalog, manifest, worktree
from gitmem.search.catalog import Catalog, Progress, index_root, open_at
from gitmem.search.changes import Changes, refresh_files, refresh_notes, scan, stat_paths
from gitmem.store import git
from gitmem.store.files import try_lock

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def _key(types: list[str]) -> list[Any]:
    return [catalog.VERSION, catalog.SCHEMA_VERSION, list(sys.version_info[:2]), sorted(types)]


_DAMAGE = (AttributeError, IndexError, KeyError, TypeError, ValueError, *manifest.DAMAGE)


def _usable(meta: dict[str, Any], key: list[Any]) -> bool:
    """The manifest's values have the shape this version writes."""
    dir_name, generation = meta.get("dir"), meta.get("generation")
    tip, state = meta.get("notes_tip"), meta.get("git")
    return (
        meta.get("key") == key
        and isinstance(meta.get("scanned"), int)
        and isinstance(dir_name, str)
        and dir_name.startswith("ix-")
        and "/" not in dir_name
        and isinstance(generation, int)
        and (tip is None or isinstance(tip, str))
        and _git_state(state) is not None
    )


def _git_state(value: Any) -> worktree.GitState | None:
    try:
        index, watch, special = value
        if index is not None:
            index = tuple(int(part) for part in index)
        if not all(isinstance(p, str) for p in [*watch, *special]):
            return None
        return worktree.GitState(index, list(watch), list(special))
    except (TypeError, ValueError):
        return None


def refresh(
    repo: git.RepoInfo,
    memory_dir: Path | None,
    types: list[str],
    *,
    full: bool = False,
    wait: bool = False,
    write: bool = True,
    progress: Progress | None = None,
    changed: Collection[str] | None = None,
    con: sqlite3.Connection | None = None,
) -> Catalog:
    """The catalog and index, brought up to date with the files and the notes ref.

    `full`: rebuild the index from scratch. If another process holds the index, answer from
    the last committed state instead of waiting (unless there is none yet, `wait` or `full`;
    the catalog's `checked` is then False).
    `write=False`: the catalog only, read fresh into a private copy of the manifest, neither
    saved nor indexed (for hooks, which must stay fast and never touch the index).
    `changed`: the `.memory/` paths (relative to it) that may have changed since the manifest
    was last refreshed, as a file watcher saw them (`search.watch`): only those are looked at,
    and git is not asked (`worktree.probe`). `con`: the manifest, kept open by the caller
    (`open_manifest`).
    """
    root = index_root(repo)
    key = _key(types)
    if not write:
        con = manifest.in_memory_copy(root / catalog.MANIFEST)
        return _refresh(repo, memory_dir, root, con, key, types, False, None, write=False)
    with try_lock(root.parent / f"{root.name}.lock") as acquired:
        if not acquired and not full and not wait:
            current = _committed(root, key)
            if current is not None:
                return Catalog(repo, root, *current)
        if not acquired:
            acquired.wait()
        con = open_at(root) if con is None else con
        return _refresh(repo, memory_dir, root, con, key, types, full, progress, changed=changed)


def _committed(root: Path, key: list[Any]) -> tuple[sqlite3.Connection, dict[str, Any]] | None:
    """The manifest another process last committed, if it is usable as it is."""
    if not (root / catalog.MANIFEST).exists():
        return None
    try:
        con = manifest.connect(root / catalog.MANIFEST)
        meta = manifest.meta(con)
    except _DAMAGE:
        return None
    if _usable(meta, key) and _index_matches(root, meta):
        return con, meta
    con.close()
    return None


def _refresh(
    repo: git.RepoInfo,
    memory_dir: Path | None,
    root: Path,
    con: sqlite3.Connection,
    key: list[Any],
    types: list[str],
    full: bool,
    progress: Progress | None,
    write: bool = True,
    changed: Collection[str] | None = None,
) -> Catalog:
    try:
        old = manifest.meta(con)
    except _DAMAGE:
        old = {}
    fresh = full or not _usable(old, key) or not _index_matches(root, old)
    started = time.time_ns()
    changes = Changes()
    tip_oid = _notes_tip(repo, None if fresh else old["notes_tip"])
    previous = None if fresh else _git_state(old["git"])
    watched = None if fresh or previous is None or changed is None else previous
    probe = None if watched is not None else worktree.probe(repo, memory_dir, previous)
    outside: dict[str, str] = {}  # symlinks leading out of the work tree: never read
    try:
        if watched is not None:
            # What the watcher saw, and what git does not vouch for (symlinks: their
            # targets change without an event here).
            assert changed is not None
            wanted = {p for p in changed if worktree.is_record_path(p)} | set(watched.special)
            found = stat_paths(memory_dir, wanted, outside)
            old_files = manifest.file_entries(con, wanted)
        elif fresh or probe is None or previous is None:
            found = scan(memory_dir, outside)
            old_files = {} if fresh else manifest.file_entries(con, None)
        else:
            wanted = probe.listed | probe.special | set(previous.watch)
            if probe.staged is not None:  # the index file changed: compare staged blobs
                digests = manifest.file_digests(con)
                wanted |= {p for p, oid in probe.staged.items() if digests.get(p) != oid}
                wanted |= digests.keys() - probe.staged.keys()
            found = stat_paths(memory_dir, wanted, outside)
            old_files = manifest.file_entries(con, wanted)
        files, gone = refresh_files(
            memory_dir, found, old_files, 0 if fresh else old["scanned"], types, changes, outside
        )
        notes: dict[str, list[Any]] | None = None
        if fresh or tip_oid != old["notes_tip"]:
            old_notes = {} if fresh else manifest.note_entries(con)
            notes = refresh_notes(repo, old_notes, types, changes)
    except _DAMAGE:
        if fresh:
            raise
        # The manifest has the right version but the wrong shape (damaged, or written by
        # another build of gitmem): derived state is rebuilt, never a reason to fail.
        return _refresh(repo, memory_dir, root, con, key, types, True, progress, write)
    updated = {p: e for p, e in files.items() if old_files.get(p) != e}
    if watched is not None:
        # Kept for the next refresh that asks git: every path looked at here is re-checked
        # then (its content may differ from the staged blob git vouches for), as are the
        # paths this one did not look at; the index file's identity stays the one whose
        # staged blobs the manifest was compared with.
        watch = set(watched.watch) | set(found) | set(old_files)
        state = worktree.GitState(watched.index_file, sorted(watch), list(watched.special))
    else:
        state = _new_state(probe, files, changes)
    meta = {
        "key": key,
        "scanned": started,
        "notes_tip": tip_oid,
        "dir": None if fresh else old["dir"],
        "generation": None if fresh else old["generation"],
        "git": list(state),
    }
    update = Update(fresh, updated, gone, notes, meta, changes)
    if not write:
        _save(con, update)
        return Catalog(repo, root, con, meta, changes)
    if not fresh and not changes:
        if updated or gone or notes is not None or changes.rechecked or state != previous:
            try:
                _save(con, update)
            except sqlite3.Error:  # a read-only repository still answers
                meta = old
        return Catalog(repo, root, con, meta, changes)
    try:
        _write_index(root, con, update, changes, progress)
    except Exception:
        if fresh:
            raise
        # The index is damaged in a way its table of contents did not show: start over.
        return _refresh(repo, memory_dir, root, con, key, types, True, progress)
    return Catalog(repo, root, con, meta, changes)


def _notes_tip(repo: git.RepoInfo, known: str | None) -> str | None:
    """The notes ref's commit. Read from its file when it still names `known` (a commit the
    last refresh checked), or from `packed-refs` when there is no such file: no git process;
    otherwise (moved, in a reftable, symbolic) git reads and checks it."""
    if known is not None:
        try:
            loose = (repo.common_dir / git.NOTES_REF).read_bytes().strip()
        except FileNotFoundError:
            loose = _packed(repo.common_dir, git.NOTES_REF)
        except OSError:
            loose = b""
        if loose == known.encode():
            return known
    return git.commit_tip(repo, git.NOTES_REF)


def _packed(common_dir: Path, ref: str) -> bytes:
    """`ref`'s object id in `packed-refs` (b"" when it has none, or there is no such file)."""
    try:
        packed = (common_dir / "packed-refs").read_bytes()
    except OSError:
        return b""
    line = b" " + ref.encode() + b"\n"
    end = packed.find(line)
    if end < 0:
        return b""
    return packed[packed.rfind(b"\n", 0, end) + 1 : end]


def _new_state(
    probe: worktree.Probe | None, files: dict[str, list[Any]], changes: Changes
) -> worktree.GitState:
    """What the next refresh re-checks: what git listed or does not vouch for, and what this
    one read, unless its digest is the staged blob's (git then answers for it)."""
    if probe is None:
        return worktree.GitState(None, [], [])
    staged = probe.staged
    read = {
        p
        for p in changes.read_paths
        if p in files and (staged is None or staged.get(p) != files[p][2])
    }
    watch = probe.listed | probe.special | read
    return worktree.GitState(probe.index_file, sorted(watch), sorted(probe.special))


class Update:
    """What one refresh changes in the manifest."""

    def __init__(
        self,
        fresh: bool,
        files: dict[str, list[Any]],
        gone: set[str],
        notes: dict[str, list[Any]] | None,
        meta: dict[str, Any],
        changes: Changes,
    ) -> None:
        self.fresh, self.files, self.gone, self.notes, self.meta = fresh, files, gone, notes, meta
        self.removed, self.added = changes.removed, changes.added


def _save(con: sqlite3.Connection, update: Update) -> None:
    """Record `update` in the manifest, all of it or nothing."""
    with manifest.transaction(con):
        if update.fresh:
            manifest.clear(con)
        manifest.drop_files(con, update.gone)
        manifest.put_files(con, update.files)
        manifest.put_records(con, update.removed, update.added)
        if update.notes is not None:
            manifest.put_notes(con, update.notes)
        manifest.set_meta(con, update.meta)


def _index_matches(root: Path, meta: dict[str, Any]) -> bool:
    """The index the manifest describes is there, at the generation it was saved with."""
    return catalog.ENGINE.is_current(root / str(meta.get("dir")), meta.get("generation"))


_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.ENOTDIR, errno.EEXIST)


def _write_index(
    root: Path,
    con: sqlite3.Connection,
    update: Update,
    changes: Changes,
    progress: Progress | None,
) -> None:
    import shutil  # only a write removes index directories

    meta = update.meta
    fresh = update.fresh
    name = f"ix-{os.urandom(4).hex()}" if fresh else str(meta["dir"])
    try:
        if fresh:
            generation = catalog.ENGINE.build(root / name, changes.added, progress)
        else:
            generation = catalog.ENGINE.update(
                root / name, changes.removed, changes.added, progress
            )
        meta["dir"] = name
        meta["generation"] = generation
        _save(con, update)
    except BaseException as error:
        if fresh:
            shutil.rmtree(root / name, ignore_errors=True)
        if isinstance(error, OSError) and error.errno in _UNWRITABLE:
            raise GitMemError(
                f"cannot write the search index in {root}: {error.strerror}"
            ) from None
        if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
            raise GitMemError(f"cannot write the search index in {root}: {error}") from None
        raise
    if fresh:  # earlier builds: a reader still using one retries, then waits for the lock
        for old in root.glob("ix-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
