"""One `git mem publish` run: compare this repository with what the database holds for it and
send only the difference, in one transaction.

Exact: a place (a `.memory/` file, a note) whose digest changed has its records replaced, one
gone from the repository has them removed, a session whose transcript blob changed has its new
messages added and its vanished ones removed (keyed by message hash). Nothing changed: nothing
is written, not even the audit row. Bulk rows go in with COPY.

Safe with many publishers: the whole run is one transaction under a transaction-scoped
advisory lock on the repository's name (two CI jobs of one repository take turns; different
repositories run side by side), so a run that dies (killed, connection lost) leaves the
previous published state, and readers never see half a run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from gitmem import __version__
from gitmem.publish import rows, schema
from gitmem.publish.local import Local
from gitmem.publish.partitions import (
    attach_partitions,
    compress_fast,
    fresh_partitions,
    load_messages_partition,
)

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]

T = TypeVar("T")
REPOSITORY_LOCK = 0x67_6D_70_62  # advisory lock class "gmpb"; the key is hashtext(name)

RECORD_COLUMNS = (
    "repository_id, location, id, type, title, created, created_at, updated, author, status,"
    " tags, tags_text, summary, project, source, tool, commits, paths, links, supersedes,"
    " session, metadata, fields, body, read_at"
)
SESSION_COLUMNS = (
    "repository_id, id, blob, label, tool, source, started, started_at, ended, summary_id, header,"
    " message_count"
)


@dataclass
class Outcome:
    repository: str
    migrated_from: int | None = None
    records_added: int = 0
    records_removed: int = 0
    sessions_changed: int = 0
    sessions_removed: int = 0
    messages_added: int = 0
    messages_removed: int = 0
    records_total: int = 0
    messages_total: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.records_added
            or self.records_removed
            or self.sessions_changed
            or self.sessions_removed
            or self.messages_added
            or self.messages_removed
        )


def run(conn: Conn, local: Local) -> Outcome:
    """Publish `local` through `conn` (inside its transaction; the caller commits)."""
    started = time.perf_counter()
    began = datetime.now(UTC)
    outcome = Outcome(local.name)
    before = schema.migrate(conn)
    outcome.migrated_from = before if before < schema.VERSION else None
    repo_id = _repository(conn, local.name)
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (REPOSITORY_LOCK, local.name))
    compress_fast(conn)
    fresh = fresh_partitions(conn, repo_id)
    suffix = f"_r{repo_id}" if fresh else ""
    changed = _record_changes(conn, repo_id, local, outcome)
    staging = _sessions(conn, repo_id, local, outcome, fresh)
    # The records are read and parsed (YAML: the client's costliest part) in a thread while
    # the server computes the messages' tsvectors, and the client has nothing else to do
    # (while the messages stream in, the client is what the run waits for).
    records = Ahead(_record_rows(repo_id, local, changed), RECORDS_AHEAD)
    if staging is not None:
        _place_messages(conn, repo_id, outcome, staging, fresh)
    _records(conn, repo_id, local, outcome, f"records{suffix}", fresh, changed, records)
    if fresh:
        attach_partitions(conn, repo_id)
    if outcome.records_added or outcome.records_removed:
        # A record another names in `supersedes` reads as superseded: kept as a column so that
        # searches need no join (only rows whose flag changes are written).
        conn.execute(
            "WITH named AS (SELECT DISTINCT unnest(supersedes) AS id FROM records"
            " WHERE repository_id = %(repo)s)"
            " UPDATE records r SET superseded = (r.id IN (SELECT id FROM named))"
            " WHERE r.repository_id = %(repo)s"
            " AND r.superseded <> (r.id IN (SELECT id FROM named))",
            {"repo": repo_id},
        )
    row = conn.execute(
        "SELECT head, notes_tip, sessions_tip FROM repositories WHERE id = %s", (repo_id,)
    ).fetchone()
    tips = (local.head, local.notes_tip, local.sessions_tip)
    if outcome.changed or row is None or tuple(row) != tips:
        conn.execute(
            "UPDATE repositories SET head = %s, notes_tip = %s, sessions_tip = %s,"
            " published_at = now() WHERE id = %s",
            (*tips, repo_id),
        )
    if outcome.changed:
        conn.execute(
            "INSERT INTO publish_runs (repository_id, started_at, finished_at, head, notes_tip,"
            " sessions_tip, records_added, records_removed, sessions_changed, messages_added,"
            " messages_removed, gitmem_version) VALUES"
            " (%s, %s, clock_timestamp(), %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                repo_id,
                began,
                *tips,
                outcome.records_added,
                outcome.records_removed,
                outcome.sessions_changed + outcome.sessions_removed,
                outcome.messages_added,
                outcome.messages_removed,
                __version__,
            ),
        )
    # Each session's message count is its stored messages (unique by hash in a transcript):
    # summing them spares counting a repository's hundred thousand message rows every run.
    found = conn.execute(
        "SELECT (SELECT count(*) FROM records WHERE repository_id = %(repo)s),"
        " (SELECT coalesce(sum(message_count), 0) FROM sessions WHERE repository_id = %(repo)s)",
        {"repo": repo_id},
    ).fetchone()
    outcome.records_total, outcome.messages_total = (
        (int(found[0]), int(found[1])) if found else (0, 0)
    )
    outcome.seconds = time.perf_counter() - started
    return outcome


def _repository(conn: Conn, name: str) -> int:
    conn.execute(
        "INSERT INTO repositories (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,)
    )
    row = conn.execute("SELECT id FROM repositories WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


# ------------------------------------------------------------------------------ records


def _compared(published: dict[str, str], local: dict[str, str]) -> tuple[list[str], list[str]]:
    """The keys whose digest the database lacks or holds another of, and those gone locally."""
    changed = [key for key, digest in local.items() if published.get(key) != digest]
    return changed, [key for key in published if key not in local]


def _record_changes(conn: Conn, repo_id: int, local: Local, outcome: Outcome) -> list[str]:
    """The places whose records are to be sent, after removing those of every place changed
    or gone (their records, deploys and digests)."""
    published: dict[str, str] = dict(
        conn.execute(
            "SELECT location, digest FROM sources WHERE repository_id = %s", (repo_id,)
        ).fetchall()
    )
    changed, gone = _compared(published, local.sources)
    stale = [*gone, *(loc for loc in changed if loc in published)]
    if stale:
        for held in ("records", "deploys", "sources"):
            cursor = conn.execute(
                f"DELETE FROM {held} WHERE repository_id = %s AND location = ANY(%s)",
                (repo_id, stale),
            )
            if held == "records":
                outcome.records_removed = cursor.rowcount
    return changed


RecordRow = tuple[tuple[Any, ...], tuple[Any, ...] | None]  # a record's row, its deploy's


def _record_rows(repo_id: int, local: Local, changed: list[str]) -> Iterator[RecordRow]:
    read_at = {"note": local.notes_tip, "file": local.head}
    for location, memory in local.records(changed):
        kind = "note" if location.startswith("note:") else "file"
        deploy = memory.extra.get("deploy")
        yield (
            rows.record(repo_id, location, memory, read_at[kind]),
            rows.deploy(repo_id, location, memory, deploy) if isinstance(deploy, dict) else None,
        )


def _records(
    conn: Conn,
    repo_id: int,
    local: Local,
    outcome: Outcome,
    table: str,
    fresh: bool,
    changed: list[str],
    records: Iterator[RecordRow] | Ahead[RecordRow],
) -> None:
    if not changed:
        return
    deploys = []
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({RECORD_COLUMNS}) FROM STDIN{_FREEZE[fresh]}") as copy:
            for row, deploy in records:
                copy.write_row(row)
                outcome.records_added += 1
                if deploy is not None:
                    deploys.append(deploy)
        with cursor.copy("COPY sources (repository_id, location, digest) FROM STDIN") as copy:
            for location in changed:
                copy.write_row((repo_id, location, local.sources[location]))
        if deploys:
            columns = "repository_id, location, record_id, commit, env, status, created_at, deploy"
            with cursor.copy(f"COPY deploys ({columns}) FROM STDIN") as copy:
                for row in deploys:
                    copy.write_row(row)


# A partition made by this run (fresh_partitions) is loaded frozen: readers after the commit
# find its rows visible without setting hint bits on (and writing) every page first. Only a
# table created in the loading transaction may be, and no other transaction can see it.
_FREEZE = {True: " WITH (FREEZE)", False: ""}

RECORDS_AHEAD = 20_000  # records parsed ahead at most (the rest when their COPY reads them)


class Ahead(Generic[T]):
    """Up to `limit` items of `items` taken in a thread, started now; iterating waits for it,
    then gives those and the rest (taken then). An exception in the thread is raised there."""

    def __init__(self, items: Iterator[T], limit: int) -> None:
        self._items = items
        self._taken: list[T] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._take, args=(limit,), daemon=True)
        self._thread.start()

    def _take(self, limit: int) -> None:
        try:
            for item in self._items:
                self._taken.append(item)
                if len(self._taken) >= limit:
                    break
        except BaseException as error:  # raised again in the caller's thread
            self._error = error

    def __iter__(self) -> Iterator[T]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        taken, self._taken = self._taken, []
        yield from taken
        yield from self._items


# ------------------------------------------------------------------------------ sessions


def _sessions(conn: Conn, repo_id: int, local: Local, outcome: Outcome, fresh: bool) -> str | None:
    """Remove the sessions gone and the messages vanished, send the changed sessions, and COPY
    their new messages into a staging table (its name; None when nothing changed) for
    `_place_messages`."""
    published: dict[str, str] = dict(
        conn.execute(
            "SELECT id, blob FROM sessions WHERE repository_id = %s", (repo_id,)
        ).fetchall()
    )
    changed, gone = _compared(published, local.session_blobs)
    if gone:
        cursor = conn.execute(
            "DELETE FROM session_messages WHERE repository_id = %s AND session_id = ANY(%s)",
            (repo_id, gone),
        )
        outcome.messages_removed += cursor.rowcount
        conn.execute(
            "DELETE FROM sessions WHERE repository_id = %s AND id = ANY(%s)", (repo_id, gone)
        )
        outcome.sessions_removed = len(gone)
    if not changed and not fresh:  # (a first publish makes the partition, empty or not)
        return None
    existing = [sid for sid in changed if sid in published]
    known: dict[str, set[str]] = {}
    if existing:
        conn.execute(
            "DELETE FROM sessions WHERE repository_id = %s AND id = ANY(%s)", (repo_id, existing)
        )
        for sid, digest in conn.execute(
            "SELECT session_id, hash FROM session_messages"
            " WHERE repository_id = %s AND session_id = ANY(%s)",
            (repo_id, existing),
        ):
            known.setdefault(sid, set()).add(digest)
    outcome.sessions_changed = len(changed)
    vanished: list[tuple[str, str]] = []
    # The messages go to a staging table first (its columns without the tsvector), then to
    # their place with the tsvector computed on the way (schema v5): unlogged for a first
    # publish, whose parallel workers must see it (they cannot read a temporary table);
    # temporary otherwise. Dropped before the commit, and with the transaction if it dies.
    staging = f"session_messages_r{repo_id}_staging" if fresh else "session_messages_staging"
    kind = "UNLOGGED" if fresh else "TEMPORARY"
    conn.execute(
        f"CREATE {kind} TABLE {staging} AS SELECT {schema.MESSAGE_COLUMNS} FROM session_messages"
        " WITH NO DATA"
    )
    with conn.cursor() as cursor:
        session_rows = []
        with cursor.copy(f"COPY {staging} ({schema.MESSAGE_COLUMNS}) FROM STDIN") as copy:
            for transcript in local.transcripts(changed):
                sid = transcript.id
                had = known.get(sid, set())
                now = {m.hash for m in transcript.messages}
                vanished.extend((sid, digest) for digest in had - now)
                new = [m for m in transcript.messages if m.hash not in had]
                copy.write(rows.messages(repo_id, sid, new))
                outcome.messages_added += len(new)
                session_rows.append(rows.session(repo_id, transcript, local.session_blobs[sid]))
        with cursor.copy(f"COPY sessions ({SESSION_COLUMNS}) FROM STDIN") as copy:
            for row in session_rows:
                copy.write_row(row)
    if vanished:
        cursor = conn.execute(
            "DELETE FROM session_messages m USING unnest(%s::text[], %s::text[]) AS v(sid, hash)"
            " WHERE m.repository_id = %s AND m.session_id = v.sid AND m.hash = v.hash",
            ([sid for sid, _ in vanished], [digest for _, digest in vanished], repo_id),
        )
        outcome.messages_removed += cursor.rowcount
    return staging


def _place_messages(conn: Conn, repo_id: int, outcome: Outcome, staging: str, fresh: bool) -> None:
    """The staged messages to their place, each with its tsvector (no row is ever without):
    a first publish's new partition, or the existing one through the parent."""
    if fresh:
        load_messages_partition(conn, repo_id, staging)
    elif outcome.messages_added:
        conn.execute(
            f"INSERT INTO session_messages ({schema.MESSAGE_COLUMNS}, tsv)"
            f" SELECT {schema.MESSAGE_COLUMNS}, {schema.MESSAGE_TSV} FROM {staging}"
        )
    conn.execute(f"DROP TABLE {staging}")
