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

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitmem import __version__
from gitmem.publish import schema
from gitmem.publish.local import Local
from gitmem.sessions.transcripts import Message, Transcript
from gitmem.store.record import Memory, parse_time

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]

REPOSITORY_LOCK = 0x67_6D_70_62  # advisory lock class "gmpb"; the key is hashtext(name)

RECORD_COLUMNS = (
    "repository_id, location, id, type, title, created, created_at, updated, author, status,"
    " tags, tags_text, summary, project, source, tool, commits, paths, links, supersedes,"
    " session, metadata, fields, body, read_at"
)
MESSAGE_COLUMNS = "repository_id, session_id, hash, role, content, timestamp, at"
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


def text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor unpaired surrogates (bytes a record could not
    decode): each becomes U+FFFD, the rest is kept exactly."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


def _json(value: Any) -> str:
    return text(json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":")))


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_time(value)
    except (ValueError, OverflowError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(conn: Conn, local: Local) -> Outcome:
    """Publish `local` through `conn` (inside its transaction; the caller commits)."""
    started = time.perf_counter()
    began = datetime.now(UTC)
    outcome = Outcome(local.name)
    before = schema.migrate(conn)
    outcome.migrated_from = before if before < schema.VERSION else None
    repo_id = _repository(conn, local.name)
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (REPOSITORY_LOCK, local.name))
    fresh = fresh_partitions(conn, repo_id)
    suffix = f"_r{repo_id}" if fresh else ""
    _records(conn, repo_id, local, outcome, f"records{suffix}")
    _sessions(conn, repo_id, local, outcome, f"session_messages{suffix}")
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


# ------------------------------------------------------------------------------ partitions

PARTITIONED = {
    # table: (primary key, indexes) as the parent has them (schema V3)
    "records": (
        "repository_id, location, id",
        ("USING gin (tsv)", "(repository_id, id)", "(created_at)", "(type, created_at)"),
    ),
    "session_messages": ("repository_id, session_id, hash", ("USING gin (tsv)", "(at)")),
}
BULK_MEMORY = 256 * 1024 * 1024  # maintenance_work_mem for the index builds (if lower)


def fresh_partitions(conn: Conn, repo_id: int) -> bool:
    """A repository's first publish: make its partitions as plain tables without indexes (true)
    for `attach_partitions` to index and attach once loaded; false when they exist."""
    row = conn.execute("SELECT to_regclass(%s) IS NULL", (f"records_r{repo_id}",)).fetchone()
    if not row or not row[0]:
        return False
    for table in PARTITIONED:
        conn.execute(
            f"CREATE TABLE {table}_r{repo_id} (LIKE {table} INCLUDING DEFAULTS INCLUDING GENERATED)"
        )
    return True


def attach_partitions(conn: Conn, repo_id: int) -> None:
    """Index the loaded partitions in bulk and attach them: the indexes become the parent's
    (same definitions), and the CHECK spares ATTACH its scan of the rows."""
    row = conn.execute("SELECT pg_size_bytes(current_setting('maintenance_work_mem'))").fetchone()
    if row and int(row[0]) < BULK_MEMORY:  # this transaction only; never lowered
        conn.execute(f"SET LOCAL maintenance_work_mem = '{BULK_MEMORY // 1024 // 1024}MB'")
    for table, (key, indexes) in PARTITIONED.items():
        name = f"{table}_r{repo_id}"
        conn.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({key})")
        for index in indexes:
            conn.execute(f"CREATE INDEX ON {name} {index}")
        conn.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_repository"
            f" CHECK (repository_id = {int(repo_id)})"
        )
        conn.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({repo_id})")


# ------------------------------------------------------------------------------ records


def _compared(published: dict[str, str], local: dict[str, str]) -> tuple[list[str], list[str]]:
    """The keys whose digest the database lacks or holds another of, and those gone locally."""
    changed = [key for key, digest in local.items() if published.get(key) != digest]
    return changed, [key for key in published if key not in local]


