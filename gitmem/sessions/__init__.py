"""Assistant sessions: live state, transcripts on refs/gitmem/sessions, summaries, imports.

Owns a session's lifecycle (`sessions`), the local state of active sessions (`state`), the
transcript store (`transcripts`), the summary record written at the end (`summary`) and
importing conversations from other tools (`import_formats`, `importer`).

It may import `store`, `search` and `records`; it must not import the CLI.
"""
