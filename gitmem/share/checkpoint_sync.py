"""`git mem sync --all`: share checkpoint chains (`refs/gitmem/checkpoints/*`) with a remote.

Like the notes (sync.py), the remote's chains are fetched into tracking refs of our own,
`refs/gitmem/remotes/<remote>/checkpoints/*` (forced and pruned: a mirror of theirs), never
over the local ones. Each local chain then moves only forward (`hiddenrefs.adopt`): created,
fast-forwarded, or kept when ahead; a chain that diverged keeps both tips, theirs as
`<name>-restored-<short sha>`, and the user picks one. Local chains are pushed never forced; a
push that loses a race is fetched, adopted and retried, a bounded number of times. The
`-restored-` copies are not pushed: they are the remote's own tips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitmem.errors import GitMemError
from gitmem.share import hiddenrefs
from gitmem.store import git

ATTEMPTS = 5


def tracking_prefix(remote: str) -> str:
    return f"refs/gitmem/remotes/{remote}/checkpoints/"


@dataclass
class CheckpointSync:
    remote: str
    fetched: list[hiddenrefs.Adoption] = field(default_factory=list)  # every remote chain
    pushed: list[str] = field(default_factory=list)  # local refs the remote took
    not_pushed: list[str] = field(default_factory=list)  # diverged, or still losing races

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "fetched": [a.to_json() for a in self.fetched],
            "pushed": self.pushed,
            "not_pushed": self.not_pushed,
        }


def _error(proc: Any) -> str:
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    return str(lines[-1]).removeprefix("fatal: ") if lines else f"git exited {proc.returncode}"


def _fetch(repo: git.RepoInfo, remote: str) -> dict[str, str]:
    """The remote's chains, by local ref name, mirrored into the tracking refs."""
    prefix = tracking_prefix(remote)
    spec = f"+{hiddenrefs.CHECKPOINTS}*:{prefix}*"
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--prune", remote, spec]
    proc = git.run(args, cwd=repo.git_dir, check=False)
    if proc.returncode != 0:
        raise GitMemError(f"could not fetch checkpoints from {remote}: {_error(proc)}")
    found = hiddenrefs.tips(repo, prefix)
    return {hiddenrefs.CHECKPOINTS + ref.removeprefix(prefix): oid for ref, oid in found.items()}


def _push(repo: git.RepoInfo, remote: str, refs: list[str]) -> dict[str, str]:
    """Push `refs` never forced; {ref: porcelain flag} (`!` rejected)."""
    args = ["push", "--porcelain", remote, *(f"{ref}:{ref}" for ref in refs)]
    proc = git.run(args, cwd=repo.git_dir, check=False)
    flags = {}
    for line in proc.stdout.decode(errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and ":" in fields[1]:
            flags[fields[1].split(":", 1)[0]] = fields[0]
    if not flags and proc.returncode != 0:
        raise GitMemError(f"could not push checkpoints to {remote}: {_error(proc)}")
    return flags


def sync_checkpoints(repo: git.RepoInfo, remote: str, push: bool = True) -> CheckpointSync:
    """Fetch, adopt and (unless `push` is False) push every checkpoint chain."""
    result = CheckpointSync(remote)
    adopted: dict[str, hiddenrefs.Adoption] = {}
    pending: list[str] = []
    for _ in range(ATTEMPTS):
        theirs = _fetch(repo, remote)
        for ref, oid in sorted(theirs.items()):
            adopted[ref] = hiddenrefs.adopt(repo, ref, oid, f"sync --all: {remote}'s {ref}")
        ours = hiddenrefs.tips(repo, hiddenrefs.CHECKPOINTS)
        diverged = {ref for ref, a in adopted.items() if a.outcome == hiddenrefs.DIVERGED}
        pending = [
            ref
            for ref, oid in sorted(ours.items())
            if not hiddenrefs.RESTORED.search(ref)
            and theirs.get(ref) != oid
            and (ref not in diverged or git.is_ancestor(repo, theirs[ref], oid))
        ]
        if not push or not pending:
            break
        flags = _push(repo, remote, pending)
        for ref in pending:
            if flags.get(ref) not in (None, "!"):
                result.pushed.append(ref)
                # Ours is theirs now: keep the mirror in step (the next fetch would anyway).
                mirror = tracking_prefix(remote) + ref.removeprefix(hiddenrefs.CHECKPOINTS)
                git.run(["update-ref", mirror, ours[ref]], cwd=repo.git_dir)
        pending = [ref for ref in pending if flags.get(ref) in (None, "!")]
        if not pending:
            break
    result.fetched = [adopted[ref] for ref in sorted(adopted)]
    result.not_pushed = pending if push else []
    for ref, a in sorted(adopted.items()):
        if a.outcome == hiddenrefs.DIVERGED and ref not in result.not_pushed and push:
            result.not_pushed.append(ref)
    return result
