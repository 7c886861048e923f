"""Personal memory: a plain git repository of one's own, with the same `.memory/` layout, for
preferences and learnings that follow a person across projects (`--global`).

It lives at `$GITMEM_HOME`, else `$XDG_DATA_HOME/gitmem/personal`, else
`~/.local/share/gitmem/personal`; the first write creates it. Nobody runs git there by hand, so
every write is committed at once (`commit`): the history is the undo, and `git mem sync
--global` shares it with a private remote.
"""

from __future__ import annotations

import os
from pathlib import Path

from gitmem.errors import GitMemError, NotFoundError
from gitmem.store import git
from gitmem.store.initialize import initialize

BRANCH = "main"
# Who commits in the personal repository when git has no identity configured.
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "gitmem",
    "GIT_AUTHOR_EMAIL": "gitmem@localhost",
    "GIT_COMMITTER_NAME": "gitmem",
    "GIT_COMMITTER_EMAIL": "gitmem@localhost",
}


def home() -> Path:
    explicit = os.environ.get("GITMEM_HOME")
    if explicit:
        return Path(explicit).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "gitmem" / "personal"


def open_repo(*, create: bool) -> git.RepoInfo:
    """The personal repository; created (git init, `git mem init`, a first commit) when
    missing and `create`, else a NotFoundError that says how to start one."""
    path = home()
    if not (path / ".git").exists():
        if path.exists() and any(path.iterdir()):
            raise GitMemError(
                f"{path}: personal memory must be a git repository (set GITMEM_HOME elsewhere "
                "or run git init there)"
            )
        if not create:
            raise NotFoundError(
                f"no personal memory yet (in {path}): git mem save --global TEXT starts it"
            )
        _create(path)
    repo = git.discover(path)
    if repo.work_tree is None or repo.work_tree.resolve() != path.resolve():
        raise GitMemError(f"{path}: not the top of a git work tree")
    return repo


def _create(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    git.run(["init", "-q", "-b", BRANCH], cwd=path)
    repo = git.discover(path)
    initialize(repo, path / ".memory", display=True)
    commit(repo, "gitmem: start personal memory")


def commit(repo: git.RepoInfo, message: str) -> bool:
    """Commit whatever changed under `.memory/`; False when nothing had."""
    assert repo.work_tree is not None
    git.run(["add", "-A", "--", ".memory"], cwd=repo.work_tree)
    staged = git.run(["diff", "--cached", "--quiet"], cwd=repo.work_tree, check=False)
    if staged.returncode == 0 and _has_commits(repo):
        return False
    git.run(
        ["commit", "-q", "--allow-empty", "--no-verify", "-m", message],
        cwd=repo.work_tree,
        env=identity_env(repo),
    )
    return True


def identity_env(repo: git.RepoInfo) -> dict[str, str] | None:
    """gitmem's own identity for the commits it makes here, when git has none configured."""
    return FALLBACK_IDENTITY if git.ident(repo) is None else None


def _has_commits(repo: git.RepoInfo) -> bool:
    head = git.run(["rev-parse", "-q", "--verify", "HEAD"], cwd=repo.git_dir, check=False)
    return head.returncode == 0
