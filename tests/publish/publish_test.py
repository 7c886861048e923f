"""`git mem publish` against a real PostgreSQL: first publish, incremental, deletions,
idempotence, concurrent repositories, a SIGKILLed run, a schema migration, and the errors."""

from __future__ import annotations

import json
import os
import re
import shutil
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
G: Any = None  # tests/conftest.GitHelpers, set by the autouse fixture below


@pytest.fixture(autouse=True)
def _helpers(g: Any) -> None:
    global G
    G = g


TABLES = (
    "repositories",
    "sources",
    "records",
    "deploys",
    "sessions",
    "session_messages",
    "publish_runs",
    "schema_version",
)


def add_session(session_id: str, messages: list[tuple[str, str, str]], **header: str) -> None:
    from gitmem.sessions import transcripts
    from gitmem.store import git as store_git

    transcript = transcripts.Transcript(
        {"session": session_id, "tool": "claude-code", "started": messages[0][2], **header},
        [transcripts.Message.new(role, content, when) for role, content, when in messages],
    )
    repo = store_git.discover()
    transcripts.update(repo, lambda _s: {session_id: transcript.encode()}, "test session")


def remove_session(session_id: str) -> None:
    from gitmem.sessions import transcripts
    from gitmem.store import git as store_git

    transcripts.update(store_git.discover(), lambda _s: {session_id: None}, "drop session")


