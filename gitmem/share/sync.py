"""Share refs/notes/mem with a remote: fetch, merge by record id, push (DESIGN §3).

The remote's notes are fetched into a tracking ref, `refs/notes/remotes/<remote>/mem` (forced:
it is ours, a mirror of theirs), never over `refs/notes/mem`. The local ref only ever moves by
compare-and-swap: adopted when it is missing, fast-forwarded when it is behind, otherwise a
merge commit with both tips as parents. The push is never forced; a rejection means someone
pushed first, so we fetch, merge and try again with a jittered, growing pause, a bounded
number of times. Nothing here writes `remote.*.push`, so a plain `git push` is unaffected.

`merge_fetched` does the merge half for notes an ordinary `git fetch` brought in (through the
refspec `git mem init` adds); read commands call it first, so its nothing-to-do path is one
`git for-each-ref` and a small state file.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitmem.errors import GitMemError, UsageError
from gitmem.store import git, objects
from gitmem.store.files import atomic_write

if TYPE_CHECKING:  # imported where a merge happens: off the read commands' start-up path
    from gitmem.store.notesmerge import Conflict, Delta

TRACKING_PREFIX = "refs/notes/remotes/"
PUSH_ATTEMPTS = 20  # 8 clones pushing at once needed up to 7 here
MAX_PAUSE = 2.0  # seconds, the longest pause between two push attempts
STATE_FILE = "merged-notes"  # under the state dir: "<tracking ref> <tip>" lines already merged


def tracking_ref(remote: str) -> str:
    return f"{TRACKING_PREFIX}{remote}/mem"


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


def _merge_base(repo: git.RepoInfo, a: str, b: str) -> str | None:
    """The merge base of two notes commits; None when they share no history that is here
    (unrelated histories, or a shallow clone that cut it off): the merge is then a union."""
    proc = git.run(["merge-base", a, b], cwd=repo.git_dir, check=False)
    out = proc.stdout.decode().split()
    return out[0] if proc.returncode == 0 and out else None


def notes_tree(repo: git.RepoInfo, commit: str | None) -> dict[str, str]:
    """{annotated sha: note blob id} of a notes commit, whatever its fan-out."""
    if commit is None:
        return {}
    out = git.run(["ls-tree", "-r", "-z", commit], cwd=repo.git_dir).stdout.decode()
    notes = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, oid = meta.split()
        name = path.replace("/", "")
        if kind == "blob" and len(name) in (40, 64):
            notes[name] = oid
    return notes


def read_blobs(repo: git.RepoInfo, oids: list[str]) -> dict[str, bytes]:
    """Note blobs by id; every one must be there."""
    blobs = git.read_blobs(repo.git_dir, oids)
    for oid in oids:
        if oid not in blobs:
            raise GitMemError(f"note blob {oid} is missing from this repository")
    return blobs


def _reader(repo: git.RepoInfo) -> Any:
    return lambda oids: read_blobs(repo, oids)


# ------------------------------------------------------------------ the merge half


def _move_local(repo: git.RepoInfo, new: str, expected: str | None, why: str) -> bool:
    """Point refs/notes/mem at `new` if it is still at `expected` (None: must not exist)."""
    return git.move_ref(repo, git.NOTES_REF, new, expected, f"gitmem: {why}")


def integrate(repo: git.RepoInfo, theirs: str, label: str) -> list[Conflict]:
    """Bring the notes commit `theirs` into refs/notes/mem: adopt, fast-forward or merge."""
    from gitmem.store import notesmerge

    for _ in range(git.CAS_ATTEMPTS):
        ours = git.commit_tip(repo, git.NOTES_REF)
        if ours == theirs or (ours is not None and git.is_ancestor(repo, theirs, ours)):
            return []
        if ours is None or git.is_ancestor(repo, ours, theirs):
            if _move_local(repo, theirs, ours, f"sync: fast-forward to {label}"):
                return []
            continue  # someone wrote a note meanwhile: look again
        break
    else:
        raise GitMemError(f"{git.NOTES_REF} kept changing under us; run the command again")
    base = _merge_base(repo, ours, theirs)
    base_map, their_map = notes_tree(repo, base), notes_tree(repo, theirs)
    found: list[list[Conflict]] = [[]]

    def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
        local = str(snapshot.commit.id) if snapshot.commit is not None else None
        merged = notesmerge.merge_trees(base_map, notes_tree(repo, local), their_map, _reader(repo))
        found[0] = merged.conflicts
        return merged.changes

    message = f"gitmem: sync: merge {label} ({theirs[:12]})"
    objects.update_notes(repo, mutate, message, merge_parent=theirs)
    return found[0]


# ------------------------------------------------------------------ state of the lazy merge


def _state(repo: git.RepoInfo) -> dict[str, str]:
    try:
        text = (repo.state_dir / STATE_FILE).read_text(encoding="utf-8")
    except OSError:
        return {}
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def _remember(repo: git.RepoInfo, ref: str, tip: str) -> None:
    """Record a tracking tip as merged. Two writers may lose each other's line: the cost is
    one `merge-base --is-ancestor` next time, never a merge skipped."""
    state = _state(repo)
    if state.get(ref) == tip:
        return
    state[ref] = tip
    text = "".join(f"{name} {oid}\n" for name, oid in sorted(state.items()))
    atomic_write(repo.state_dir / STATE_FILE, text.encode(), durable=False)


def merge_fetched(repo: git.RepoInfo) -> list[str]:
    """Merge notes that a plain `git fetch` brought into tracking refs; lines for stderr.

    Never raises: a read command must work even when the merge cannot be done.
    """
    try:
        fmt = "--format=%(refname) %(objectname)"
        out = git.run(["for-each-ref", fmt, TRACKING_PREFIX], cwd=repo.git_dir).stdout.decode()
        tips = dict(line.split(" ", 1) for line in out.splitlines())
        tips = {ref: oid for ref, oid in tips.items() if ref.endswith("/mem")}
        if not tips:
            return []
        state = _state(repo)
        messages = []
        for ref, oid in sorted(tips.items()):
            if state.get(ref) != oid:
                messages += _merge_one_fetched(repo, ref)
        return messages
    except Exception as error:  # a failed merge must never fail a read command
        return [
            f"git-mem: warning: could not merge fetched notes ({error}); "
            "run `git mem sync` to retry"
        ]


def _merge_one_fetched(repo: git.RepoInfo, ref: str) -> list[str]:
    from gitmem.store import notesmerge

    remote = ref.removeprefix(TRACKING_PREFIX).removesuffix("/mem")
    theirs = git.commit_tip(repo, ref)
    if theirs is None:
        return []
    before = git.commit_tip(repo, git.NOTES_REF)
    conflicts = integrate(repo, theirs, f"{remote}'s notes")
    _remember(repo, ref, theirs)
    after = git.commit_tip(repo, git.NOTES_REF)
    if after == before:
        return []
    change = notesmerge.delta(notes_tree(repo, before), notes_tree(repo, after), _reader(repo))
    lines = [f"git-mem: merged notes fetched from {remote}: {describe(change, conflicts)}"]
    return lines + [f"git-mem: {conflict_line(c)}" for c in conflicts]


def describe(change: Delta, conflicts: list[Conflict]) -> str:
    n = len(conflicts)
    return (
        f"{change.added} added, {change.removed} removed, {change.updated} updated, "
        f"{n} conflict{'' if n == 1 else 's'}"
    )


def conflict_line(conflict: Conflict) -> str:
    return f"conflict: {conflict.id} on note {conflict.note[:12]}: {conflict.reason}"


# ------------------------------------------------------------------ fetch and push


def _git_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    """git's first fatal/error line (the later ones are advice), else its last line."""
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    for line in lines:
        if line.startswith(("fatal: ", "error: ")):
            return line.split(": ", 1)[1]
    return lines[-1] if lines else f"git exited with {proc.returncode}"


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
    raise GitMemError(f"could not fetch notes from {remote}: {_git_error(proc)}")


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
    raise GitMemError(f"could not push notes to {remote}: {_git_error(proc)}")


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
            _remember(repo, tracking_ref(remote), theirs)
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
            _remember(repo, tracking_ref(remote), ours)
            sent = notesmerge.delta(notes_tree(repo, theirs), notes_tree(repo, ours), _reader(repo))
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
    reader = _reader(repo)
    local_before = notes_tree(repo, start)
    # Fetched: what the remote gained since the history we share (all of it if none).
    shared = _merge_base(repo, start, first_fetch) if start and first_fetch else None
    incoming = notesmerge.delta(notes_tree(repo, shared), notes_tree(repo, first_fetch), reader)
    result.fetched = incoming.added + incoming.updated
    change = notesmerge.delta(local_before, notes_tree(repo, result.tip), reader)
    result.added, result.removed, result.updated = change.added, change.removed, change.updated
    return result
