"""Caches of every record's fields (not bodies), so `list` and id lookups need not parse.

Derived state under `<common-dir>/gitmem/`, one set per worktree, validated on every use: a file
whose path, mtime and size are unchanged, and a note whose blob is unchanged, are not read again;
the notes are not even walked while the notes ref tip is unchanged. Delete them at any time.

Two caches of the same shape: `catalog*.json` holds whole rows for `list` and `doctor`;
`lookup*.json` holds only what resolving an id needs, so `show`, `edit` and `rm` load a tenth
of the data (at 10k records, json-decoding full rows alone is ~50 ms).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, NamedTuple

from gitmem import git
from gitmem.errors import RecordError
from gitmem.files import atomic_write, read_text
from gitmem.record import NoteChunk, parse_file, parse_note, parse_time

VERSION = 5
RACY_NS = 2_000_000_000
Row = dict[str, Any]
# What `Store.resolve` and `Store.load` need of a record; `location` (and a note's `blob`) are
# not stored at all but derived from the entry's key, which keeps the lookup cache small.
FILE_LOOKUP_KEYS = ("id",)
NOTE_LOOKUP_KEYS = ("id", "created", "commits")


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


def _trim(rows: list[Row], keys: tuple[str, ...] | None) -> list[Row]:
    if keys is None:
        return rows
    return [{key: row[key] for key in keys if key in row} for row in rows]


def file_rows(memory_dir: Path, relpath: str, types: list[str]) -> tuple[list[Row], list[Problem]]:
    """The record in one file as catalog rows, or the reason it cannot be read."""
    location = f".memory/{relpath}"
    try:
        text = read_text(memory_dir / relpath, location)
        memory = parse_file(text, location, types)
    except RecordError as error:
        return [], [Problem.from_error(error)]
    except OSError as error:
        return [], [Problem(location, f"cannot read: {error.strerror}")]
    return [memory.fields()], []


def note_rows(chunks: list[NoteChunk]) -> tuple[list[Row], list[Problem]]:
    """The records in one note as catalog rows, and what could not be read in it."""
    rows = []
    errors = [Problem.from_error(chunk.error) for chunk in chunks if chunk.error is not None]
    for chunk in chunks:
        if chunk.memory is None:
            continue
        row = chunk.memory.fields()
        if chunk.memory.foreign:
            row["foreign"] = True
        rows.append(row)
    return rows, errors


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


class Catalog:
    """Rows for every record in files and notes, plus warnings for what could not be read.

    A note git copied to the new commit of an amend or rebase (notes.rewriteRef) also stays on
    the old commit; such byte-identical copies are one record, listed where it was copied to.
    Rows are assembled on demand: resolving an id builds only the rows that match it.
    """

    def __init__(
        self,
        files: dict[str, list[Any]],
        notes: dict[str, list[Any]],
        rebuild: Callable[[], Catalog] | None = None,
    ) -> None:
        self._files = files  # {relpath: [mtime, size, rows, problems]}
        self._notes = notes  # {sha: [blob, rows, problems, commit time, age]}
        self._rebuild = rebuild  # from scratch, when the cache these came from is damaged
        self._rows: list[Row] | None = None

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = self._assemble(lambda record_id: True)
        return self._rows

    def find(self, prefix: str) -> list[Row]:
        """The rows whose id starts with `prefix`."""
        return self._assemble(lambda record_id: record_id.startswith(prefix))

    @property
    def warnings(self) -> list[Problem]:
        self.rows  # noqa: B018 - assembling first checks the entries' shape
        entries = [*(e[3] for e in self._files.values()), *(e[2] for e in self._notes.values())]
        return [Problem(*problem) for problems in entries for problem in problems]

    def _assemble(self, wanted: Callable[[str], bool]) -> list[Row]:
        try:
            return self._assemble_rows(wanted)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            if self._rebuild is None:
                raise
            fresh = self._rebuild()  # the right version but the wrong shape: start over
            self._files, self._notes, self._rebuild = fresh._files, fresh._notes, None
            return self._assemble_rows(wanted)

    def _assemble_rows(self, wanted: Callable[[str], bool]) -> list[Row]:
        rows: list[Row] = []
        for relpath, entry in self._files.items():
            for row in entry[2]:  # (loops, not generators: ~10k files per command)
                if wanted(row["id"]):
                    rows.append({**row, "location": ".memory/" + relpath})
        copies: dict[tuple[str, str], tuple[tuple[bool, str, int], Row]] = {}
        for sha, (blob, note_rows, _problems, commit_time, age) in self._notes.items():
            for cached in note_rows:
                if not wanted(cached["id"]):
                    continue
                # Where it was copied to: not the commit the record was saved about, the
                # newest commit, the note added last.
                rank = (sha not in cached.get("commits", []), commit_time, -age)
                copy = (cached["id"], blob)
                if copy not in copies or copies[copy][0] < rank:
                    copies[copy] = (rank, {**cached, "location": f"note:{sha}", "blob": blob})
        rows.extend(row for _rank, row in copies.values())
        return rows


def _load_cache(path: Path, key: list[Any]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not _well_formed(data):
        return {}  # another version, or damaged: derived state is rebuilt, never an error
    return data


def _well_formed(data: dict[str, Any]) -> bool:
    # Only the outline: entries are checked where they are used (see Catalog._assemble).
    return isinstance(data.get("files", {}), dict) and isinstance(data.get("notes", {}), dict)


def cache_path(repo: git.RepoInfo, full: bool) -> Path:
    name = "catalog" if full else "lookup"
    if repo.git_dir != repo.common_dir:  # a linked worktree: its own files, its own cache
        name += "-" + repo.git_dir.name
    return repo.state_dir / f"{name}.json"


def refresh(repo: git.RepoInfo, memory_dir: Path | None, types: list[str], full: bool) -> Catalog:
    """Bring a cache up to date with the files and the notes ref, re-reading only changes.

    `full`: every field of every record; otherwise only the lookup keys.
    """
    path = cache_path(repo, full)
    key = [VERSION, sorted(types), full]
    cache = _load_cache(path, key)
    try:
        return _refresh(repo, memory_dir, types, full, path, key, cache)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        if not cache:
            raise
        # The right version but the wrong shape (a damaged file, another build of gitmem):
        # derived state is rebuilt, never a reason to fail.
        return _refresh(repo, memory_dir, types, full, path, key, {})


def _as_cached(value: Any) -> Any:
    """`value` as it reads back from the cache file."""
    return json.loads(json.dumps(value, default=str))


def _refresh(
    repo: git.RepoInfo,
    memory_dir: Path | None,
    types: list[str],
    full: bool,
    cache_path: Path,
    key: list[Any],
    cache: dict[str, Any],
) -> Catalog:
    dirty = False
    started = time.time_ns()
    # Racy-git rule: a file whose mtime is not clearly older than the last scan may have
    # changed again within the mtime tick it was read in, keeping its size; it is re-read.
    # Ticks are as coarse as 1 s (ext3, HFS+) or 2 s (FAT), and mtimes come from a coarser
    # clock than time_ns(), hence the margin.
    last_scan = int(cache.get("scanned", 0)) - RACY_NS
    # Linked worktrees share this cache (and its notes), not their files' stat data.
    work_tree = str(memory_dir) if memory_dir is not None else None
    same_tree = cache.get("work_tree") == work_tree
    old_files: dict[str, list[Any]] = cache.get("files", {}) if same_tree else {}
    files: dict[str, list[Any]] = {}
    get = old_files.get
    for relpath, (mtime, size) in scan(memory_dir).items():
        entry = get(relpath)
        if entry is not None and entry[0] == mtime and entry[1] == size and mtime < last_scan:
            files[relpath] = entry
            continue
        assert memory_dir is not None
        parsed, error = file_rows(memory_dir, relpath, types)
        files[relpath] = [mtime, size, _trim(parsed, None if full else FILE_LOOKUP_KEYS), error]
        # A racy file read again and found unchanged is no reason to rewrite the cache.
        dirty = dirty or entry != _as_cached(files[relpath])
    dirty = dirty or not same_tree or files.keys() != old_files.keys()

    tip = git.ref_tip(repo, git.NOTES_REF)
    if tip is not None and tip.kind != "commit":
        raise git.not_a_commit(git.NOTES_REF, tip.kind)
    notes: dict[str, list[Any]] = cache.get("notes", {})
    tip_oid = tip.oid if tip else None
    if tip_oid != cache.get("notes_tip"):
        notes = _refresh_notes(repo, notes, types, None if full else NOTE_LOOKUP_KEYS)
        dirty = True

    if dirty:
        data = {
            "key": key,
            "scanned": started,
            "work_tree": work_tree,
            "files": files,
            "notes_tip": tip_oid,
            "notes": notes,
        }
        # A read-only repository still answers, just without the cache.
        with contextlib.suppress(OSError):
            atomic_write(
                # default=str: YAML dates in unknown keys or metadata (`when: 2026-01-02`).
                cache_path,
                json.dumps(data, separators=(",", ":"), default=str).encode(),
                durable=False,
            )
    rebuild = (
        (lambda: _refresh(repo, memory_dir, types, full, cache_path, key, {})) if cache else None
    )
    return Catalog(files, notes, rebuild)


def _refresh_notes(
    repo: git.RepoInfo, old: dict[str, list[Any]], types: list[str], keys: tuple[str, ...] | None
) -> dict[str, list[Any]]:
    pyrepo = git.open_repo(repo)
    _tip, mapping = git.notes_map(pyrepo)
    notes: dict[str, list[Any]] = {}
    for sha, blob in mapping.items():
        entry = old.get(sha)
        if entry and entry[0] == blob:
            notes[sha] = entry
            continue
        source = f"note:{sha}"
        data = git.read_object(pyrepo, blob)
        created = git.object_time(pyrepo, sha)
        chunks = parse_note(data.decode("utf-8", "surrogateescape"), source, created, types)
        rows, problems = note_rows(chunks)
        # A UTC timestamp string: sorts as time, survives the JSON round trip.
        commit_time = parse_time(created).astimezone(UTC).isoformat()
        notes[sha] = [blob, _trim(rows, keys), problems, commit_time, 0]
    # The same note blob on several commits: git copied it on a rewrite. How long ago each copy
    # was added to the notes ref tells the rewrite's result from its source.
    by_blob: dict[str, list[str]] = {}
    for sha, blob in mapping.items():
        by_blob.setdefault(blob, []).append(sha)
    copied = [sha for shas in by_blob.values() if len(shas) > 1 for sha in shas]
    for sha, age in git.notes_age(pyrepo, copied).items():
        notes[sha][4] = age
    return notes