def _records(conn: Conn, repo_id: int, local: Local, outcome: Outcome, table: str) -> None:
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
    if not changed:
        return
    read_at = {"note": local.notes_tip, "file": local.head}
    deploys = []
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({RECORD_COLUMNS}) FROM STDIN") as copy:
            for location, memory in local.records(changed):
                kind = "note" if location.startswith("note:") else "file"
                copy.write_row(_record_row(repo_id, location, memory, read_at[kind]))
                outcome.records_added += 1
                deploy = memory.extra.get("deploy")
                if isinstance(deploy, dict):
                    deploys.append(_deploy_row(repo_id, location, memory, deploy))
        with cursor.copy("COPY sources (repository_id, location, digest) FROM STDIN") as copy:
            for location in changed:
                copy.write_row((repo_id, location, local.sources[location]))
        if deploys:
            columns = "repository_id, location, record_id, commit, env, status, created_at, deploy"
            with cursor.copy(f"COPY deploys ({columns}) FROM STDIN") as copy:
                for row in deploys:
                    copy.write_row(row)


def _record_row(
    repo_id: int, location: str, memory: Memory, read_at: str | None
) -> tuple[Any, ...]:
    def opt(value: str | None) -> str | None:
        return None if value is None else text(str(value))

    def strings(values: Iterable[Any]) -> list[str]:
        return [text(str(v)) for v in values]

    return (
        repo_id,
        text(location),
        memory.id,
        text(memory.type),
        text(memory.title),
        text(str(memory.created)),
        _when(str(memory.created)),
        opt(memory.updated),
        opt(memory.author),
        text(memory.status),
        strings(memory.tags),
        " ".join(strings(memory.tags)),
        opt(memory.summary),
        opt(memory.project),
        opt(memory.source),
        opt(memory.tool),
        strings(memory.commits),
        strings(memory.paths),
        strings(memory.links),
        strings(memory.supersedes),
        opt(memory.session),
        _json(memory.metadata),
        _json(memory.fields()),
        text(memory.body),
        read_at,
    )


def _deploy_row(
    repo_id: int, location: str, memory: Memory, deploy: dict[str, Any]
) -> tuple[Any, ...]:
    commit = memory.commits[0] if memory.commits else location.removeprefix("note:")
    return (
        repo_id,
        location,
        memory.id,
        commit,
        text(str(deploy.get("env", ""))),
        text(str(deploy.get("status", ""))),
        _when(str(memory.created)),
        _json(deploy),
    )


# ------------------------------------------------------------------------------ sessions


def _sessions(conn: Conn, repo_id: int, local: Local, outcome: Outcome, table: str) -> None:
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
    if not changed:
        return
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
    with conn.cursor() as cursor:
        session_rows = []
        with cursor.copy(f"COPY {table} ({MESSAGE_COLUMNS}) FROM STDIN") as copy:
            for transcript in local.transcripts(changed):
                sid = transcript.id
                had = known.get(sid, set())
                now = {m.hash for m in transcript.messages}
                vanished.extend((sid, digest) for digest in had - now)
                new = [m for m in transcript.messages if m.hash not in had]
                # COPY's text format built here, one chunk per session: per-row adaptation
                # was most of the client's time.
                copy.write(_copy_chunk(_message_row(str(repo_id), sid, m) for m in new))
                outcome.messages_added += len(new)
                session_rows.append(_session_row(repo_id, transcript, local.session_blobs[sid]))
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


_ESCAPE = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_chunk(rows: Iterable[tuple[str | None, ...]]) -> bytes:
    """Rows in COPY's text format: tab-separated, backslash escapes, \\N for NULL."""
    lines = "".join(
        "\t".join("\\N" if v is None else v.translate(_ESCAPE) for v in row) + "\n" for row in rows
    )
    if "\x00" in lines:
        lines = lines.replace("\x00", "\ufffd")
    try:
        return lines.encode("utf-8")
    except UnicodeEncodeError:
        return text(lines).encode("utf-8")


def _moment(timestamp: str | None) -> str | None:
    """An ISO 8601 timestamp PostgreSQL reads the same way (UTC if it has no offset)."""
    if not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _message_row(repo_id: str, sid: str, message: Message) -> tuple[str | None, ...]:
    return (
        repo_id,
        sid,
        message.hash,
        message.role,
        message.content,
        message.timestamp,
        _moment(message.timestamp),
    )


def _session_row(repo_id: int, transcript: Transcript, blob: str) -> tuple[Any, ...]:
    header = transcript.header

    def field(name: str) -> str | None:
        value = header.get(name)
        return None if value in (None, "") else text(str(value))

    return (
        repo_id,
        text(transcript.id),
        blob,
        field("label"),
        field("tool"),
        field("source"),
        field("started"),
        _when(field("started")),
        field("ended"),
        field("summary_id"),
        _json(header),
        len(transcript.messages),
    )
