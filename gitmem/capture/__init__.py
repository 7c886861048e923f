"""Commit -> records: what the hooks and `git mem capture` keep from commit messages.

Owns the capture rules and their `[capture]` config (`rules`), reading commits (`commits`),
writing captured records into notes and following amend/rebase (`notes`), the hook entry
points (`on_commit`), backfill over history (`backfill`), installing the hook shims (`hooks`)
and the pre-commit validation (`checks`). The post-commit path imports no pygit2, yaml, whoosh
or frontmatter (tests/capture/rewrite_test.py measures it).

It may import `store`, `search` and `records`; it must not import the CLI or `gitmem.main`.
"""
