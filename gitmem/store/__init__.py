"""The canonical state: the record format, `.memory/` files, notes on refs/notes/mem, git.

Owns everything that is the truth: the record (`record`), its fields and memory types declared
once (`fields`, `types`), its two serialisations (`front_matter` files, `note_stream` notes)
and their `validation`, atomic file writes (`files`), `.memory/config.toml` (`config`), the
text of a new record (`compose`), compare-and-swap writes to refs/notes/mem (`objects`) and
merging another clone's notes into it, record by record and field by field
(`notesmerge`, `recordmerge`, `integrate`), the session active in a
worktree (`active_session`), `git mem init`'s settings (`initialize`), and every question asked
of git: the `git` binary in `git`, pygit2 in `objects` (its only importer, loaded lazily: it
costs ~110 ms). This package is the only importer of yaml and python-frontmatter.

It must not import any other gitmem package but the shared `errors` and `output`: everything
else builds on it.
"""
