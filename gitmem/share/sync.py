"""Share refs/notes/mem with a remote: fetch, merge by record id, push.

The remote's notes are fetched into a tracking ref, `refs/notes/remotes/<remote>/mem` (forced:
it is ours, a mirror of theirs), never over `refs/notes/mem`. The local ref only ever moves by
compare-and-swap: adopted when it is missing, fast-forwarded when it is behind, otherwise a
merge commit with both tips as parents. The push is never forced; a rejection means someone
pushed first, so we fetch, merge and try again with a jittered, growing pause, a bounded
number of times. Nothing here writes `remote.*.push`, so a plain `git push` is unaffected.

The merge half (`store.integrate`) is the store's: read commands use it too, for notes a plain
`git fetch` brought in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitmem.errors import GitMemError, UsageError
from gitmem.store import git
from gitmem.store.integrate import (
    integrate,
    merge_base,
    notes_tree,
    reader,
    remember,
    tracking_ref,
)

if TYPE_CHECKING:
    from gitmem.store.notesmerge import Conflict

PUSH_ATTEMPTS = 20  # 8 clones pushing at once needed up to 7 here
MAX_PAUSE = 2.0  # seconds, the longest pause between two push attempts


@dataclass
class SyncResult:
    remote: str
    fetched: int = 0  # records new or changed on the remote since our shared history
    added: int = 0  # records the local notes gained
    removed: int = 0  # records the local notes lost (removed on the remote)
    updated: int = 0  # records the local notes took a changed version of
    conflicts: list[Conflict] = field(default_factory=list)
    pushed: int = 0  # records the push added to, changed on or removed from the remote
    push: str = "skipped"  # pushed | up to date | skipped
    tip: str | None = None  # refs/notes/mem afterwards
    attempts: int = 0  # fetch-merge-push rounds

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "fetched": self.fetched,
            "added": self.added,
            "removed": self.removed,
            "updated": self.updated,
            "conflicts": [c.to_json() for c in self.conflicts],
            "pushed": self.pushed,
            "push": self.push,
            "tip": self.tip,
            "attempts": self.attempts,
        }


# ------------------------------------------------------------------ plain git helpers


def default_remote(repo: git.RepoInfo) -> str:
    """The current branch's upstream remote, else `origin`; an error naming the choices."""
    names = git.remotes(repo)
    branch = git.run(["symbolic-ref", "-q", "--short", "HEAD"], cwd=repo.git_dir, check=False)
    name = branch.stdout.decode().strip()
    if name:
        upstream = git.config_get_all(repo, f"branch.{name}.remote")
        if upstream and upstream[-1] in names:
            return upstream[-1]
    if "origin" in names:
        return "origin"
    if not names:
        raise UsageError(
            "this repository has no remote to sync notes with; add one with "
            "`git remote add origin URL`"
        )
    raise UsageError(
        f"no upstream and no remote named origin; name one: git mem sync REMOTE "
        f"(remotes: {', '.join(names)})"
    )


# ------------------------------------------------------------------ fetch and push


def fetch(repo: git.RepoInfo, remote: str) -> str | None:
    """Fetch the remote's notes into its tracking ref; their tip, None if it has no notes."""
    ref = tracking_ref(remote)
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote]
    for _ in range(3):
        proc = git.run([*args, f"+{git.NOTES_REF}:{ref}"], cwd=repo.git_dir, check=False)
        if proc.returncode == 0:
            return git.commit_tip(repo, ref)
        # Told apart without parsing git's (translated) message: ask whether the ref exists.
        probe = ["ls-remote", "--exit-code", remote, git.NOTES_REF]
        found = git.run(probe, cwd=repo.git_dir, check=False).returncode
        if found == 2:
            return None
        if found != 0:
            break
        # It exists now: another clone pushed the first notes between our two questions.
    raise GitMemError(f"could not fetch notes from {remote}: {git.error_line(proc)}")


def _push(repo: git.RepoInfo, remote: str) -> str:
    """Push refs/notes/mem, never forced: pushed, up to date, or rejected (someone was first)."""
    args = ["push", "--porcelain", remote, f"{git.NOTES_REF}:{git.NOTES_REF}"]
    proc = git.run(args, cwd=repo.git_dir, check=False)
    for line in proc.stdout.decode(errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[1] != f"{git.NOTES_REF}:{git.NOTES_REF}":
            continue
        flag, summary = fields[0], fields[2]
        if flag == "=":
            return "up to date"
        if flag != "!":
            return "pushed"
        # Lost a race: the tip moved (rejected), or another push held the ref lock.
        if summary.startswith("[rejected]") or any(
            word in summary for word in ("lock", "failed to update", "old value")
        ):
            return "rejected"
        raise GitMemError(f"{remote} refused the notes: {summary}")
    raise GitMemError(f"could not push notes to {remote}: {git.error_line(proc)}")


def sync(repo: git.RepoInfo, remote: str, push: bool = True) -> SyncResult:
    """Fetch, merge and (unless `push` is False) push the notes; safe to run concurrently."""
    from gitmem.store import notesmerge

    if remote not in git.remotes(repo):
        raise UsageError(f"no remote named {remote!r}; see `git remote -v`")
    result = SyncResult(remote)
    start = git.commit_tip(repo, git.NOTES_REF)
    first_fetch: str | None = None
    theirs: str | None = None
    seen: set[tuple[str, str]] = set()
    for attempt in range(PUSH_ATTEMPTS):
        result.attempts = attempt + 1
        theirs = fetch(repo, remote)
        if attempt == 0:
            first_fetch = theirs
        if theirs is not None:
            for conflict in integrate(repo, theirs, f"{remote}'s notes"):
                if (conflict.note, conflict.id) not in seen:
                    seen.add((conflict.note, conflict.id))
                    result.conflicts.append(conflict)
            remember(repo, tracking_ref(remote), theirs)
        ours = git.commit_tip(repo, git.NOTES_REF)
        if not push:
            break
        if ours is None or ours == theirs:
            result.push = "up to date"
            break
        outcome = _push(repo, remote)
        if outcome != "rejected":
            result.push = outcome
            # Ours is theirs now: keep the tracking ref (and the lazy merge) in step.
            git.run(["update-ref", tracking_ref(remote), ours], cwd=repo.git_dir)
            remember(repo, tracking_ref(remote), ours)
            sent = notesmerge.delta(notes_tree(repo, theirs), notes_tree(repo, ours), reader(repo))
            result.pushed = sent.total
            break
        import random  # lazily, like hashlib: off the read commands' import path

        time.sleep(random.uniform(0, min(MAX_PAUSE, 0.05 * 2**attempt)))
    else:
        raise GitMemError(
            f"could not push notes to {remote}: other pushes kept winning after "
            f"{PUSH_ATTEMPTS} attempts; local notes are merged and safe, run `git mem sync` again"
        )
    result.tip = git.commit_tip(repo, git.NOTES_REF)
    read = reader(repo)
    local_before = notes_tree(repo, start)
    # Fetched: what the remote gained since the history we share (all of it if none).
    shared = merge_base(repo, start, first_fetch) if start and first_fetch else None
    incoming = notesmerge.delta(notes_tree(repo, shared), notes_tree(repo, first_fetch), read)
    result.fetched = incoming.added + incoming.updated
    change = notesmerge.delta(local_before, notes_tree(repo, result.tip), read)
    result.added, result.removed, result.updated = change.added, change.removed, change.updated
    return result
