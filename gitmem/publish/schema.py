"""The database schema, versioned: `MIGRATIONS[n - 1]` takes a database from version n - 1 to
n, and `migrate` applies the missing ones inside the caller's transaction (so a publish that
fails leaves the schema where it was). A database newer than this gitmem is refused.

```
repositories 1──* sources            (location, digest: what was published from where)
             1──* records            (every field, body, location, read_at; tsv + GIN;
                                      one partition per repository, v3; tsv kept
                                      in the row, v4)
             1──* deploys            (the deploy: mapping of deploy records)
             1──* sessions 1──* session_messages  (by message hash; tsv + GIN, v2;
                                                   one partition per repository, v3;
                                                   tsv written by publish, v5)
             1──* publish_runs       (audit trail: what each run changed)
schema_version                       (one row per applied migration)
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gitmem.errors import GitMemError

if TYPE_CHECKING:
    import psycopg

    from gitmem.publish.connect import Reader

# Weighted full text: title (A) > summary and tags (B) > body (C). `tags_text` is the tags
# joined by spaces, written by the client: array_to_string is not immutable, so a generated
# column cannot call it.
RECORD_TSV = (
    "setweight(to_tsvector('english', title), 'A')"
    " || setweight(to_tsvector('english', coalesce(summary, '') || ' ' || tags_text), 'B')"
    " || setweight(to_tsvector('english', body), 'C')"
)

# A session message's full text (v2); from v5 written by publish's own statements.
MESSAGE_TSV = "to_tsvector('english', content)"
MESSAGE_COLUMNS = "repository_id, session_id, hash, role, content, timestamp, at"  # all but tsv

V1 = f"""
CREATE TABLE repositories (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    head text,
    notes_tip text,
    sessions_tip text,
    published_at timestamptz
);
CREATE TABLE sources (
    repository_id integer NOT NULL,
    location text NOT NULL,
    digest text NOT NULL,
    PRIMARY KEY (repository_id, location)
);
CREATE TABLE records (
    repository_id integer NOT NULL,
    location text NOT NULL,
    id text NOT NULL,
    type text NOT NULL,
    title text NOT NULL,
    created text NOT NULL,
    created_at timestamptz,
    updated text,
    author text,
    status text NOT NULL,
    tags text[] NOT NULL,
    tags_text text NOT NULL,
    summary text,
    project text,
    source text,
    tool text,
    commits text[] NOT NULL,
    paths text[] NOT NULL,
    links text[] NOT NULL,
    supersedes text[] NOT NULL,
    session text,
    metadata jsonb NOT NULL,
    fields jsonb NOT NULL,
    body text NOT NULL,
    read_at text,
    superseded boolean NOT NULL DEFAULT false,
    tsv tsvector GENERATED ALWAYS AS ({RECORD_TSV}) STORED,
    PRIMARY KEY (repository_id, location, id)
);
CREATE INDEX records_tsv ON records USING gin (tsv);
CREATE INDEX records_id ON records (repository_id, id);
CREATE INDEX records_created ON records (created_at);
CREATE INDEX records_type ON records (type, created_at);
CREATE TABLE deploys (
    repository_id integer NOT NULL,
    location text NOT NULL,
    record_id text NOT NULL,
    commit text,
    env text,
    status text,
    created_at timestamptz,
    deploy jsonb NOT NULL,
    PRIMARY KEY (repository_id, location, record_id)
);
CREATE TABLE sessions (
    repository_id integer NOT NULL,
    id text NOT NULL,
    blob text NOT NULL,
    label text,
    tool text,
    source text,
    started text,
    started_at timestamptz,
    ended text,
    summary_id text,
    header jsonb NOT NULL,
    message_count integer NOT NULL,
    PRIMARY KEY (repository_id, id)
);
CREATE TABLE session_messages (
    repository_id integer NOT NULL,
    session_id text NOT NULL,
    hash text NOT NULL,
    role text NOT NULL,
    content text NOT NULL,
    timestamp text,
    at timestamptz,
    PRIMARY KEY (repository_id, session_id, hash)
);
CREATE TABLE publish_runs (
    id bigserial PRIMARY KEY,
    repository_id integer NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    head text,
    notes_tip text,
    sessions_tip text,
    records_added integer NOT NULL,
    records_removed integer NOT NULL,
    sessions_changed integer NOT NULL,
    messages_added integer NOT NULL,
    messages_removed integer NOT NULL,
    gitmem_version text NOT NULL
);
"""

# v2: session messages are searchable (`git mem search --server --sessions`).
V2 = """
ALTER TABLE session_messages
    ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
CREATE INDEX session_messages_tsv ON session_messages USING gin (tsv);
CREATE INDEX session_messages_at ON session_messages (at);
"""

# v3: records and session_messages are partitioned by repository (LIST, one partition each,
# `records_r<id>` and `session_messages_r<id>`). A repository's first publish loads its rows
# into tables of its own without indexes, builds the indexes once (a GIN built in bulk costs a
# fraction of one maintained row by row) and attaches them (partitions.fresh_partitions).
# Existing rows move to their repository's partition.
V3 = f"""
ALTER TABLE records RENAME TO records_v2;
ALTER INDEX records_pkey RENAME TO records_v2_pkey;
ALTER INDEX records_tsv RENAME TO records_v2_tsv;
ALTER INDEX records_id RENAME TO records_v2_id;
ALTER INDEX records_created RENAME TO records_v2_created;
ALTER INDEX records_type RENAME TO records_v2_type;
CREATE TABLE records (LIKE records_v2 INCLUDING DEFAULTS, PRIMARY KEY (repository_id, location, id))
    PARTITION BY LIST (repository_id);
