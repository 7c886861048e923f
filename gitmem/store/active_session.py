"""Which session is active in a worktree: a pointer file under the git dir (no git, no index).

`<git-common-dir>/gitmem/sessions/active/<worktree>` holds the id of the session active in that
worktree; `<id>.json` beside it is the session's header while it runs. Saving a record reads
this (a record saved during a session is linked to it), so it lives in the store; the rest of a
running session's state is sessions/state.py's.
"""

from __future__ import annotations

from pathlib import Path

from gitmem.store import git
from gitmem.store.record import ID_RE


def folder(repo: git.RepoInfo) -> Path:
    return repo.state_dir / "sessions"


def worktree_key(repo: git.RepoInfo) -> str:
    """The worktree's name for its active-session pointer (as catalog.index_root names it)."""
    return "main" if repo.git_dir == repo.common_dir else "wt-" + repo.git_dir.name


def pointer(repo: git.RepoInfo, key: str | None = None) -> Path:
    return folder(repo) / "active" / (key or worktree_key(repo))


def read_id(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return text if ID_RE.fullmatch(text) else None


def active_id(repo: git.RepoInfo) -> str | None:
    """The session active in this worktree, if any (two file reads)."""
    sid = read_id(pointer(repo))
    if sid is None or not (folder(repo) / f"{sid}.json").exists():
        return None
    return sid
