"""`git mem sync --all`: share session transcripts (`refs/gitmem/sessions`) with a remote.

The remote's ref is fetched into a tracking ref of our own,
`refs/gitmem/remotes/<remote>/sessions`, never over ours. Ours then takes theirs in: created
when we have none, fast-forwarded when behind, kept when ahead; when both sides wrote, a merge
commit (both tips as parents) whose tree is the union of the sessions, and a session both sides
hold differently gets the union of its messages by hash (ordered by timestamp, then hash) and
the header that has `ended` set (transcripts.merge). Every local move is a compare-and-swap.
Ours is then pushed, never forced; a push that loses a race is fetched, merged and retried, a
bounded number of times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitmem.errors import GitMemError
from gitmem.sessions import transcripts
from gitmem.share.hiddenrefs import AHEAD, CREATED, FAST_FORWARD, UP_TO_DATE
from gitmem.store import git

ATTEMPTS = 10
REF = transcripts.REF

# Outcomes of taking the remote's ref in: hiddenrefs' (created, fast-forwarded, ...) and
NONE = "none on the remote"
MERGED = "merged"


def tracking_ref(remote: str) -> str:
    return f"refs/gitmem/remotes/{remote}/sessions"


@dataclass
class SessionSync:
    remote: str
    outcome: str = NONE
    taken: list[str] = field(default_factory=list)  # sessions new or changed here
    merged: list[str] = field(default_factory=list)  # of those, the ones both sides changed
    push: str = "up to date"  # pushed | up to date | skipped (--no-push) | not pushed
    pushed: list[str] = field(default_factory=list)  # sessions new or changed on the remote
    attempts: int = 0
    tip: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "outcome": self.outcome,
            "taken": self.taken,
            "merged": self.merged,
            "push": self.push,
            "pushed": self.pushed,
            "attempts": self.attempts,
            "tip": self.tip,
        }


def _error(proc: Any) -> str:
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    return str(lines[-1]).removeprefix("fatal: ") if lines else f"git exited {proc.returncode}"


def _fetch(repo: git.RepoInfo, remote: str) -> str | None:
    """The remote's tip, mirrored into the tracking ref (None: it has no sessions)."""
    tracking = tracking_ref(remote)
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote]
    proc = git.run([*args, f"+{REF}:{tracking}"], cwd=repo.git_dir, check=False)
    if proc.returncode != 0:
        if "couldn't find remote ref" not in proc.stderr.decode(errors="replace"):
            raise GitMemError(f"could not fetch sessions from {remote}: {_error(proc)}")
        if git.ref_tip(repo, tracking) is not None:
            git.run(["update-ref", "-d", tracking], cwd=repo.git_dir)
        return None
    return transcripts.tip(repo, tracking)


def _merge_into_ours(
    repo: git.RepoInfo, theirs: str, remote: str, their_blobs: dict[str, str]
) -> str | None:

    def mutate(snapshot: transcripts.Snapshot) -> dict[str, bytes | None]:
        differ = [sid for sid, oid in their_blobs.items() if snapshot.blobs.get(sid) != oid]
        data = transcripts.read_blobs(repo, [their_blobs[sid] for sid in differ])
        changes: dict[str, bytes | None] = {}
        mine = snapshot.transcripts([sid for sid in differ if sid in snapshot.blobs])
        for sid in differ:
            incoming = data[their_blobs[sid]]
            if sid not in mine:
                changes[sid] = incoming
            else:
                merged = transcripts.merge(mine[sid], transcripts.decode(incoming, sid))
                changes[sid] = merged.encode()
        return changes

    message = f"sync --all: merge {remote}'s sessions"
    return transcripts.update(repo, mutate, message, merge_parent=theirs)


def _take_in(repo: git.RepoInfo, theirs: str, remote: str, their_blobs: dict[str, str]) -> str:
    """Bring `theirs` into our ref; the outcome."""
    for _ in range(git.CAS_ATTEMPTS):
        ours = transcripts.tip(repo)
        why = f"gitmem: sync --all: {remote}'s sessions"
        if ours == theirs:
            return UP_TO_DATE
        if ours is None:
            if git.move_ref(repo, REF, theirs, None, why):
                return CREATED
            continue
        if git.is_ancestor(repo, theirs, ours):
            return AHEAD
        if git.is_ancestor(repo, ours, theirs):
            if git.move_ref(repo, REF, theirs, ours, why):
                return FAST_FORWARD
            continue
        _merge_into_ours(repo, theirs, remote, their_blobs)
        return MERGED
    raise GitMemError(f"{REF} kept changing under us; run the command again")


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(sid for sid, oid in after.items() if before.get(sid) != oid)


def _blobs(repo: git.RepoInfo, commit: str | None) -> dict[str, str]:
    return transcripts.entries(repo, commit) if commit else {}


def _push(repo: git.RepoInfo, remote: str) -> bool:
    """Push our ref, never forced; False when the remote moved first."""
    args = ["push", "--porcelain", remote, f"{REF}:{REF}"]
    proc = git.run(args, cwd=repo.git_dir, check=False)
    for line in proc.stdout.decode(errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1].startswith(f"{REF}:"):
            return fields[0] != "!"
    if proc.returncode != 0:
        raise GitMemError(f"could not push sessions to {remote}: {_error(proc)}")
    return True


def sync_sessions(repo: git.RepoInfo, remote: str, push: bool = True) -> SessionSync:
    """Fetch, take in and (unless `push` is False) push the session transcripts."""
    result = SessionSync(remote)
    taken: set[str] = set()
    merged: set[str] = set()
    for attempt in range(1, ATTEMPTS + 1):
        result.attempts = attempt
        theirs = _fetch(repo, remote)
        their_blobs = _blobs(repo, theirs)  # each tree listed once per pass
        ours = transcripts.tip(repo)
        if theirs is not None:
            before = _blobs(repo, ours)
            outcome = _take_in(repo, theirs, remote, their_blobs)
            if result.outcome in (NONE, UP_TO_DATE, AHEAD) or outcome == MERGED:
                result.outcome = outcome
            ours = transcripts.tip(repo)
            changed = _changed(before, _blobs(repo, ours))
            taken.update(changed)
            merged.update(sid for sid in changed if sid in before and sid in their_blobs)
        result.tip = ours
        if ours is None or ours == theirs:
            result.push = "up to date"
            break
        if not push:
            result.push = "skipped"
            break
        if _push(repo, remote):
            result.push = "pushed"
            result.pushed = _changed(their_blobs, _blobs(repo, ours))
            git.run(["update-ref", tracking_ref(remote), ours], cwd=repo.git_dir)
            break
        result.push = "not pushed"  # the remote moved first: fetch, merge and try again
    result.taken = sorted(taken)
    result.merged = sorted(merged)
    return result


def describe(result: SessionSync) -> list[str]:
    """Lines for the user."""
    lines = []
    remote = result.remote
    if result.taken:
        n = len(result.taken)
        merged = f" ({len(result.merged)} merged with yours)" if result.merged else ""
        lines.append(f"sessions: took in {n} from {remote}{merged}")
    if result.push == "pushed":
        n = len(result.pushed)
        lines.append(f"sessions: pushed {n} to {remote}")
    elif result.push == "skipped":
        lines.append("sessions: not pushed (--no-push)")
    elif result.push == "not pushed":
        lines.append(f"sessions: not pushed, {remote} kept changing; run again")
    if not lines and result.tip is not None:  # no sessions on either side: nothing to say
        lines.append(f"sessions: up to date with {remote}")
    return lines