ALTER TABLE records DROP COLUMN tsv;
ALTER TABLE records ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({RECORD_TSV}) STORED;
CREATE INDEX records_tsv ON records USING gin (tsv);
CREATE INDEX records_id ON records (repository_id, id);
CREATE INDEX records_created ON records (created_at);
CREATE INDEX records_type ON records (type, created_at);
ALTER TABLE session_messages RENAME TO session_messages_v2;
ALTER INDEX session_messages_pkey RENAME TO session_messages_v2_pkey;
ALTER INDEX session_messages_tsv RENAME TO session_messages_v2_tsv;
ALTER INDEX session_messages_at RENAME TO session_messages_v2_at;
CREATE TABLE session_messages (
    LIKE session_messages_v2 INCLUDING DEFAULTS, PRIMARY KEY (repository_id, session_id, hash)
) PARTITION BY LIST (repository_id);
ALTER TABLE session_messages DROP COLUMN tsv;
ALTER TABLE session_messages
    ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
CREATE INDEX session_messages_tsv ON session_messages USING gin (tsv);
CREATE INDEX session_messages_at ON session_messages (at);
DO $$
DECLARE repo integer;
BEGIN
    FOR repo IN SELECT id FROM repositories ORDER BY id LOOP
        EXECUTE format('CREATE TABLE records_r%s PARTITION OF records FOR VALUES IN (%s)',
                       repo, repo);
        EXECUTE format('CREATE TABLE session_messages_r%s PARTITION OF session_messages'
                       ' FOR VALUES IN (%s)', repo, repo);
    END LOOP;
END $$;
INSERT INTO records (repository_id, location, id, type, title, created, created_at, updated,
    author, status, tags, tags_text, summary, project, source, tool, commits, paths, links,
    supersedes, session, metadata, fields, body, read_at, superseded)
    SELECT repository_id, location, id, type, title, created, created_at, updated, author,
    status, tags, tags_text, summary, project, source, tool, commits, paths, links, supersedes,
    session, metadata, fields, body, read_at, superseded FROM records_v2;
INSERT INTO session_messages (repository_id, session_id, hash, role, content, timestamp, at)
    SELECT repository_id, session_id, hash, role, content, timestamp, at
    FROM session_messages_v2;
DROP TABLE records_v2;
DROP TABLE session_messages_v2;
"""

# v4: a record's tsvector stays in its row (storage MAIN; the body and fields go to TOAST
# first). Beside a 1.5 KB body the ~1.4 KB tsvector was the column moved out of line, so every
# match test and ranking of a record read it back from the TOAST table, once per use: most of
# a records search. Rows already published keep their layout until their place changes.
V4 = """
ALTER TABLE records ALTER COLUMN tsv SET STORAGE MAIN;
"""

# v5: a message's tsvector is a plain column `publish` writes itself (the same
# `to_tsvector('english', content)`), NOT NULL so that no row goes without one. A generated
# column is computed one row at a time by the backend that inserts, and a partition of a
# table whose column is generated must generate it too; written by the client's statements,
# a repository's first publish computes it with parallel workers (`CREATE TABLE ... AS`,
# partitions.load_messages_partition). DROP EXPRESSION keeps the values already there.
V5 = """
ALTER TABLE session_messages ALTER COLUMN tsv DROP EXPRESSION;
ALTER TABLE session_messages ALTER COLUMN tsv SET NOT NULL;
"""

MIGRATIONS = (V1, V2, V3, V4, V5)
VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x67_69_74_6D  # "gitm": one migration at a time, database-wide


def version(conn: Reader) -> int | None:
    """The schema version of the database; None when gitmem never published there."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def migrate(conn: psycopg.Connection[tuple[Any, ...]], target: int = VERSION) -> int:
    """Bring the schema to `target` inside the current transaction; the version it was at."""
    current = version(conn)
    if current is not None and current >= target:
        _check_known(current)
        return current
    # Two first publishes at once: the second waits here until the first commits, then sees
    # the schema it made.
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    before = version(conn) or 0
    _check_known(before)
    for number in range(before + 1, target + 1):
        conn.execute(MIGRATIONS[number - 1].encode())
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
    return before


def require(conn: Reader, where: str | Callable[[], str]) -> None:
    """For reads: the schema is there and one this gitmem knows. `where` (the database, for
    the messages) may be a function, called only for a message."""
    current = version(conn)
    if not isinstance(where, str) and (not current or current != VERSION):
        where = where()
    if not current:
        raise GitMemError(f"nothing was published to {where} yet: run `git mem publish` first")
    _check_known(current)
    if current < VERSION:
        raise GitMemError(
            f"the database at {where} has schema version {current}; this gitmem reads "
            f"{VERSION}: run `git mem publish` once to migrate it"
        )


def _check_known(current: int) -> None:
    if current > VERSION:
        raise GitMemError(
            f"the database has schema version {current}, newer than this gitmem knows "
            f"({VERSION}): upgrade gitmem"
        )
