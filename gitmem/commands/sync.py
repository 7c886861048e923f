"""`git mem sync`: fetch the remote's notes, merge them by record id, push ours."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from gitmem.errors import UsageError
from gitmem.output import emit, notice, plural, safe
from gitmem.share import branch_sync, checkpoint_sync, hiddenrefs, session_sync, sync
from gitmem.store import git, initialize, integrate
from gitmem.store.notesmerge import Delta


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    for line in initialize.adopt_clone(repo):  # a clone that never ran `git mem init`
        notice(line)
    remote = args.remote or _default_remote(repo, args.personal)
    branch = None
    if args.personal:  # nobody shares the personal memory's branch by pull request
        branch = branch_sync.sync_branch(repo, remote, push=not args.no_push)
    result = sync.sync(repo, remote, push=not args.no_push)
    chains = None
    shared = None
    if getattr(args, "all", False):
        chains = checkpoint_sync.sync_checkpoints(repo, remote, push=not args.no_push)
        shared = session_sync.sync_sessions(repo, remote, push=not args.no_push)
    document: dict[str, Any] = result.to_json()
    if branch is not None:
        document["branch"] = branch.to_json()
    if chains is not None:
        document["checkpoints"] = chains.to_json()
    if shared is not None:
        document["sessions"] = shared.to_json()
    lines = list(_synced(result, remote, chains, shared))
    if branch is not None:
        lines.insert(0, _branch_line(branch, remote))
    emit(args.json, document, map(safe, lines))
    return 0


def _default_remote(repo: git.RepoInfo, personal: bool) -> str:
    try:
        return sync.default_remote(repo)
    except UsageError as error:
        if not personal:
            raise
        raise UsageError(
            f"your personal memory ({repo.work_tree}) has no remote yet; add a private one: "
            f"git -C {repo.work_tree} remote add origin URL"
        ) from error


def _branch_line(branch: branch_sync.BranchSync, remote: str) -> str:
    taken = f"took {plural(branch.fetched, 'commit')} from {remote}"
    sent = f"pushed {plural(branch.pushed, 'commit')}" if branch.pushed else "nothing to push"
    return f"personal memory ({branch.branch}): {taken}, {sent}"


def _synced(
    result: sync.SyncResult,
    remote: str,
    chains: checkpoint_sync.CheckpointSync | None,
    shared: session_sync.SessionSync | None,
) -> Iterator[str]:
    change = Delta(result.added, result.removed, result.updated)
    yield f"fetched {plural(result.fetched, 'record')} from {remote}"
    yield f"merged: {integrate.describe(change, result.conflicts)}"
    for conflict in result.conflicts:
        yield integrate.conflict_line(conflict)
    if result.push == "pushed":
        yield f"pushed {plural(result.pushed, 'record')} to {remote}"
    elif result.push == "up to date":
        yield f"{remote} is up to date"
    else:
        yield "not pushed (--no-push)"
    if chains is not None:
        yield from _checkpoints(chains)
    if shared is not None:
        yield from session_sync.describe(shared)


def _checkpoints(chains: checkpoint_sync.CheckpointSync) -> Iterator[str]:
    """One line per chain that changed here or there; a summary line when nothing did."""
    changed = [
        a for a in chains.fetched if a.outcome not in (hiddenrefs.UP_TO_DATE, hiddenrefs.AHEAD)
    ]
    for adoption in changed:
        yield hiddenrefs.describe(adoption, chains.remote)
    for ref in chains.pushed:
        yield f"checkpoint {ref.removeprefix(hiddenrefs.CHECKPOINTS)}: pushed to {chains.remote}"
    diverged = {a.ref for a in changed if a.outcome == hiddenrefs.DIVERGED}
    for ref in chains.not_pushed:
        if ref not in diverged:
            name = ref.removeprefix(hiddenrefs.CHECKPOINTS)
            yield f"checkpoint {name}: not pushed, {chains.remote} kept changing; run again"
    if not changed and not chains.pushed and not chains.not_pushed:
        yield f"checkpoints: up to date with {chains.remote}"
