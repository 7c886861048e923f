"""One repository kept open for many reads: the MCP server, `git mem serve`, the index service.

PLACEHOLDER written on the `service` branch with exactly the interface of the contract between
the `warm` and `service` helpers (issue 14): `store()` returns a plain `Store`, correct but not
warm (every call refreshes the way a new process does). It is replaced by the warm core of the
`warm` branch at merge; nothing may depend on it beyond this interface.
"""

from __future__ import annotations

from collections.abc import Callable

from gitmem.records.store import ProgressBar, Store
from gitmem.store import git


class WarmRepo:
    """One repository kept open for many reads (the MCP server, `git mem serve`, the index
    service): fresh on every call, warm between calls."""

    def __init__(self, repo: git.RepoInfo) -> None:
        self.repo = repo

    def store(
        self,
        notify: Callable[[str], None] | None = None,
        progress: ProgressBar | None = None,
    ) -> Store:
        """A Store for one request. Its catalog() reflects every change made before this call
        (.memory/ files, the notes ref, git's index, a branch switch, config.toml) and costs
        what changed, not the repository's size; the index reader it opens stays open between
        calls and is reopened when the index changes."""
        return Store(self.repo, notify=notify, progress=progress)

    def close(self) -> None:
        """Stop watching and close what is open; idempotent."""
