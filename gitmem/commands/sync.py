"""`git mem sync`: fetch the remote's notes, merge them by record id, push ours."""

from __future__ import annotations

import argparse

from gitmem.output import print_json
from gitmem.share import checkpoint_sync, hiddenrefs, session_sync, sync
from gitmem.store import git, integrate
from gitmem.store.notesmerge import Delta


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    remote = args.remote or sync.default_remote(repo)
    result = sync.sync(repo, remote, push=not args.no_push)
    chains = None
    shared = None
    if getattr(args, "all", False):
        chains = checkpoint_sync.sync_checkpoints(repo, remote, push=not args.no_push)
        shared = session_sync.sync_sessions(repo, remote, push=not args.no_push)
    if args.json:
        data = result.to_json()
        if chains is not None:
            data["checkpoints"] = chains.to_json()
        if shared is not None:
            data["sessions"] = shared.to_json()
        print_json(data)
        return 0
    change = Delta(result.added, result.removed, result.updated)
    n = result.fetched
    print(f"fetched {n} record{'' if n == 1 else 's'} from {remote}")
    print(f"merged: {integrate.describe(change, result.conflicts)}")
    for conflict in result.conflicts:
        print(integrate.conflict_line(conflict))
    if result.push == "pushed":
        n = result.pushed
        print(f"pushed {n} record{'' if n == 1 else 's'} to {remote}")
    elif result.push == "up to date":
        print(f"{remote} is up to date")
    else:
        print("not pushed (--no-push)")
    if chains is not None:
        _print_checkpoints(chains)
    if shared is not None:
        for line in session_sync.describe(shared):
            print(line)
    return 0


def _print_checkpoints(chains: checkpoint_sync.CheckpointSync) -> None:
    """One line per chain that changed here or there; a summary line when nothing did."""
    changed = [
        a for a in chains.fetched if a.outcome not in (hiddenrefs.UP_TO_DATE, hiddenrefs.AHEAD)
    ]
    for adoption in changed:
        print(hiddenrefs.describe(adoption, chains.remote))
    for ref in chains.pushed:
        print(f"checkpoint {ref.removeprefix(hiddenrefs.CHECKPOINTS)}: pushed to {chains.remote}")
    diverged = {a.ref for a in changed if a.outcome == hiddenrefs.DIVERGED}
    for ref in chains.not_pushed:
        if ref not in diverged:
            name = ref.removeprefix(hiddenrefs.CHECKPOINTS)
            print(f"checkpoint {name}: not pushed, {chains.remote} kept changing; run again")
    if not changed and not chains.pushed and not chains.not_pushed:
        print(f"checkpoints: up to date with {chains.remote}")
