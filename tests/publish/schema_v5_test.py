"""Schema v5: a session message's tsvector is a plain column `publish` writes itself (a first
publish through a staging table and `CREATE TABLE ... AS`, later ones in their INSERT), always
the `to_tsvector('english', content)` v4 generated; a v4 database migrates with its values."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pgfixtures import cluster, database, sql

__all__ = ["cluster", "database", "sql"]  # fixtures, used by name

Mem = Callable[..., Any]
Sql = Callable[..., list[tuple[Any, ...]]]

# Rows whose tsvector is not what v4's generated column computed (must be none).
STALE = (
    "SELECT session_id, content FROM session_messages"
    " WHERE tsv IS DISTINCT FROM to_tsvector('english', content) ORDER BY 1, 2"
)


def add_session(session_id: str, messages: list[tuple[str, str, str]]) -> None:
    from gitmem.sessions import transcripts
    from gitmem.store import git as store_git

    transcript = transcripts.Transcript(
        {"session": session_id, "tool": "claude-code", "started": messages[0][2]},
        [transcripts.Message.new(role, content, when) for role, content, when in messages],
    )
    transcripts.update(
        store_git.discover(), lambda _s: {session_id: transcript.encode()}, "test session"
    )


def tsv_columns(sql: Sql) -> list[tuple[Any, ...]]:
    """(table, generated?, NOT NULL) of every session_messages table's tsv."""
    return sql(
        "SELECT c.relname, a.attgenerated <> '', a.attnotnull FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid WHERE a.attname = 'tsv'"
        " AND c.relname LIKE 'session_messages%%' AND c.relkind IN ('r', 'p') ORDER BY 1"
    )


def test_message_tsvectors_are_v4s_on_a_first_and_an_incremental_publish(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    add_session(
        "s1",
        [
            ("user", "Deploying the migrations failed", "2026-01-15T10:00:00+00:00"),
            (
                "assistant",
                "The pools were cached; a deployment retries",
                "2026-01-15T10:01:00+00:00",
            ),
        ],
    )
    assert mem("publish", database).code == 0
    assert sql("SELECT count(*) FROM session_messages") == [(2,)]
    assert sql(STALE) == []
    # The partition made from the staging table: attached, with the CHECK ATTACH relied on,
    # the parent's NOT NULL columns and indexes; the staging table gone.
    assert sql("SELECT DISTINCT tableoid::regclass::text FROM session_messages") == [
        ("session_messages_r1",)
    ]
    assert sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'session_messages_r1'::regclass ORDER BY 1"
    ) == [
        ("session_messages_r1_pkey", "PRIMARY KEY (repository_id, session_id, hash)"),
        ("session_messages_r1_repository", "CHECK ((repository_id = 1))"),
    ]
    assert sql("SELECT count(*) FROM pg_indexes WHERE tablename = 'session_messages_r1'") == [(3,)]
    assert sql("SELECT relname FROM pg_class WHERE relname LIKE '%%staging%%'") == []
    assert tsv_columns(sql) == [
        ("session_messages", False, True),
        ("session_messages_r1", False, True),
    ]
    # Incremental: rows added to the existing partition get theirs in the INSERT.
    add_session(
        "s1",
        [
            ("user", "Deploying the migrations failed", "2026-01-15T10:00:00+00:00"),
            ("user", "Rolled back the deployments", "2026-01-15T10:05:00+00:00"),
        ],
    )
    add_session("s2", [("user", "The search ranks titles first", "2026-01-16T10:00:00+00:00")])
    result = mem("publish", database)
    assert "2 sessions changed, messages +2 -1" in result.out, result.out
    assert sql("SELECT count(*) FROM session_messages") == [(3,)]
    assert sql(STALE) == []
    assert sql("SELECT relname FROM pg_class WHERE relname LIKE '%%staging%%'") == []
    # Stemmed as before: "deploy" finds Deploying and deployments.
    found = mem("search", "--server", database, "--sessions", "deploy", "--ids")
    assert found.code == 0, found.err
    hashes = sql(
        "SELECT hash FROM session_messages"
        " WHERE to_tsvector('english', content) @@ to_tsquery('english', 'deploy:*')"
    )
    assert sorted(found.out.splitlines()) == sorted(f"repo s1 {h}" for (h,) in hashes)
    assert len(hashes) == 2


