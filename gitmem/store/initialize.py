"""`git mem init`: the `.memory/` folder and the git settings that make notes travel."""

from __future__ import annotations

import re
from pathlib import Path

from gitmem.errors import UsageError
from gitmem.store import config, git
from gitmem.store.files import create_new, escapes

REWRITE_KEY = "notes.rewriteRef"
DISPLAY_KEY = "notes.displayRef"

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


def initialize(repo: git.RepoInfo, memory_dir: Path | None, *, display: bool = True) -> list[str]:
    """Make the repository ready for gitmem; what was changed, one line each (idempotent).

    `display`: also set notes.displayRef, so that plain `git log` shows the memories on a
    commit (git adds it to the notes it shows by default; a local setting, undone with
    `git config --unset notes.displayRef`)."""
    changes = []
    if memory_dir is not None:
        if (target := escapes(memory_dir, memory_dir.parent)) is not None:
            raise UsageError(
                f"refusing to write .memory/: it is a symlink to {target}, outside the work tree"
            )
        memory_dir.mkdir(exist_ok=True)
        for name, text in ((config.CONFIG_NAME, config.TEMPLATE), ("README.md", README)):
            if create_new(memory_dir / name, text.encode()):
                changes.append(f"created .memory/{name}")
    if display and git.NOTES_REF not in git.config_get_all(repo, DISPLAY_KEY):
        git.config_add(repo, DISPLAY_KEY, git.NOTES_REF)
        changes.append(
            f"set {DISPLAY_KEY}={git.NOTES_REF}: plain `git log` shows memories "
            "(--no-display-ref skips this)"
        )
    for key, value in missing_settings(repo):
        git.config_add(repo, key, value)
        changes.append(f"set {key}={value}")
    for remote in git.remotes(repo):
        key, old = f"remote.{remote}.fetch", _exact_refspec(remote)
        if old in git.config_get_all(repo, key):
            git.run(["config", "--fixed-value", "--unset", key, old], cwd=repo.git_dir)
            changes.append(f"removed {key}={old} (a remote without notes made `git fetch` fail)")
    return changes


_SECTION = re.compile(r"\[\s*([A-Za-z0-9.-]+)\s*\]\s*")
_MARK = re.compile(r'(?i:rewriteref)\s*=\s*("?)refs/notes/mem\1\s*')  # names ignore case


def _marked_in_config_file(repo: git.RepoInfo) -> bool:
    """`notes.rewriteRef = refs/notes/mem` in `<common dir>/config`, read without git. Git
    reads that file too and nothing can take a value out of it (includes and other files only
    add), so a line found there is what `git config` would say; anything this simple reading
    does not follow (a key on the section's line, a continued value, a comment after the value)
    finds nothing, and git is asked."""
    try:
        text = (repo.common_dir / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    section = None
    continued = False
    for raw in text.splitlines():
        line = raw.strip()
        if continued:  # the rest of a value whose line ended with a backslash
            continued = line.endswith("\\")
            continue
        continued = line.endswith("\\")
        if line.startswith("["):
            header = _SECTION.fullmatch(line)
            section = header.group(1).lower() if header else None
        elif section == "notes" and _MARK.fullmatch(line):
            return True
    return False


def adopt_clone(repo: git.RepoInfo) -> list[str]:
    """A clone where `git mem init` never ran: add the notes fetch refspec to each remote that
    lacks it, so that `git fetch` and `git pull` bring the team's memories; what was added, one
    line each. Nothing once `init` ran (notes.rewriteRef is its mark): a refspec a user took out
    afterwards stays out. No git process when the repository's own config file says `init`
    ran (every read command comes here); one `git config` call otherwise."""
    if _marked_in_config_file(repo):
        return []
    pattern = r"^(remote\..*\.(url|fetch)|notes\.rewriteref)$"
    proc = git.run(["config", "-z", "--get-regexp", pattern], cwd=repo.git_dir, check=False)
    remotes: dict[str, list[str]] = {}
    for entry in proc.stdout.decode(errors="surrogateescape").split("\0"):
        key, _, value = entry.partition("\n")
        if key == "notes.rewriteref" and value == git.NOTES_REF:
            return []
        if key.startswith("remote.") and key.endswith((".url", ".fetch")):
            name, _, field = key[len("remote.") :].rpartition(".")
            refspecs = remotes.setdefault(name, [])
            if field == "fetch":
                refspecs.append(value)
    added = []
    for remote, refspecs in remotes.items():
        refspec = fetch_refspec(remote)
        if refspec not in refspecs:
            git.config_add(repo, f"remote.{remote}.fetch", refspec)
            added.append(
                f"gitmem: added {refspec} to remote.{remote}.fetch, so `git fetch` brings "
                "the memories on commits (`git mem init` sets up the rest)"
            )
    return added
