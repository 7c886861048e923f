"""What records exist where, kept in step with the search index; re-reads only what changed.

Derived state under `<common-dir>/gitmem/index/<worktree>/` (DESIGN §4): a manifest of what the
Whoosh index was built from — per file its path, mtime, size, a digest and the ids in it; per
note its blob, ids and the commit's time; the notes ref tip — and the index itself. Every read
command calls `refresh`: a directory walk and a ref lookup when nothing changed; otherwise only
changed files and notes are parsed, and the index is updated before the manifest is saved.
Resolving an id prefix needs only the manifest, so `show` never opens the index (nor imports
Whoosh) unless something changed.

Delete it at any time. A missing, damaged, other-version or half-written index is rebuilt; a
process that finds another one updating the index answers from the last committed state rather
than waiting; a process killed half-way leaves a state the next one detects and rebuilds.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import marshal
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from gitmem import git
from gitmem.errors import GitMemError, RecordError
from gitmem.files import atomic_write, decode_text, try_lock
from gitmem.record import Memory, NoteChunk, parse_file, parse_note, parse_time

if TYPE_CHECKING:
    from whoosh.index import FileIndex

VERSION = 2  # of the manifest
# Of index.py's schema and analysis: bump on any change there, and old indexes are rebuilt.
# (Kept here so that checking it does not import Whoosh.)
SCHEMA_VERSION = 5
RACY_NS = 2_000_000_000
Row = dict[str, Any]
Progress = Callable[[int, int], None]


class Problem(NamedTuple):
    """Something wrong with a record, and where: `.memory/...` or `note:<sha>`, and a line."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.location}:{self.line}" if self.line else self.location
        return f"{where}: {self.message}"

    @classmethod
    def from_error(cls, error: RecordError) -> Problem:
        message = f"{error.field}: {error.message}" if error.field else error.message
        return cls(error.source, message, error.line)


