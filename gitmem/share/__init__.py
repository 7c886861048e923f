"""Sharing memory between clones: notes sync, hidden refs, backups.

Owns `git mem sync` (fetch, merge by record id through `store.integrate`, non-forced push with
bounded retry), hidden refs under refs/gitmem/ (`hiddenrefs`), syncing checkpoint chains and
session transcripts, and backup bundles.

It may import `store`, `search`, `records` and the domain packages whose refs it carries
(`sessions` for transcripts); it must not import the CLI.
"""
