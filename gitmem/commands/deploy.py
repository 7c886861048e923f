"""`git mem deploy`: record a deployment on the deployed commit, optionally push the notes."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

from gitmem.deploy import ci_env, deploy
from gitmem.errors import GitMemError, UsageError
from gitmem.output import emit, plural, safe, warn
from gitmem.records.store import Store
from gitmem.share import sync
from gitmem.store import git, integrate, secrets


def _push_line(result: sync.SyncResult) -> str:
    if result.push == "pushed":
        return f"pushed {plural(result.pushed, 'record')} to {result.remote}"
    return f"{result.remote} is up to date"


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    store = Store(repo)
    commit = git.resolve_commit(repo, args.commit)
    request = deploy.Request(
        env=args.env,
        commit=commit,
        status=args.status,
        url=args.url,
        version=args.version,
        message=args.message,
        duration=args.duration,
    )
    remote = None
    if args.push:
        remote = args.remote or sync.default_remote(repo)
        if remote not in git.remotes(repo):
            raise UsageError(f"no remote named {remote!r}; see `git remote -v`")
    elif args.remote is not None:
        raise UsageError("--remote names where --push sends the record; add --push")
    ci = ci_env.detect(os.environ)
    memory = deploy.build(store, request, ci)  # every refusal happens before this write
    memory, redacted = secrets.guard(memory, redact=args.redact, what="the deploy record")
    if redacted and not args.json:
        warn(f"redacted {secrets.describe(redacted)} before recording")
    if remote is not None and ci.run_id is not None:
        # A retried job in a fresh clone: the record of this run may be on the remote already.
        # Fetch it first so that it is found, not written again (a second copy that would
        # come back from the merge as a conflict). Unreachable: the push below says so.
        with contextlib.suppress(GitMemError):
            sync.sync(repo, remote, push=False)
    done = deploy.record(store, memory, ci)
    pushed = None
    if remote is not None:
        try:
            pushed = sync.sync(repo, remote, push=True)
        except GitMemError as error:
            raise GitMemError(
                f"{error} (deploy {memory.id} is recorded here; push it later with "
                f"`git mem sync {remote}`)"
            ) from None
    document = {**done.to_json(), "push": pushed.to_json() if pushed is not None else None}
    what = "recorded" if done.written else "already recorded"
    emit(
        args.json,
        document,
        map(
            safe,
            [
                f"{what} deploy {memory.id}: {commit[:7]} to {args.env} ({args.status})",
                *_pushed(pushed),
            ],
        ),
    )
    return 0


def _pushed(result: sync.SyncResult | None) -> Iterator[str]:
    if result is not None:
        for conflict in result.conflicts:
            yield integrate.conflict_line(conflict)
        yield _push_line(result)