def test_schema_migration_from_version_4(repo: Path, mem: Mem, database: str, sql: Sql) -> None:
    import psycopg

    from gitmem.publish import schema

    with psycopg.connect(database) as conn:
        schema.migrate(conn, target=4)
        conn.execute("INSERT INTO repositories (name) VALUES ('old')")
        for table in ("records", "session_messages"):
            conn.execute(f"CREATE TABLE {table}_r1 PARTITION OF {table} FOR VALUES IN (1)")
        conn.execute(
            "INSERT INTO session_messages (repository_id, session_id, hash, role, content)"
            " VALUES (1, 'x', 'h', 'user', 'Deployments published by version four')"
        )
    generated = sql("SELECT tsv::text FROM session_messages")
    assert tsv_columns(sql) == [
        ("session_messages", True, False),
        ("session_messages_r1", True, False),
    ]
    add_session("s1", [("user", "deploying version five", "2026-01-15T10:00:00+00:00")])
    result = mem("publish", database)
    assert result.out.startswith("migrated the schema from version 4 to 5\n"), result.out
    assert sql("SELECT version FROM schema_version ORDER BY 1") == [(1,), (2,), (3,), (4,), (5,)]
    # The value the generated column had is kept; every tsv is plain and required now.
    assert sql("SELECT tsv::text FROM session_messages WHERE repository_id = 1") == generated
    assert tsv_columns(sql) == [
        ("session_messages", False, True),
        ("session_messages_r1", False, True),
        ("session_messages_r2", False, True),
    ]
    assert sql(STALE) == []
    found = mem("search", "--server", database, "--sessions", "deploy", "--ids")
    lines = sorted(found.out.splitlines())
    assert lines[0] == "old x h" and len(lines) == 2 and lines[1].startswith("repo s1 "), found.out
    # Only the messages' tsv changed: the records' is still generated.
    assert sql(
        "SELECT attgenerated FROM pg_attribute WHERE attname = 'tsv'"
        " AND attrelid = 'records'::regclass"
    ) == [("s",)]


@pytest.mark.slow
def test_a_first_publish_killed_after_its_messages_partition_leaves_nothing(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    import psycopg

    add_session("s1", [("user", "deploying version five", "2026-01-15T10:00:00+00:00")])
    assert mem("publish", database).code == 0
    tables = "SELECT relname FROM pg_class WHERE relname LIKE 'session_messages%%' ORDER BY 1"
    before = (sql(tables), sql("SELECT * FROM repositories"), sql(STALE))
    # Hold what ATTACH PARTITION needs of the parent: a first publish of another repository
    # (the same one under another name) makes its staging table and its partition, then waits.
    with psycopg.connect(database) as blocker:
        blocker.execute("LOCK TABLE session_messages IN SHARE UPDATE EXCLUSIVE MODE")
        script = str(Path(sys.executable).parent / "git-mem")
        proc = subprocess.Popen([script, "publish", "--repository", "other", database], cwd=repo)
        watcher = psycopg.connect(database, autocommit=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT query FROM pg_stat_activity WHERE application_name = 'gitmem'"
                " AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the publish never reached ATTACH")
        watcher.close()
        assert "ATTACH PARTITION session_messages_r2" in waiting[0]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        blocker.rollback()
    assert (sql(tables), sql("SELECT * FROM repositories"), sql(STALE)) == before
    result = mem("publish", "--repository", "other", database)
    assert result.code == 0, result.err
    assert sql(
        "SELECT r.name, count(*) FROM session_messages m"
        " JOIN repositories r ON r.id = m.repository_id GROUP BY 1 ORDER BY 1"
    ) == [("other", 1), ("repo", 1)]
    assert sql(STALE) == []