def dump(sql: Sql) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the tsvectors too), for 'nothing changed' checks."""
    return {table: sorted(map(repr, sql(f"SELECT * FROM {table}"))) for table in TABLES}  # type: ignore[misc]


def seed(repo: Path, mem: Mem) -> None:
    G.write_record(
        repo,
        "decisions/2026-01-15-use-postgresql.md",
        "7k3q9x2m4pva",
        type="decision",
        title="Use PostgreSQL over MongoDB",
        tags="[database, adr]",
        summary="JSONB covers the flexible parts",
        paths="[src/db/]",
        sprint_note="kept",
        body="Relational data wins.\n",
    )
    assert mem("save", "-t", "error", "--commit", "HEAD", "-m", "Flaky test in CI").code == 0
    add_session(
        "s1",
        [
            ("user", "why is the deploy flaky", "2026-01-15T10:00:00+00:00"),
            ("assistant", "the migration races the pool", "2026-01-15T10:01:00+00:00"),
        ],
    )


def test_first_publish_mirrors_records_sessions_and_messages(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    seed(repo, mem)
    result = mem("publish", database)
    assert result.code == 0, result.err
    place = re.escape(database.split("host=")[1].split("&")[0]) + "/test_\\d+"
    assert re.fullmatch(
        "created the schema \\(version 5\\)\n"
        f"published repo to {place}: records \\+2 -0, 1 session changed, messages \\+2 -0 "
        "\\(2 records, 2 messages in all\\) in \\d+\\.\\d s\n",
        result.out,
    ), result.out
    head = G.run("rev-parse", "HEAD", cwd=repo).strip()
    rows = sql(
        "SELECT id, type, title, tags, summary, paths, location, body, read_at,"
        " fields->>'sprint_note' FROM records WHERE type = 'decision'"
    )
    assert rows == [
        (
            "7k3q9x2m4pva",
            "decision",
            "Use PostgreSQL over MongoDB",
            ["database", "adr"],
            "JSONB covers the flexible parts",
            ["src/db/"],
            ".memory/decisions/2026-01-15-use-postgresql.md",
            "Relational data wins.\n",
            head,
            "kept",
        )
    ]
    note = sql("SELECT location, commits FROM records WHERE type = 'error'")
    assert note == [(f"note:{head}", [head])]
    assert sql("SELECT id, tool, message_count FROM sessions") == [("s1", "claude-code", 2)]
    assert sql("SELECT role, content FROM session_messages ORDER BY at") == [
        ("user", "why is the deploy flaky"),
        ("assistant", "the migration races the pool"),
    ]
    assert sql("SELECT name, head FROM repositories") == [("repo", head)]
    assert sql("SELECT records_added, messages_added FROM publish_runs") == [(2, 2)]


def test_a_record_that_cannot_be_read_is_skipped_and_said(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    # Records are parsed in a thread while the messages stream in: what it finds is still said.
    seed(repo, mem)
    bad = repo / ".memory" / "facts" / "broken.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    result = mem("publish", database)
    assert result.code == 0, result.err
    assert result.err.startswith("git-mem: warning: skipped .memory/facts/broken.md:"), result.err
    assert sorted(sql("SELECT type FROM records")) == [("decision",), ("error",)]
    assert sql("SELECT count(*) FROM session_messages") == [(2,)]


def test_incremental_publish_sends_only_changes_and_removes_what_is_gone(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    seed(repo, mem)
    assert mem("publish", database).code == 0
    before = sql("SELECT location, digest FROM sources ORDER BY 1")
    G.write_record(repo, "facts/2026-01-16-pool.md", "a1b2c3d4e5f6", title="Pool size is 20")
    add_session(
        "s1",
        [
            ("user", "why is the deploy flaky", "2026-01-15T10:00:00+00:00"),
            ("user", "and the cache?", "2026-01-15T10:05:00+00:00"),
        ],
    )
    result = mem("publish", database)
    assert result.code == 0, result.err
    assert (
        "records +1 -0, 1 session changed, messages +1 -1 (3 records, 2 messages in all)"
        in result.out
    )
    assert sql("SELECT content FROM session_messages ORDER BY at") == [
        ("why is the deploy flaky",),
        ("and the cache?",),
    ]
    # the other sources were not rewritten
    after = dict(sql("SELECT location, digest FROM sources"))
    assert all(after[location] == digest for location, digest in before)
    # deletions: a file and a session
    (repo / ".memory/decisions/2026-01-15-use-postgresql.md").unlink()
    remove_session("s1")
    result = mem("publish", database)
    assert (
        "records +0 -1, 1 session changed, messages +0 -2 (2 records, 0 messages in all)"
        in result.out
    )
    assert sql("SELECT count(*) FROM records WHERE id = '7k3q9x2m4pva'") == [(0,)]
    assert sql("SELECT count(*) FROM sessions") == [(0,)]
    assert sql("SELECT count(*) FROM sources WHERE location LIKE '%%postgresql%%'") == [(0,)]


def test_publishing_the_same_state_changes_nothing(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    seed(repo, mem)
    assert mem("publish", database).code == 0
    before = dump(sql)
    result = mem("publish", database)
    assert (result.code, result.out) == (0, f"repo is up to date at {result.out.split(' at ')[1]}")
    assert dump(sql) == before


def test_search_and_reports_across_repositories(
    repo: Path, mem: Mem, database: str, sql: Sql, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(repo, mem)
    assert mem("publish", database, "--repository", "github.com/acme/api").code == 0
    result = mem("search", "--server", database, "postgres")
    assert result.code == 0, result.err
    assert result.out == (
        "7k3q9x2m4pva 2026-01-15 decision   Use PostgreSQL over MongoDB [database, adr]"
        "  .memory/decisions/2026-01-15-use-postgresql.md  github.com/acme/api\n"
        "    Relational data wins.\n"
    )
    monkeypatch.setenv("GITMEM_DATABASE_URL", database)
    found = mem("search", "--server", "--sessions", "flaky", "--ids")
    assert found.out.split()[:2] == ["github.com/acme/api", "s1"]
    assert mem("search", "--server", "--type", "error", "postgres").code == 1
    assert mem("search", "--server", "type:decision", "-mongodb").code == 1
    assert (
        mem("search", "--server", '"flexible parts"', "--ids").out
        == "github.com/acme/api 7k3q9x2m4pva\n"
    )
    for kind in ("activity", "timeline", "components", "errors", "sessions", "extraction"):
        report = mem("report", "--server", kind)
        assert report.code == 0, (kind, report.err)
        assert (report.out.startswith("# ") and "github.com/acme/api" in report.out) or kind in (
            "timeline",
            "components",
        )
    components = mem("report", "--server", "components", "--format", "json")
    assert '"src/db"' in components.out


@pytest.mark.slow
def test_two_repositories_publish_at_once(tmp_path: Path, database: str, sql: Sql) -> None:
    repos = []
    for name in ("one", "two"):
        path = G.make_repo(tmp_path / name)
        for n in range(30):
            G.write_record(
                path,
                f"facts/2026-01-{n % 28 + 1:02d}-{n}.md",
                f"{name[:2]}{n:010d}"[:12].replace("o", "0"),
                title=f"{name} fact {n}",
            )
        repos.append(path)
    env = {**os.environ, "GITMEM_DATABASE_URL": database}
    procs = [
        subprocess.Popen(
            ["git", "mem", "publish"],
            cwd=path,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path in repos
    ]
    outs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outs
    assert sql(
        "SELECT name, count(r.id) FROM repositories"
        " JOIN records r ON r.repository_id = repositories.id GROUP BY 1 ORDER BY 1"
    ) == [("one", 30), ("two", 30)]
    assert sql("SELECT max(version) FROM schema_version") == [(5,)]


@pytest.mark.slow
def test_a_killed_publish_leaves_the_previous_state(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    import psycopg

    seed(repo, mem)
    assert mem("publish", database).code == 0
    before = dump(sql)
    G.write_record(repo, "facts/2026-01-17-new.md", "f1f2f3f4f5f6", title="Written, then killed")
    add_session("s2", [("user", "a new session", "2026-01-17T10:00:00+00:00")])
    # Hold the sessions table: the run writes its records, then waits there, mid-transaction.
    with psycopg.connect(database) as blocker:
        blocker.execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        # The console script itself: `git mem` would put git between us and the process.
        script = str(Path(sys.executable).parent / "git-mem")
        proc = subprocess.Popen([script, "publish", database], cwd=repo)
        deadline = time.monotonic() + 30
        # (pg_stat_activity is a snapshot per transaction: ask from outside the blocker's)
        watcher = psycopg.connect(database, autocommit=True)
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gitmem'"
                " AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the publish never reached the sessions table")
        watcher.close()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        blocker.rollback()
    assert dump(sql) == before  # the server rolled the dead run back
    result = mem("publish", database)
    assert "records +1 -0, 1 session changed, messages +1 -0" in result.out


def test_schema_migration_from_version_1(repo: Path, mem: Mem, database: str, sql: Sql) -> None:
    import psycopg

    from gitmem.publish import schema

    with psycopg.connect(database) as conn:
        schema.migrate(conn, target=1)
        conn.execute("INSERT INTO repositories (name) VALUES ('old')")
        conn.execute(
            "INSERT INTO session_messages (repository_id, session_id, hash, role, content)"
            " VALUES (1, 'x', 'h', 'user', 'published before full text existed')"
        )
        fields = {
            "id": "mem-old",
            "type": "note",
            "title": "An unpartitioned title",
            "created": "2026",
            "status": "active",
        }
        conn.execute(
            "INSERT INTO records (repository_id, location, id, type, title, created, status,"
            " tags, tags_text, commits, paths, links, supersedes, metadata, fields, body)"
            " VALUES (1, '.memory/a.md', 'mem-old', 'note', 'An unpartitioned title', '2026',"
            " 'active', '{}', '', '{}', '{}', '{}', '{}', '{}', %s, 'b')",
            (json.dumps(fields),),
        )
    seed(repo, mem)
    result = mem("publish", database)
    assert result.out.startswith("migrated the schema from version 1 to 5\n"), result.out
    assert sql("SELECT version FROM schema_version ORDER BY 1") == [(1,), (2,), (3,), (4,), (5,)]
    found = mem("search", "--server", database, "--sessions", "existed", "--ids")
    assert found.out == "old x h\n"
    # v3: the rows moved to their repository's partition; the new repository has its own.
    assert sql("SELECT tableoid::regclass::text, id FROM records WHERE repository_id = 1") == [
        ("records_r1", "mem-old")
    ]
    assert sql("SELECT tableoid::regclass::text FROM session_messages WHERE repository_id = 1") == [
        ("session_messages_r1",)
    ]
    moved = mem("search", "--server", database, "unpartitioned", "--ids")
    assert (moved.code, moved.out, moved.err) == (0, "old mem-old\n", "")
    assert sql("SELECT DISTINCT tableoid::regclass::text FROM records WHERE repository_id = 2")
    # v4: a record's tsvector stays in its row, in the migrated partition and in a new one.
    assert sql(
        "SELECT relname, attstorage FROM pg_attribute JOIN pg_class c ON c.oid = attrelid"
        " WHERE attname = 'tsv' AND relname LIKE 'records%' AND relkind IN ('r', 'p')"
        " ORDER BY 1"
    ) == [("records", "m"), ("records_r1", "m"), ("records_r2", "m")]


def test_a_newer_schema_is_refused(repo: Path, mem: Mem, database: str, sql: Sql) -> None:
    assert mem("publish", database).code == 0
    sql("INSERT INTO schema_version (version) VALUES (99)")
    result = mem("publish", database)
    assert (result.code, result.err) == (
        128,
        "git-mem: error: the database has schema version 99, newer than this gitmem knows (5):"
        " upgrade gitmem\n",
    )


def test_bad_url_refused_connection_wrong_password(
    repo: Path, mem: Mem, database: str, sql: Sql, tmp_path: Path
) -> None:
    seed(repo, mem)
    bad = mem("publish", "mysql://root@db/memory")
    assert (bad.code, bad.out, bad.err) == (
        2,
        "",
        "git-mem: error: bad database URL 'mysql://root@db/memory': expected "
        "postgresql://user:password@host:port/db\n",
    )
    port = mem("publish", "postgresql://u@db:notaport/x")
    assert port.err.startswith("git-mem: error: bad database URL 'postgresql://u@db:notaport/x': ")
    empty = tmp_path / "nosocket"
    empty.mkdir()
    refused = mem("publish", f"postgresql://u:p@/memory?host={empty}")
    assert (refused.code, refused.err) == (
        128,
        f"git-mem: error: cannot reach PostgreSQL at {empty}/memory: connection refused "
        "(is the server running?)\n",
    )
    tcp = mem("search", "--server", "postgresql://u:p@127.0.0.1:1/memory", "x")
    assert tcp.err == (
        "git-mem: error: cannot reach PostgreSQL at 127.0.0.1:1/memory: "
        "connection refused (is the server running?)\n"
    )
    wrong = mem("publish", database.replace(":s3cret-gitmem@", ":wrong@"))
    assert wrong.code == 128
    assert re.fullmatch(
        r"git-mem: error: PostgreSQL at \S+/test_\d+ refused the password for "
        r"'gitmem'\n",
        wrong.err,
    ), wrong.err
    assert "wrong" not in wrong.err
    assert sql("SELECT to_regclass('records')") == [(None,)]  # nothing half-written
    unpublished = mem("report", "--server", database, "activity")
    assert unpublished.err.startswith("git-mem: error: nothing was published to ")


def test_url_from_config(repo: Path, mem: Mem, database: str, sql: Sql) -> None:
    (repo / ".memory").mkdir(exist_ok=True)
    (repo / ".memory/config.toml").write_text(f'[publish]\nurl = "{database}"\n')
    assert mem("publish").code == 0
    assert sql("SELECT name FROM repositories") == [("repo",)]
    shutil.rmtree(repo / ".memory")
    none = mem("publish")
    assert none.err == (
        "git-mem: error: no database: give a URL (postgresql://user:password@host/db), "
        "set GITMEM_DATABASE_URL, or set [publish] url in .memory/config.toml\n"
    )


def test_message_text_survives_copy_exactly(repo: Path, mem: Mem, database: str, sql: Sql) -> None:
    from datetime import UTC, datetime

    content = "tab\there\nnew line \\N back\\slash \r é 🚀 nul\x00end"
    add_session("odd", [("user", content, "2026-01-15T10:00:00Z")])
    assert mem("publish", database).code == 0
    assert sql("SELECT content, timestamp, at FROM session_messages") == [
        (
            content.replace("\x00", "\ufffd"),
            "2026-01-15T10:00:00Z",
            datetime(2026, 1, 15, 10, tzinfo=UTC),
        )
    ]


def test_server_query_syntax(repo: Path, mem: Mem, database: str) -> None:
    seed(repo, mem)
    assert mem("publish", database).code == 0

    def ids(*query: str) -> list[str]:
        found = mem("search", "--server", database, "--ids", "--all", *query)
        return sorted(line.split()[1] for line in found.out.splitlines())

    listed = json.loads(mem("list", "--type", "error", "--json").out)
    decision, error = "7k3q9x2m4pva", listed["records"][0]["id"]
    assert ids("postg") == [decision]  # a prefix reaches the word
    assert ids("deploying") == []
    assert ids("mongodb", "flaky") == sorted([decision, error])  # any word
    assert ids("mongodb AND flaky") == []
    assert ids("mongodb OR flaky") == sorted([decision, error])
    assert ids("flaky", "-ci") == []
    assert ids("flaky", "NOT", "mongodb") == [error]
    assert ids('"relational data"') == [decision]
    assert ids('"data relational"') == []
    assert ids('"100% it\'s"', "O'Brien", "50%") == []  # quotes and % are only text
    assert ids("tag:adr") == [decision]
    assert ids("type:error", "flaky") == [error]
    assert ids("path:src/db/models.py") == [decision]
    assert ids("repo:nosuch", "flaky") == []
    assert ids("(mongodb OR flaky) type:decision") == [decision]
    assert ids("flaky", "--type", "decision") == []
    assert ids("flaky", "--until", "2026-01-01") == []  # the error was saved today
    mem("supersede", decision, error)
    assert mem("publish", database).code == 0
    hidden = mem("search", "--server", database, "--ids", "mongodb")
    assert (hidden.code, hidden.out) == (1, "")
    assert ids("mongodb") == [decision]  # --all shows retired records


def test_long_values_are_compressed_with_lz4_where_the_server_has_it(
    repo: Path, mem: Mem, database: str, sql: Sql
) -> None:
    if not sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )[0][0]:
        pytest.skip("this PostgreSQL was built without lz4")
    body = "".join(f"Paragraph {n}: the pool size follows the worker count.\n" for n in range(80))
    G.write_record(repo, "facts/2026-01-15-long.md", "a1a2a3a4a5a6", title="Long", body=body)
    seed(repo, mem)
    assert mem("publish", database).code == 0
    # A first publish (a new partition) and a later one (through the parent) alike; the
    # server's own default is untouched (SET LOCAL: the run's transaction only).
    G.write_record(repo, "facts/2026-01-16-later.md", "b1b2b3b4b5b6", title="Later", body=body)
    assert mem("publish", database).code == 0
    assert sql(
        "SELECT id, pg_column_compression(body), body = %s FROM records"
        " WHERE id IN ('a1a2a3a4a5a6', 'b1b2b3b4b5b6') ORDER BY id",
        body,
    ) == [("a1a2a3a4a5a6", "lz4", True), ("b1b2b3b4b5b6", "lz4", True)]
    assert sql("SHOW default_toast_compression") == [("pglz",)]
