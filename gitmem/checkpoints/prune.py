"""Pruning checkpoint chains by a retention policy.

A checkpoint is kept when any rule keeps it (the last N, newer than DAYS, a named stage) and
dropped otherwise. The survivors are re-chained oldest first: a commit whose parent is already
right is kept as it is, the others are copied with the same tree, message, author and committer
lines (so dates and identities are preserved exactly) and the new parent. The ref moves by
compare-and-swap; an emptied chain deletes its ref the same way. No other ref is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gitmem.checkpoints import checkpoint
from gitmem.checkpoints.checkpoint import Checkpoint
from gitmem.errors import ConflictError, UsageError
from gitmem.store import git
from gitmem.store.git import RepoInfo

CAS_ATTEMPTS = 20
# Headers copied to a re-parented commit; parents change and signatures cannot survive.
_KEPT_HEADERS = ("tree ", "author ", "committer ", "encoding ")


@dataclass(frozen=True)
class Policy:
    keep_last: int | None = None
    older_than: float | None = None  # days: everything newer is kept
    keep_stages: tuple[str, ...] = ()

    def check(self) -> None:
        if self.keep_last is None and self.older_than is None and not self.keep_stages:
            raise UsageError(
                "give at least one rule (--keep-last N, --older-than DAYS, --keep-stage STAGE): "
                "without one every checkpoint would be dropped"
            )
        if self.keep_last is not None and self.keep_last < 0:
            raise UsageError(f"--keep-last must be 0 or more, not {self.keep_last}")
        if self.older_than is not None and self.older_than < 0:
            raise UsageError(f"--older-than must be 0 or more days, not {self.older_than:g}")


@dataclass
class Verdict:
    """One checkpoint and what the policy made of it."""

    checkpoint: Checkpoint
    kept_by: list[str]
    dropped_because: list[str]
    new_commit: str | None = None

    @property
    def kept(self) -> bool:
        return bool(self.kept_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.checkpoint.commit,
            "new_commit": self.new_commit,
            "timestamp": self.checkpoint.timestamp,
            "stage": self.checkpoint.stage,
            "kept": self.kept,
            "kept_by": self.kept_by,
            "dropped_because": self.dropped_because,
        }


@dataclass
class ChainResult:
    name: str
    old_tip: str
    new_tip: str | None = None  # None: the ref was (or would be) deleted
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return checkpoint.REF_PREFIX + self.name

    @property
    def dropped(self) -> int:
        return sum(1 for v in self.verdicts if not v.kept)

    @property
    def emptied(self) -> bool:
        return all(not v.kept for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ref": self.ref,
            "old_tip": self.old_tip,
            "new_tip": self.new_tip,
            "kept": sum(1 for v in self.verdicts if v.kept),
            "dropped": self.dropped,
            "ref_deleted": self.emptied,
            "checkpoints": [v.to_json() for v in self.verdicts],
        }


def _age_days(stamp: str, now: datetime) -> float | None:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when) / timedelta(days=1)


def judge(found: list[Checkpoint], policy: Policy, now: datetime) -> list[Verdict]:
    """A verdict for each checkpoint of a chain (newest first), saying which rules kept it or
    why none did."""
    verdicts = []
    for position, item in enumerate(found):
        kept, dropped = [], []
        if policy.keep_last is not None:
            if position < policy.keep_last:
                kept.append(f"keep-last {policy.keep_last}")
            else:
                dropped.append(f"not in the last {policy.keep_last}")
        if policy.older_than is not None:
            age = _age_days(item.timestamp, now)
            if age is None:
                kept.append("timestamp unreadable: never dropped by age")
            elif age < policy.older_than:
                kept.append(f"newer than {policy.older_than:g} days")
            else:
                dropped.append(f"older than {policy.older_than:g} days")
        if policy.keep_stages:
            if item.stage in policy.keep_stages:
                kept.append(f"stage {item.stage}")
            else:
                dropped.append(f"stage {item.stage or '(none)'} not kept")
        verdicts.append(Verdict(item, kept, [] if kept else dropped))
    return verdicts


def _parents(repo: RepoInfo, commit: str) -> tuple[list[str], bytes]:
    """A commit's parents and its raw object."""
    raw = git.run(["cat-file", "commit", commit], cwd=repo.git_dir).stdout
    head = raw.split(b"\n\n", 1)[0].decode(errors="surrogateescape")
    return [line[7:] for line in head.splitlines() if line.startswith("parent ")], raw


def _reparent(repo: RepoInfo, raw: bytes, parent: str | None) -> str:
    """A copy of the commit `raw` with `parent` (or none) as its only parent."""
    head, _, message = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    kept = [ln for ln in lines if ln.decode(errors="replace").startswith(_KEPT_HEADERS)]
    if parent is not None:
        kept.insert(1, b"parent " + parent.encode())
    data = b"\n".join(kept) + b"\n\n" + message
    out = git.run(["hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo.git_dir, input=data)
    return out.stdout.decode().strip()


def _rechain(repo: RepoInfo, verdicts: list[Verdict]) -> str | None:
    """Write the survivors as one chain (oldest first); the new tip, None if none survive."""
    previous: str | None = None
    for verdict in reversed(verdicts):
        if not verdict.kept:
            continue
        commit = verdict.checkpoint.commit
        parents, raw = _parents(repo, commit)
        if parents == ([previous] if previous else []):
            verdict.new_commit = commit  # already in place: the same object, no copy
        else:
            verdict.new_commit = _reparent(repo, raw, previous)
        previous = verdict.new_commit
    return previous


def prune_chain(
    repo: RepoInfo, name: str, policy: Policy, now: datetime, dry_run: bool = False
) -> ChainResult:
    """Apply `policy` to the chain of `name` (compare-and-swap; retried if it moves)."""
    ref = checkpoint.ref_of(name)
    for _ in range(CAS_ATTEMPTS):
        found = checkpoint.chain(repo, name)
        result = ChainResult(name, found[0].commit, verdicts=judge(found, policy, now))
        if all(v.kept for v in result.verdicts):
            for verdict in result.verdicts:
                verdict.new_commit = verdict.checkpoint.commit
            result.new_tip = result.old_tip
            return result
        if dry_run:
            return result  # new_tip None: nothing written, nothing to point at
        result.new_tip = _rechain(repo, result.verdicts)
        reflog = f"gitmem: checkpoint prune {name}"
        if git.move_ref(repo, ref, result.new_tip, result.old_tip, reflog):
            return result
    raise ConflictError(f"{ref} kept changing under us; try again")


def prune(
    repo: RepoInfo,
    policy: Policy,
    name: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[ChainResult]:
    """Prune the chain of `name`, or of every checkpoint name."""
    policy.check()
    when = now or datetime.now(UTC)
    chosen = [checkpoint.validate_name(name)] if name is not None else checkpoint.names(repo)
    return [prune_chain(repo, each, policy, when, dry_run) for each in chosen]
