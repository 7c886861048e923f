"""`git mem publish` and the `--server` reads: one repository's memory mirrored into PostgreSQL,
searched and reported on across every repository published there.

Owns `connect` (the database URL: where it comes from, one-line errors), `schema` (the versioned
schema, migrated forward by publish itself), `local` (what this repository holds now: records by
location with a digest of each, sessions by blob id), `publish` (one incremental run, one
transaction), `ask` (search across repositories: records and session messages) and `reports`
(the six reports across repositories).

The only importer of psycopg (an optional extra, `pip install 'gitmem[postgres]'`), lazily: the
other commands never load it. Uses `sessions` (transcripts are published); it must not import
the CLI. The repository stays the truth: nothing here writes to it.
"""
