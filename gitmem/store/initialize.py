"""`git mem init`: the `.memory/` folder and the git settings that make notes travel."""

from __future__ import annotations

from pathlib import Path

from gitmem.store import config, git
from gitmem.store.files import create_new

REWRITE_KEY = "notes.rewriteRef"

README = """\
# .memory — this project's memory

This folder is managed by [gitmem](https://github.com/gitmem/gitmem) (`git mem`). Each file is
one memory: a decision and why it was made, a fact, a bug and its fix, a procedure, a code
pattern, a session summary or a preference — Markdown with a YAML front-matter header.

- Files live in one folder per type: `decisions/`, `facts/`, `errors/`, `procedures/`,
  `patterns/`, `sessions/`, `preferences/`.
- Review them in pull requests like code; edit them by hand or with `git mem edit ID`.
- Find them with `git mem list` and `git mem show ID`.
- `config.toml` holds settings shared by the team (custom types, defaults).

Memories about a single commit live in git notes (`refs/notes/mem`), not here:
`git log --notes=mem` shows them.
"""


def fetch_refspec(remote: str) -> str:
    """Notes arrive in a tracking ref, never force-fetched over local notes.

    A pattern (`mem*`), not the exact ref: an exact refspec naming a ref the remote lacks fails
    the whole `git fetch` (and `git pull`), and a remote has no notes until the first sync.
    (Refs named refs/notes/mem<more> get mirrored too, harmlessly.)
    """
    return f"+{git.NOTES_REF}*:refs/notes/remotes/{remote}/mem*"


def _exact_refspec(remote: str) -> str:
    """What earlier versions of `init` added: replaced, since it breaks `git fetch`."""
    return f"+{git.NOTES_REF}:refs/notes/remotes/{remote}/mem"


def missing_settings(repo: git.RepoInfo) -> list[tuple[str, str]]:
    """The git config entries `init` would add: (key, value)."""
    missing = []
    if git.NOTES_REF not in git.config_get_all(repo, REWRITE_KEY):
        missing.append((REWRITE_KEY, git.NOTES_REF))
    for remote in git.remotes(repo):
        key = f"remote.{remote}.fetch"
        if fetch_refspec(remote) not in git.config_get_all(repo, key):
            missing.append((key, fetch_refspec(remote)))
    return missing


def initialize(repo: git.RepoInfo, memory_dir: Path | None) -> list[str]:
    """Make the repository ready for gitmem; what was changed, one line each (idempotent)."""
    changes = []
    if memory_dir is not None:
        memory_dir.mkdir(exist_ok=True)
        for name, text in ((config.CONFIG_NAME, config.TEMPLATE), ("README.md", README)):
            if create_new(memory_dir / name, text.encode()):
                changes.append(f"created .memory/{name}")
    for key, value in missing_settings(repo):
        git.config_add(repo, key, value)
        changes.append(f"set {key}={value}")
    for remote in git.remotes(repo):
        key, old = f"remote.{remote}.fetch", _exact_refspec(remote)
        if old in git.config_get_all(repo, key):
            git.run(["config", "--fixed-value", "--unset", key, old], cwd=repo.git_dir)
            changes.append(f"removed {key}={old} (a remote without notes made `git fetch` fail)")
    return changes
