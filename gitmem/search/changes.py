"""What changed since the manifest: files and notes read into documents for the index.

`refresh.refresh` calls `refresh_files` (for the files `worktree.probe` names, or every file
`scan` finds) and `refresh_notes` with the old manifest entries; they return the new entries
and collect in `Changes` what the index must drop and add. Only files whose stat data or
content changed and notes whose blobs changed are parsed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path
from stat import S_ISREG

from gitmem import NamedTuple
from gitmem.errors import RecordError
from gitmem.store import git, objects
from gitmem.store.files import decode_text, escapes

# The record parsers (front_matter, note_stream, record: with dataclasses and validation, ~2 ms)
# are imported by the functions that read a file or a note: a read with nothing changed reads
# none, and neither `list` nor `search` then loads them.
TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any

    from gitmem.store.note_stream import NoteChunk
    from gitmem.store.record import Memory


RACY_NS = 2_000_000_000
Row = dict[str, "Any"]  # a string: `typing` is not loaded at run time


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


Stat = tuple[int, int, int]  # mtime_ns, size, ctime_ns


def scan(memory_dir: Path | None, outside: dict[str, str] | None = None) -> dict[str, Stat]:
    """Every record file under `.memory/`: {relative path: (mtime_ns, size, ctime_ns)}.

    The hot loop of every read command (one stat per file): kept to the bare minimum. A file
    that is a symlink leading out of the work tree is left out and put in `outside` (relative
    path: where it leads); so is everything when `.memory/` itself leads out (key "").
    """
    found: dict[str, Stat] = {}
    if memory_dir is None:
        return found
    root = memory_dir.parent
    if memory_dir.is_symlink() and (target := escapes(memory_dir, root)) is not None:
        if outside is not None:
            outside[""] = target
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
                        if entry.is_symlink() and (target := escapes(entry.path, root)):
                            if outside is not None:
                                outside[prefix + name] = target
                            continue
                        stat = entry.stat()
                        found[prefix + name] = (
                            stat.st_mtime_ns,
                            stat.st_size,
                            stat.st_ctime_ns,
                        )
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{name}/"))
                elif (
                    outside is not None
                    and entry.is_symlink()
                    and entry.is_dir()
                    and (target := escapes(entry.path, root))
                ):
                    outside[f"{prefix}{name}/"] = target  # never followed; said why
    return found


def encode_row(row: Row) -> str:
    import json  # here: `show` encodes no row (~1.5 ms to import)

    # default=str: YAML dates in unknown keys or metadata (`when: 2026-01-02`).
    return json.dumps(row, separators=(",", ":"), default=str, ensure_ascii=False)


def _epoch(created: str) -> int:
    from gitmem.store.record import parse_time

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


class Changes:
    """What the index must drop (by location) and add, from one refresh."""

    def __init__(self) -> None:
        self.removed: set[str] = set()
        self.added: list[Document] = []
        # Files re-read only because they were written too close to the last scan to trust
        # their mtime (racy), and found unchanged: the scan time must still move on, or every
        # later read re-reads them again.
        self.rechecked = 0
        self.checked = 0  # files whose stat data were compared with the manifest
        self.read = 0  # files read, changed or not
        self.read_paths: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def replace(self, location: str, documents: list[Document]) -> None:
        self.removed.add(location)
        self.added.extend(documents)


def blob_id(data: bytes) -> str:
    """The id git gives `data` as a blob: a file's digest, comparable with git's index."""
    import hashlib  # lazily: only when a file is read (~5 ms: OpenSSL), not on every read

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def stat_paths(
    memory_dir: Path | None, relpaths: Iterable[str], outside: dict[str, str] | None = None
) -> dict[str, Stat]:
    """`scan`'s answer for only `relpaths`: those that are files now (a symlink leading out
    of the work tree goes to `outside`, as `scan` does)."""
    found: dict[str, Stat] = {}
    if memory_dir is None:
        return found
    base = str(memory_dir) + "/"
    root = memory_dir.parent
    for relpath in relpaths:
        try:
            if os.path.islink(base + relpath) and (target := escapes(base + relpath, root)):
                if outside is not None:
                    outside[relpath] = target
                continue
            stat = os.stat(base + relpath)
        except (OSError, ValueError):
            continue
        if S_ISREG(stat.st_mode):
            found[relpath] = (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns)
    return found


def refresh_files(
    memory_dir: Path | None,
    found: dict[str, Stat],
    old_files: dict[str, list[Any]],
    scanned: int,
    types: list[str],
    changes: Changes,
    outside: dict[str, str] | None = None,
) -> tuple[dict[str, list[Any]], set[str]]:
    """The manifest entries of the `found` files (stat data from `scan` or `stat_paths`),
    given the old entries of at least those (`old_files`), and which of `old_files` are gone.
    `scanned`: when the old entries' stat data were taken (time_ns). `outside`: the symlinks
    `scan` or `stat_paths` left out because they lead out of the work tree (each becomes an
    entry with its problem, never read)."""
    # Racy-git rule: a file whose mtime is not clearly older than the last scan may have
    # changed again within the mtime tick it was read in, keeping its size; it is re-read.
    # Ticks are as coarse as 1 s (ext3, HFS+) or 2 s (FAT), and mtimes come from a coarser
    # clock than time_ns(), hence the margin. Its digest tells whether it really changed.
    # The ctime (which no one can set back, unlike the mtime) must be the same too, as git
    # checks it: an edit that keeps the size and restores the mtime is still seen.
    last_scan = int(scanned) - RACY_NS
    files: dict[str, list[Any]] = {}
    get = old_files.get
    changes.checked += len(found)
    for relpath, (mtime, size, ctime) in found.items():
        entry = get(relpath)
        if (
            entry is not None
            and entry[0] == mtime
            and entry[1] == size
            and entry[6] == ctime
            and mtime < last_scan
        ):
            files[relpath] = entry
            continue
        assert memory_dir is not None
        location = ".memory/" + relpath
        changes.read += 1
        changes.read_paths.add(relpath)
        try:
            data = (memory_dir / relpath).read_bytes()
        except OSError as error:
            files[relpath] = [
                mtime,
                size,
                "",
                [],
                [(location, f"cannot read: {error.strerror}", None)],
                [],  # supersedes nothing: the manifest's file entries all have seven fields
                ctime,
            ]
            changes.removed.add(location)
            continue
        digest = blob_id(data)
        if entry is not None and entry[2] == digest:
            files[relpath] = [mtime, size, *entry[2:6], ctime]  # touched, or racy: unchanged
            changes.rechecked += 1
            continue
        memories, problems = _read_file(data, location, types)
        ids = [m.id for m in memories]
        superseded = [old for m in memories for old in m.supersedes]
        files[relpath] = [mtime, size, digest, ids, problems, superseded, ctime]
        changes.replace(location, [_document(m, location) for m in memories])
    for relpath, target in (outside or {}).items():
        location = (".memory/" + relpath).rstrip("/")
        message = f"a symlink to {target}, outside the work tree"
        files[relpath] = [0, 0, "", [], [(location, message, None)], [], 0]
        if get(relpath) != files[relpath]:
            changes.removed.add(".memory/" + relpath)  # it may have been a record before
    gone = old_files.keys() - files.keys()
    for relpath in gone:
        changes.removed.add(".memory/" + relpath)
    return files, gone


def _read_file(
    data: bytes, location: str, types: list[str]
) -> tuple[list[Memory], list[tuple[str, str, int | None]]]:
    from gitmem.store.front_matter import parse_file

    try:
        return [parse_file(decode_text(data, location), location, types)], []
    except RecordError as error:
        return [], [tuple(Problem.from_error(error))]  # type: ignore[list-item]


def parse_note(text: str, location: str, created: str, types: list[str]) -> list[NoteChunk]:
    """`note_stream.parse_note`, loaded when a note is read."""
    from gitmem.store import note_stream

    return note_stream.parse_note(text, location, created, types)


def refresh_notes(
    repo: git.RepoInfo, old: dict[str, list[Any]], types: list[str], changes: Changes
) -> dict[str, list[Any]]:
    from gitmem.store.record import parse_time

    pyrepo = objects.open_repo(repo)
    _tip, mapping = objects.notes_map(pyrepo)
    notes: dict[str, list[Any]] = {}
    parsed: dict[str, list[NoteChunk]] = {}

    def chunks(sha: str, blob: str, created: str) -> list[NoteChunk]:
        if sha not in parsed:
            text = objects.read_object(pyrepo, blob).decode("utf-8", "surrogateescape")
            parsed[sha] = parse_note(text, f"note:{sha}", created, types)
        return parsed[sha]

    for sha, blob in mapping.items():
        entry = old.get(sha)
        if entry and entry[0] == blob:
            notes[sha] = [*entry[:4], 0, entry[5]]
            continue
        created = objects.object_time(pyrepo, sha)
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
    for sha, age in objects.notes_age(pyrepo, copied).items():
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
