"""What the capture hooks do: post-commit captures HEAD, post-rewrite makes records follow.

Run on every commit, so it imports what `commits` and `rules` import (re, the `git` binary)
and loads the note writer (`notes`: yaml, the record format) only when something is captured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gitmem.capture.commits import (
    explain,
    made_by_rewrite,
    read_commits,
    rebase_in_progress,
    settle_revert,
)
from gitmem.capture.rules import Rules, load_rules
from gitmem.store import git

if TYPE_CHECKING:  # the note writer loads yaml: only when something is written
    from gitmem.capture.notes import Outcome


def handle_post_commit(
    repo: git.RepoInfo, warn: Callable[[str], None] | None = None
) -> Outcome | None:
    """The post-commit hook: capture HEAD. What it wrote, or None (almost always).
    `warn` hears each configured pattern that was left out (unsafe or invalid)."""
    rules = _rules(repo, warn)
    if not rules.enabled:
        return None
    [commit] = read_commits(repo, ["HEAD"])
    found, reason = explain(commit, rules)
    if found and reason.startswith("revert-with-reason"):
        found, reason = settle_revert(repo, commit, found, reason)
    if not found or made_by_rewrite(repo, commit.sha):
        return None
    from gitmem.capture import notes

    return notes.write_captures(repo, rules, [(commit, found)])


def _rules(repo: git.RepoInfo, warn: Callable[[str], None] | None) -> Rules:
    rules = load_rules(repo)
    if warn is not None:
        for warning in rules.warnings:
            warn(warning)
    return rules


def handle_post_rewrite(
    repo: git.RepoInfo,
    kind: str,
    pairs: list[tuple[str, str]],
    warn: Callable[[str], None] | None = None,
) -> Outcome | None:
    """The post-rewrite hook (`amend` or `rebase`, `old new` pairs): records follow the
    rewrite, and what the new messages capture is added. What it did, or None (nothing)."""
    if not pairs:
        return None
    if kind == "amend" and rebase_in_progress(repo):
        # A squash (or an amend at an `edit` stop) inside a rebase: the rebase's own
        # post-rewrite lists these commits again at its end; moving now would capture the
        # squashed message before the other commit's records arrive, and capture them twice.
        return None
    from gitmem.capture import notes

    return notes.follow_rewrite(repo, _rules(repo, warn), pairs, kind)
