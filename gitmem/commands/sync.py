"""`git mem sync`: fetch the remote's notes, merge them by record id, push ours."""

from __future__ import annotations

import argparse

from gitmem import git, sync
from gitmem.notesmerge import Delta
from gitmem.output import print_json


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    remote = args.remote or sync.default_remote(repo)
    result = sync.sync(repo, remote, push=not args.no_push)
    if args.json:
        print_json(result.to_json())
        return 0
    change = Delta(result.added, result.removed, result.updated)
    n = result.fetched
    print(f"fetched {n} record{'' if n == 1 else 's'} from {remote}")
    print(f"merged: {sync.describe(change, result.conflicts)}")
    for conflict in result.conflicts:
        print(sync.conflict_line(conflict))
    if result.push == "pushed":
        n = result.pushed
        print(f"pushed {n} record{'' if n == 1 else 's'} to {remote}")
    elif result.push == "up to date":
        print(f"{remote} is up to date")
    else:
        print("not pushed (--no-push)")
    return 0
