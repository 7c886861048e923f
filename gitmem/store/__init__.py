"""The canonical state: the record format, `.memory/` files, notes on refs/notes/mem, git.

Owns everything that is the truth: the record schema and its two serialisations (front-matter
files and YAML note streams) with their validation, atomic file writes, the `.memory/config.toml`
settings, composing and editing a record, compare-and-swap writes to refs/notes/mem and merging
another clone's notes into it, and every question asked of git (`git` is the only importer of
pygit2; this package is the only importer of yaml and python-frontmatter).

It must not import any other gitmem package but `errors`: everything else builds on it.
"""