def scan(memory_dir: Path | None) -> dict[str, tuple[int, int]]:
    """Every record file under `.memory/`: {relative path: (mtime_ns, size)}.

    The hot loop of every read command (one stat per file): kept to the bare minimum.
    """
    found: dict[str, tuple[int, int]] = {}
    if memory_dir is None:
        return found
    stack = [(str(memory_dir), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue  # temp files of atomic writes, editor swap files
                if name[-3:] == ".md" and entry.is_file():
                    if prefix or name != "README.md":
                        stat = entry.stat()
                        found[prefix + name] = (stat.st_mtime_ns, stat.st_size)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{name}/"))
    return found


def encode_row(row: Row) -> str:
    # default=str: YAML dates in unknown keys or metadata (`when: 2026-01-02`).
    return json.dumps(row, separators=(",", ":"), default=str, ensure_ascii=False)


def _epoch(created: str) -> int:
    try:
        return int(parse_time(created).timestamp())
    except (ValueError, OverflowError):
        return 0


class Document(NamedTuple):
    """One record to index: its catalog row (fields + location), body, and creation time."""

    row: Row
    body: str
    created: int  # seconds since the epoch


def _document(memory: Memory, location: str, blob: str | None = None) -> Document:
    row = memory.fields()
    row["location"] = location
    if blob is not None:
        row["blob"] = blob
    if memory.foreign:
        row["foreign"] = True
    return Document(row, memory.body, _epoch(memory.created))


# ------------------------------------------------------------------------------ catalog


class Catalog:
    """The manifest: where every record lives, what could not be read, and the index.

    A note git copied to the new commit of an amend or rebase (notes.rewriteRef) also stays on
    the old commit; such byte-identical copies are one record, indexed where it was copied to.
    """

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = root
        self._manifest = manifest

    @functools.cached_property
    def _winners(self) -> dict[str, set[str]]:
        return winners(self._manifest["notes"])

    @property
    def index_dir(self) -> Path:
        return self.root / str(self._manifest["dir"])

    def open_index(self) -> FileIndex:
        from gitmem import index

        return index.open_index(self.index_dir)

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

    @property
    def superseded(self) -> set[str]:
        """Ids some record names in `supersedes`: they read as superseded (DESIGN §2)."""
        found = {old for entry in self._manifest["files"].values() for old in entry[5]}
        notes = self._manifest["notes"]
        for sha, ids in self._winners.items():
            for record_id, _own, supersedes in notes[sha][1]:
                if record_id in ids:
                    found.update(supersedes)
        return found

    @property
    def count(self) -> int:
        files = sum(len(entry[3]) for entry in self._manifest["files"].values())
        return files + sum(len(ids) for ids in self._winners.values())


def winners(notes: dict[str, list[Any]]) -> dict[str, set[str]]:
    """Per annotated commit, the ids indexed there: one copy of each record git duplicated.

    A rewrite (amend, rebase) copies a note to the new commit and leaves it on the old one. A
    record found both on a commit it is about (its `commits`) and elsewhere is read where it
    was copied to, even after that copy was edited; byte-identical copies are one record, read
    on the newest commit, the note added last. Different records sharing an id on commits they
    are each about stay duplicates, for `doctor` to report.
    """
    copies: dict[str, list[tuple[bool, str, int, str, str]]] = {}
    for sha, (blob, records, _problems, commit_time, age, _created) in notes.items():
        for record_id, own, _supersedes in records:
            copies.setdefault(record_id, []).append((not own, commit_time, -age, sha, blob))
    out: dict[str, set[str]] = {}
    for record_id, found in copies.items():
        if len(found) > 1 and any(copy[0] for copy in found):
            found = [copy for copy in found if copy[0]]  # left behind on the rewritten commit
        best: dict[str, tuple[bool, str, int, str, str]] = {}
        for copy in found:
            blob = copy[4]
            if blob not in best or best[blob] < copy:
                best[blob] = copy
        for copy in best.values():
            out.setdefault(copy[3], set()).add(record_id)
    return out


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
                return Catalog(root, current)
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
    changes = _Changes()
    tip = git.ref_tip(repo, git.NOTES_REF)
    if tip is not None and tip.kind != "commit":
        raise git.not_a_commit(git.NOTES_REF, tip.kind)
    tip_oid = tip.oid if tip else None
    try:
        files = _refresh_files(memory_dir, old, types, changes)
        notes: dict[str, list[Any]] = old["notes"]
        if tip_oid != old["notes_tip"]:
            notes = _refresh_notes(repo, old["notes"], types, changes)
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
        return Catalog(root, manifest)
    if not fresh and not changes:
        if files != old["files"] or tip_oid != old["notes_tip"]:
            with contextlib.suppress(OSError):  # a read-only repository still answers
                _save(root, manifest)
        return Catalog(root, manifest)
    try:
        _write_index(root, manifest, changes, fresh, progress)
    except Exception:
        if fresh:
            raise
        # The index is damaged in a way its table of contents did not show: start over.
        return _refresh(repo, memory_dir, root, key, types, True, progress)
    return Catalog(root, manifest)


class _Changes:
    """What the index must drop (by location) and add, from one refresh."""

    def __init__(self) -> None:
        self.removed: set[str] = set()
        self.added: list[Document] = []

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def replace(self, location: str, documents: list[Document]) -> None:
        self.removed.add(location)
        self.added.extend(documents)


def _index_matches(root: Path, manifest: dict[str, Any]) -> bool:
    """The index the manifest describes is there, at the generation it was saved with.

    Whoosh names each commit `_MAIN_<generation>.toc`: a newer one means a process died
    between committing the index and saving the manifest. (Damage the file names do not show
    surfaces when the index is read, and leads to a rebuild there.)
    """
    try:
        names = os.listdir(root / str(manifest.get("dir")))
    except OSError:
        return False
    generations = [
        int(name[6:-4]) for name in names if name.startswith("_MAIN_") and name.endswith(".toc")
    ]
    return bool(generations) and max(generations) == manifest.get("generation")


_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.ENOTDIR, errno.EEXIST)


def _write_index(
    root: Path,
    manifest: dict[str, Any],
    changes: _Changes,
    fresh: bool,
    progress: Progress | None,
) -> None:
    from gitmem import index  # only here: Whoosh costs ~140 ms to import

    name = f"ix-{os.urandom(4).hex()}" if fresh else str(manifest["dir"])
    try:
        ix = index.create(root / name) if fresh else index.open_index(root / name)
        manifest["dir"] = name
        manifest["generation"] = index.write(
            ix, changes.removed, changes.added, encode_row, fresh=fresh, progress=progress
        )
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


def _refresh_files(
    memory_dir: Path | None, old: dict[str, Any], types: list[str], changes: _Changes
) -> dict[str, list[Any]]:
    # Racy-git rule: a file whose mtime is not clearly older than the last scan may have
    # changed again within the mtime tick it was read in, keeping its size; it is re-read.
    # Ticks are as coarse as 1 s (ext3, HFS+) or 2 s (FAT), and mtimes come from a coarser
    # clock than time_ns(), hence the margin. Its digest tells whether it really changed.
    last_scan = int(old["scanned"]) - RACY_NS
    old_files: dict[str, list[Any]] = old["files"]
    files: dict[str, list[Any]] = {}
    get = old_files.get
    for relpath, (mtime, size) in scan(memory_dir).items():
        entry = get(relpath)
        if entry is not None and entry[0] == mtime and entry[1] == size and mtime < last_scan:
            files[relpath] = entry
            continue
        assert memory_dir is not None
        location = ".memory/" + relpath
        try:
            data = (memory_dir / relpath).read_bytes()
        except OSError as error:
            files[relpath] = [
                mtime,
                size,
                "",
                [],
                [(location, f"cannot read: {error.strerror}", None)],
            ]
            changes.removed.add(location)
            continue
        digest = hashlib.blake2b(data, digest_size=12).hexdigest()
        if entry is not None and entry[2] == digest:
            files[relpath] = [mtime, size, *entry[2:]]  # touched, not changed
            continue
        memories, problems = _read_file(data, location, types)
        ids = [m.id for m in memories]
        superseded = [old for m in memories for old in m.supersedes]
        files[relpath] = [mtime, size, digest, ids, problems, superseded]
        changes.replace(location, [_document(m, location) for m in memories])
    for relpath in old_files.keys() - files.keys():
        changes.removed.add(".memory/" + relpath)
    return files


def _read_file(
    data: bytes, location: str, types: list[str]
) -> tuple[list[Memory], list[tuple[str, str, int | None]]]:
    try:
        return [parse_file(decode_text(data, location), location, types)], []
    except RecordError as error:
        return [], [tuple(Problem.from_error(error))]  # type: ignore[list-item]


def _refresh_notes(
    repo: git.RepoInfo, old: dict[str, list[Any]], types: list[str], changes: _Changes
) -> dict[str, list[Any]]:
    pyrepo = git.open_repo(repo)
    _tip, mapping = git.notes_map(pyrepo)
    notes: dict[str, list[Any]] = {}
    parsed: dict[str, list[NoteChunk]] = {}

    def chunks(sha: str, blob: str, created: str) -> list[NoteChunk]:
        if sha not in parsed:
            text = git.read_object(pyrepo, blob).decode("utf-8", "surrogateescape")
            parsed[sha] = parse_note(text, f"note:{sha}", created, types)
        return parsed[sha]

    for sha, blob in mapping.items():
        entry = old.get(sha)
        if entry and entry[0] == blob:
            notes[sha] = [*entry[:4], 0, entry[5]]
            continue
        created = git.object_time(pyrepo, sha)
        found = chunks(sha, blob, created)
        records = [
            (chunk.memory.id, sha in chunk.memory.commits, chunk.memory.supersedes)
            for chunk in found
            if chunk.memory
        ]
        problems = [tuple(Problem.from_error(c.error)) for c in found if c.error is not None]
        # A UTC timestamp string: sorts as time.
        commit_time = parse_time(created).astimezone(UTC).isoformat()
        notes[sha] = [blob, records, problems, commit_time, 0, created]
    # The same note blob on several commits: git copied it on a rewrite. How long ago each copy
    # was added to the notes ref tells the rewrite's result from its source.
    by_blob: dict[str, list[str]] = {}
    for sha, blob in mapping.items():
        by_blob.setdefault(blob, []).append(sha)
    copied = [sha for shas in by_blob.values() if len(shas) > 1 for sha in shas]
    for sha, age in git.notes_age(pyrepo, copied).items():
        notes[sha][4] = age

    before, after = winners(old), winners(notes)
    for sha in old.keys() - notes.keys():
        changes.removed.add(f"note:{sha}")
    for sha, (blob, *_rest, created) in notes.items():
        unchanged = sha in old and old[sha][0] == blob
        if unchanged and before.get(sha) == after.get(sha):
            continue
        wanted = after.get(sha, set())
        memories = [c.memory for c in chunks(sha, blob, created) if c.memory is not None]
        location = f"note:{sha}"
        documents = [_document(m, location, blob) for m in memories if m.id in wanted]
        changes.replace(location, documents)
    return notes
