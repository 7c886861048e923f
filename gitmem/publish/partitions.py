"""A repository's partitions of `records` and `session_messages`: made as plain tables on its
first publish, loaded without indexes, then indexed in bulk and attached (an index built once
is many times cheaper than one maintained row by row), and the run's TOAST compression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitmem.publish import schema

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]

PARTITIONED = {
    # table: (primary key, indexes) as the parent has them (schema V3)
    "records": (
        "repository_id, location, id",
        ("USING gin (tsv)", "(repository_id, id)", "(created_at)", "(type, created_at)"),
    ),
    "session_messages": ("repository_id, session_id, hash", ("USING gin (tsv)", "(at)")),
}
BULK_MEMORY = 256 * 1024 * 1024  # maintenance_work_mem for the index builds (if lower)


def compress_fast(conn: Conn) -> None:
    """Values this run writes that TOAST compresses (a record's body, its fields) use lz4
    where the server has it: pglz was a tenth of loading the records (lz4 compresses several
    times faster, and reading a body back for a headline decompresses faster too). For this
    transaction only; the values say how they are compressed, so readers take either."""
    row = conn.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).fetchone()
    if row and row[0]:
        conn.execute("SET LOCAL default_toast_compression = 'lz4'")


def fresh_partitions(conn: Conn, repo_id: int) -> bool:
    """A repository's first publish: make its partitions as plain tables without indexes (true)
    for `attach_partitions` to index and attach once loaded; false when they exist."""
    row = conn.execute("SELECT to_regclass(%s) IS NULL", (f"records_r{repo_id}",)).fetchone()
    if not row or not row[0]:
        return False
    # The partition's CHECK comes with the table, so the COPY tests each row as it goes in
    # (nothing) rather than ALTER scanning every row afterwards; ATTACH relies on it. The
    # messages' partition is made by `publish._sessions` (`load_messages_partition`), from its rows.
    name = f"records_r{repo_id}"
    conn.execute(
        f"CREATE TABLE {name}"
        " (LIKE records INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE,"
        f" CONSTRAINT {name}_repository CHECK (repository_id = {int(repo_id)}))"
    )
    return True


def load_messages_partition(conn: Conn, repo_id: int, staging: str) -> None:
    """A repository's first publish: make `session_messages_r<id>` from the rows COPY put in
    `staging`, each message's tsvector computed by `CREATE TABLE ... AS`, which PostgreSQL
    runs with parallel workers (a generated column, or `INSERT ... SELECT`, computes it in
    the one backend, row by row: the server's main cost of a publish). Then the constraints
    the parent has, in one ALTER (one scan of the rows), so that ATTACH needs none."""
    name = f"session_messages_r{repo_id}"
    conn.execute(
        f"CREATE TABLE {name} AS SELECT {schema.MESSAGE_COLUMNS}, {schema.MESSAGE_TSV} AS tsv"
        f" FROM {staging}"
    )
    # The parent's NOT NULL columns (ATTACH requires them of the partition).
    required = [
        column
        for (column,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'session_messages'::regclass"
            " AND attnum > 0 AND NOT attisdropped AND attnotnull ORDER BY attnum"
        )
    ]
    conn.execute(
        f"ALTER TABLE {name} ADD CONSTRAINT {name}_repository"
        f" CHECK (repository_id = {int(repo_id)}),"
        + ",".join(f" ALTER COLUMN {column} SET NOT NULL" for column in required)
    )


def attach_partitions(conn: Conn, repo_id: int) -> None:
    """Index the loaded partitions in bulk and attach them: the indexes become the parent's
    (same definitions), and the CHECK made with the table spares ATTACH its scan of the rows."""
    row = conn.execute("SELECT pg_size_bytes(current_setting('maintenance_work_mem'))").fetchone()
    if row and int(row[0]) < BULK_MEMORY:  # this transaction only; never lowered
        conn.execute(f"SET LOCAL maintenance_work_mem = '{BULK_MEMORY // 1024 // 1024}MB'")
    for table, (key, indexes) in PARTITIONED.items():
        name = f"{table}_r{repo_id}"
        conn.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({key})")
        for index in indexes:
            conn.execute(f"CREATE INDEX ON {name} {index}")
        conn.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({repo_id})")
