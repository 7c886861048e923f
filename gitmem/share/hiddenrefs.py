"""Bring a commit chain from elsewhere (a backup, a remote) into a local ref, never losing one.

Shared by `git mem backup restore` and `git mem sync --all` for checkpoint chains, other
`refs/gitmem/*` refs and branches. The local ref moves only by compare-and-swap and only
forward: created when missing, fast-forwarded when behind, kept when ahead. When the two have
diverged, local stays and the incoming tip is kept beside it as `<ref>-restored-<short sha>`,
so both are there for the user to pick one (`git mem checkpoint list` shows both; delete the
unwanted one with `git update-ref -d`). A branch checked out in a worktree is never moved
(its files would no longer match): a newer incoming tip is kept beside it the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from gitmem.errors import GitMemError
from gitmem.store import git

SHORT = 7
RESTORED = re.compile(r"-restored-[0-9a-f]{7,40}$")
CHECKPOINTS = "refs/gitmem/checkpoints/"

# Outcomes
CREATED = "created"
FAST_FORWARD = "fast-forwarded"
UP_TO_DATE = "up to date"
AHEAD = "kept (local is ahead)"
DIVERGED = "diverged"
CHECKED_OUT = "checked out"


class Adoption(NamedTuple):
    """What happened to one ref: `kept_as` names the ref holding the incoming tip when it
    could not go into `ref` itself (diverged, or a checked-out branch that is behind)."""

    ref: str
    outcome: str
    tip: str  # the incoming tip
    kept_as: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"ref": self.ref, "outcome": self.outcome, "tip": self.tip, "kept_as": self.kept_as}


def tips(repo: git.RepoInfo, *patterns: str) -> dict[str, str]:
    """{ref: object id} of the refs matching `for-each-ref` patterns."""
    fmt = "--format=%(refname) %(objectname)"
    out = git.run(["for-each-ref", fmt, *patterns], cwd=repo.git_dir).stdout.decode()
    return dict(line.split(" ", 1) for line in out.splitlines())


def checked_out(repo: git.RepoInfo) -> set[str]:
    """Branches (full ref names) checked out in any worktree of the repository."""
    out = git.run(["worktree", "list", "--porcelain"], cwd=repo.git_dir, check=False)
    lines = out.stdout.decode(errors="replace").splitlines()
    return {line.split(" ", 1)[1] for line in lines if line.startswith("branch ")}


def _tip(repo: git.RepoInfo, ref: str) -> str | None:
    return tips(repo, ref).get(ref)


def _cas(repo: git.RepoInfo, ref: str, new: str, old: str | None, why: str) -> bool:
    return git.move_ref(repo, ref, new, old, f"gitmem: {why}")


def side_name(ref: str, tip: str) -> str:
    """Where an incoming tip that cannot go into `ref` is kept."""
    return f"{RESTORED.sub('', ref)}-restored-{tip[:SHORT]}"


def _keep_beside(repo: git.RepoInfo, ref: str, theirs: str, outcome: str, why: str) -> Adoption:
    side = side_name(ref, theirs)
    current = _tip(repo, side)
    if current is not None and current != theirs:
        side = f"{RESTORED.sub('', ref)}-restored-{theirs}"  # a short-sha clash: the full one
        current = _tip(repo, side)
    if current is None and not _cas(repo, side, theirs, None, why):
        current = _tip(repo, side)
        if current != theirs:
            raise GitMemError(f"could not create {side}: it appeared meanwhile")
    return Adoption(ref, outcome, theirs, side)


def adopt(
    repo: git.RepoInfo, ref: str, theirs: str, why: str, *, in_use: frozenset[str] = frozenset()
) -> Adoption:
    """Bring commit `theirs` into `ref` (see the module docstring); `in_use`: checked-out
    branches, never moved. Retries while someone else moves the ref meanwhile."""
    for _ in range(git.CAS_ATTEMPTS):
        ours = _tip(repo, ref)
        if ours == theirs:
            return Adoption(ref, UP_TO_DATE, theirs)
        if ours is not None and git.is_ancestor(repo, theirs, ours):
            return Adoption(ref, AHEAD, theirs)
        if ours is not None and ref in in_use:
            outcome = CHECKED_OUT if git.is_ancestor(repo, ours, theirs) else DIVERGED
            return _keep_beside(repo, ref, theirs, outcome, why)
        if ours is None:
            if _cas(repo, ref, theirs, None, why):
                return Adoption(ref, CREATED, theirs)
            continue
        if not git.is_ancestor(repo, ours, theirs):
            return _keep_beside(repo, ref, theirs, DIVERGED, why)
        if _cas(repo, ref, theirs, ours, why):
            return Adoption(ref, FAST_FORWARD, theirs)
    raise GitMemError(f"{ref} kept changing under us; run the command again")


def describe(adoption: Adoption, where: str) -> str:
    """One line for the user: `<name>: <what happened>`."""
    name = adoption.ref.removeprefix(CHECKPOINTS).removeprefix("refs/heads/")
    kind = "branch " if adoption.ref.startswith("refs/heads/") else ""
    if adoption.ref.startswith(CHECKPOINTS):
        kind = "checkpoint "
    short = adoption.tip[:SHORT]
    head = f"{kind}{name}"
    if adoption.outcome == DIVERGED:
        kept = adoption.kept_as or ""
        if adoption.ref.startswith("refs/heads/"):
            branch = kept.removeprefix("refs/heads/")
            pick = f"merge it, or delete it with `git branch -D {branch}`"
        else:
            listed = "both are listed by `git mem checkpoint list`; " if kind else ""
            pick = (
                f"{listed}keep one and delete the other "
                f"with `git update-ref -d {adoption.ref}` or `git update-ref -d {kept}`"
            )
        return f"{head}: diverged from {where}; yours stays, theirs ({short}) is {kept}; {pick}"
    if adoption.outcome == CHECKED_OUT:
        kept = (adoption.kept_as or "").removeprefix("refs/heads/")
        return (
            f"{head}: checked out and behind {where}, left as is; {where}'s tip {short} is kept "
            f"as branch {kept} (`git merge --ff-only {kept}` takes it)"
        )
    return f"{head}: {adoption.outcome} ({short})"
