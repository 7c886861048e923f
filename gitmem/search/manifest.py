"""The manifest, an SQLite database queried row by row rather than loaded whole.

What the search index was built from: per `.memory/` file its stat data, digest, ids, problems
and the ids it supersedes; per note its blob, records, problems and times; the ids of every
readable record with where it lives (`records`, indexed by id: a prefix lookup reads only the
rows it finds); what each record supersedes; and a few values (`meta`): the key of the
gitmem and schema versions, the notes tip, the index directory and generation, the last scan
time and what the git index told the last refresh (`worktree.GitState`).

A command that resolves one id prefix reads a few rows; a refresh reads the rows of the files
that changed. Values in `meta` and entries are marshal-encoded (as the old one-file manifest
was): any shape the reader does not expect is damage, and damage means a rebuild.
"""

from __future__ import annotations

# `_sqlite3`, what `sqlite3` re-exports: its dbapi2 also loads datetime and math (~1.5 ms of
# every read) to register date adapters and converters the manifest never uses.
import _sqlite3 as sqlite3
import contextlib
import marshal
from collections.abc import Iterable, Iterator
from pathlib import Path

from gitmem.search.changes import encode_row

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any

    from gitmem.search.changes import Document

NOTE_FIRST, NOTE_LAST = "note:", "note;"  # every `note:<sha>` location sorts between them
DAMAGE = (sqlite3.DatabaseError, ValueError, EOFError, TypeError, KeyError, IndexError)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, digest TEXT, entry BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notes (sha TEXT PRIMARY KEY, entry BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    id TEXT, location TEXT, blob TEXT, created TEXT, epoch INTEGER, type TEXT, row TEXT
);
CREATE INDEX IF NOT EXISTS records_id ON records (id);
CREATE INDEX IF NOT EXISTS records_location ON records (location);
CREATE INDEX IF NOT EXISTS records_newest ON records (epoch DESC, id DESC);
CREATE TABLE IF NOT EXISTS supersedes (location TEXT, old TEXT);
CREATE INDEX IF NOT EXISTS supersedes_location ON supersedes (location);
CREATE TABLE IF NOT EXISTS problems (location TEXT, problem BLOB);
CREATE INDEX IF NOT EXISTS problems_location ON problems (location);
"""
_TABLES = ("meta", "files", "notes", "records", "supersedes", "problems")
LAYOUT = 2  # of the tables above (PRAGMA user_version): a manifest of another is replaced


def connect(path: Path | str) -> sqlite3.Connection:
    """The manifest at `path` (created empty if missing); raises sqlite3.Error if unusable."""
    con = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        # Derived state: a crash may lose the last transaction (the next read rebuilds), but
        # never leaves half of one (the rollback journal).
        con.execute("PRAGMA synchronous=OFF")
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = {name for (name,) in con.execute(sql)}
        if not tables:
            con.executescript(_SCHEMA + f"PRAGMA user_version = {LAYOUT};")
        elif tables != set(_TABLES):
            raise sqlite3.DatabaseError(f"not a gitmem manifest: tables {sorted(tables)}")
        elif con.execute("PRAGMA user_version").fetchone()[0] != LAYOUT:
            raise sqlite3.DatabaseError("a manifest of another layout")
    except BaseException:
        con.close()
        raise
    return con


def open_or_reset(path: Path) -> sqlite3.Connection:
    """The manifest at `path`; one that is not an SQLite database of ours is deleted first."""
    try:
        con = connect(path)
        con.execute("SELECT k FROM meta LIMIT 1").fetchall()
        con.execute("SELECT path, digest, entry FROM files LIMIT 1").fetchall()
        con.execute("SELECT sha, entry FROM notes LIMIT 1").fetchall()
        return con
    except sqlite3.DatabaseError:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).unlink()
        return connect(path)


def in_memory_copy(path: Path) -> sqlite3.Connection:
    """A private copy of the manifest at `path` (empty if there is none or it is damaged),
    for a refresh that must not write (hooks)."""
    copy = connect(":memory:")
    if path.exists():
        with contextlib.suppress(sqlite3.DatabaseError):
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            try:
                source.backup(copy)
            finally:
                source.close()
    try:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        layout = copy.execute("PRAGMA user_version").fetchone()[0]
        if {name for (name,) in copy.execute(sql)} == set(_TABLES) and layout == LAYOUT:
            return copy
    except sqlite3.DatabaseError:
        pass
    copy.close()
    return connect(":memory:")


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _dump(value: Any) -> bytes:
    return marshal.dumps(value)


def _load(data: Any) -> Any:
    if not isinstance(data, bytes):
        raise TypeError("not an encoded value")
    return marshal.loads(data)


# ------------------------------------------------------------------------------------ meta


def meta(con: sqlite3.Connection) -> dict[str, Any]:
    return {k: _load(v) for k, v in con.execute("SELECT k, v FROM meta")}


def set_meta(con: sqlite3.Connection, values: dict[str, Any]) -> None:
    con.executemany(
        "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)",
        [(k, _dump(v)) for k, v in values.items()],
    )


def clear(con: sqlite3.Connection) -> None:
    for table in _TABLES:
        con.execute(f"DELETE FROM {table}")


# ----------------------------------------------------------------------------------- files


def file_entries(con: sqlite3.Connection, paths: Iterable[str] | None) -> dict[str, list[Any]]:
    """The entries of `paths` (every file's when None) that the manifest has."""
    if paths is None:
        rows = con.execute("SELECT path, entry FROM files").fetchall()
    else:
        wanted = sorted(set(paths))
        rows = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT path, entry FROM files WHERE path IN ({marks})"
            rows += con.execute(sql, chunk).fetchall()
    out: dict[str, list[Any]] = {}
    for path, data in rows:
        entry = _load(data)
        if not isinstance(path, str) or not isinstance(entry, list) or len(entry) != 7:
            raise TypeError("a damaged file entry")
        out[path] = entry
    return out


def file_digests(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT path, digest FROM files"))


def put_files(con: sqlite3.Connection, entries: dict[str, list[Any]]) -> None:
    """Store file entries `[mtime, size, digest, ids, problems, superseded, ctime]` and their
    problems (replacing what those paths had)."""
    drop_files(con, entries)
    con.executemany(
        "INSERT INTO files (path, digest, entry) VALUES (?, ?, ?)",
        [(path, entry[2], _dump(entry)) for path, entry in entries.items()],
    )
    problems = [
        (".memory/" + path, _dump(problem))
        for path, entry in entries.items()
        for problem in entry[4]
    ]
    con.executemany("INSERT INTO problems (location, problem) VALUES (?, ?)", problems)


def drop_files(con: sqlite3.Connection, paths: Iterable[str]) -> None:
    keys = [(path,) for path in paths]
    con.executemany("DELETE FROM files WHERE path = ?", keys)
    con.executemany("DELETE FROM problems WHERE location = ?", [(".memory/" + p,) for (p,) in keys])


def put_records(con: sqlite3.Connection, removed: Iterable[str], added: Iterable[Document]) -> None:
    """What the index gets, the manifest gets: drop the records of the `removed` locations,
    add `added` (each with its row, for `newest`, and what it supersedes)."""
    locations = [(location,) for location in removed]
    con.executemany("DELETE FROM records WHERE location = ?", locations)
    con.executemany("DELETE FROM supersedes WHERE location = ?", locations)
    records, supersedes = [], []
    for row, _body, epoch in added:
        location, blob = row["location"], row.get("blob")
        created = str(row["created"]) if blob is not None else None
        records.append((row["id"], location, blob, created, epoch, row["type"], encode_row(row)))
        supersedes += [(location, old) for old in row.get("supersedes", [])]
    con.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", records)
    con.executemany("INSERT INTO supersedes (location, old) VALUES (?, ?)", supersedes)


# ----------------------------------------------------------------------------------- notes


def note_entries(con: sqlite3.Connection) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for sha, data in con.execute("SELECT sha, entry FROM notes"):
        entry = _load(data)
        if not isinstance(sha, str) or not isinstance(entry, list) or len(entry) != 6:
            raise TypeError("a damaged note entry")
        out[sha] = entry
    return out


def put_notes(con: sqlite3.Connection, notes: dict[str, list[Any]]) -> None:
    """Replace every note entry and the problems found in notes."""
    con.execute("DELETE FROM notes")
    sql = "DELETE FROM problems WHERE location >= ? AND location < ?"
    con.execute(sql, (NOTE_FIRST, NOTE_LAST))
    con.executemany(
        "INSERT INTO notes (sha, entry) VALUES (?, ?)",
        [(sha, _dump(entry)) for sha, entry in notes.items()],
    )
    problems = [
        (f"note:{sha}", _dump(problem)) for sha, entry in notes.items() for problem in entry[2]
    ]
    con.executemany("INSERT INTO problems (location, problem) VALUES (?, ?)", problems)


# --------------------------------------------------------------------------------- lookups


def find(con: sqlite3.Connection, prefix: str) -> list[dict[str, Any]]:
    """`{id, location[, blob, created]}` of every record whose id starts with `prefix`."""
    sql = "SELECT id, location, blob, created FROM records"
    args: tuple[str, ...] = ()
    if prefix:
        sql += " WHERE id >= ? AND id < ?"
        args = (prefix, prefix + "\U0010ffff")
    rows: list[dict[str, Any]] = []
    for record_id, location, blob, created in con.execute(sql, args):
        row: dict[str, Any] = {"id": str(record_id), "location": str(location)}
        if blob is not None:
            row["blob"], row["created"] = str(blob), str(created)
        rows.append(row)
    return rows


def newest(con: sqlite3.Connection, types: list[str]) -> Iterator[dict[str, Any]]:
    """Every record's row (of `types`, or of all), newest first (ties: id, descending), read
    as they are consumed."""
    sql = "SELECT row FROM records"
    if types:
        sql += f" WHERE type IN ({','.join('?' * len(types))})"
    cursor = con.execute(sql + " ORDER BY epoch DESC, id DESC", types)
    import json  # here: `show` reads rows without it (~1.5 ms to import)

    while batch := cursor.fetchmany(64):
        for (row,) in batch:
            yield json.loads(row)


def superseding(con: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """The rows of the records some record supersedes and at every location holding one
    that supersedes another (a note's other records come along), newest first, read as they
    are consumed."""
    sql = (
        "SELECT row FROM records WHERE location IN (SELECT location FROM supersedes)"
        " OR id IN (SELECT old FROM supersedes) ORDER BY epoch DESC, id DESC"
    )
    cursor = con.execute(sql)
    import json

    while batch := cursor.fetchmany(64):
        for (row,) in batch:
            yield json.loads(row)


def superseded(con: sqlite3.Connection) -> set[str]:
    return {str(old) for (old,) in con.execute("SELECT DISTINCT old FROM supersedes")}


def noted(con: sqlite3.Connection) -> Iterator[str]:
    """The commits whose notes hold a record that is read (not a copy left behind)."""
    sql = "SELECT DISTINCT location FROM records WHERE location >= ? AND location < ?"
    for (location,) in con.execute(sql, (NOTE_FIRST, NOTE_LAST)).fetchall():
        yield str(location)[5:]


def problems(con: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every problem found, files first, each place's in the order they were found."""
    rows = con.execute(
        "SELECT problem FROM problems ORDER BY location >= ?, location, rowid", (NOTE_FIRST,)
    )
    return [tuple(_load(data)) for (data,) in rows]


def count(con: sqlite3.Connection) -> int:
    return int(con.execute("SELECT count(*) FROM records").fetchone()[0])
