"""`git mem hook NAME [ARGS]`: what the hook shims run.

pre-commit checks the memory files and fails closed (a precise message, exit 1). The capture
hooks fail open: whatever goes wrong, the commit stands, the hook exits 0, prints
one line and logs the traceback under `<git-common-dir>/gitmem/logs/`. This module imports
nothing heavy: capture decides whether there is anything to write before loading pygit2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from gitmem.capture import hooks
from gitmem.errors import log_unexpected
from gitmem.output import safe
from gitmem.store import git

if TYPE_CHECKING:
    from gitmem.capture.notes import Outcome

CAPTURE_HOOKS = ("post-commit", "post-rewrite")


def run(args: argparse.Namespace) -> int:
    if args.name == "pre-commit":
        return _pre_commit(args.args)
    try:
        lines = _capture(args.name, args.args)
    except BaseException as error:  # fail open, whatever it is (even Ctrl-C: the commit stands)
        where = log_unexpected(error, git.log_dir())
        what = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(
            safe(f"git-mem: warning: {args.name}: nothing captured: {what} (details in {where})"),
            file=sys.stderr,
        )
        return 0
    for line in lines:
        print(safe(line), file=sys.stderr)
    return 0


def _memories(ids: list[str]) -> str:
    return f"{len(ids)} memor{'y' if len(ids) == 1 else 'ies'}"


def _captured(ids: list[str]) -> list[str]:
    return [f"gitmem: captured {_memories(ids)}: git mem show {' '.join(ids)}"] if ids else []


def _redacted(outcome: Outcome | None) -> list[str]:
    """A secret in the commit message was written to the note as [REDACTED:<kind>]."""
    if outcome is None or not outcome.redacted:
        return []
    found = outcome.redacted
    return [
        f"gitmem: redacted {'a secret' if len(found) == 1 else f'{len(found)} secrets'} "
        f"({'; '.join(found)}) in the captured memory; the commit message itself still holds "
        f"{'it' if len(found) == 1 else 'them'}: reword it (git commit --amend) before pushing"
    ]


def _rewritten(outcome: Outcome | None) -> list[str]:
    """What a rewrite did that the user should hear about: new captures, and every captured
    record the new message no longer yields (kept, or removed at the amend's word)."""
    if outcome is None:
        return []
    lines = [*_captured(outcome.ids), *_redacted(outcome)]
    kept = [m.id for m in outcome.kept]
    if kept:
        lines.append(
            f"gitmem: kept {_memories(kept)} the new message no longer captures: "
            f"git mem show {' '.join(kept)} (git mem rm to remove)"
        )
    history = "the old version stays in the history of refs/notes/mem"
    for memories, why in ((outcome.replaced, "the amend reworded"),
                          (outcome.dropped, "the amend added No-Memory: true to")):  # fmt: skip
        ids = [m.id for m in memories]
        if ids:
            lines.append(f"gitmem: removed {_memories(ids)} {why}: {' '.join(ids)} ({history})")
    return lines


def _capture(name: str, argv: list[str]) -> list[str]:
    """The lines the capture hook prints."""
    repo = git.discover()
    from gitmem.capture import on_commit

    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(f"gitmem: {safe(message)}")

    if name == "post-commit":
        outcome = on_commit.handle_post_commit(repo, warn)
        return [*_captured(outcome.ids if outcome else []), *_redacted(outcome), *warnings]
    # Through the pre-commit framework the kind comes in the environment and stdin is empty.
    kind = argv[0] if argv else os.environ.get("PRE_COMMIT_REWRITE_COMMAND", "")
    pairs = [] if sys.stdin is None or sys.stdin.isatty() else hooks.parse_pairs(sys.stdin.read())
    if not pairs:
        pairs = hooks.rewritten_pairs(repo, kind)
    if not pairs:
        return []
    return [*_rewritten(on_commit.handle_post_rewrite(repo, kind, pairs, warn)), *warnings]


def _pre_commit(files: list[str]) -> int:
    from gitmem.capture import checks
    from gitmem.output import plural

    repo = git.discover()
    if files:  # the pre-commit framework: the files it selected, unstaged changes stashed
        found = checks.check_files(checks.files_on_disk(repo, files), checks.config_on_disk(repo))
    else:  # git's own hook: what is staged, read from the index
        staged, config_text = checks.staged_files(repo)
        found = checks.check_files(staged, config_text) if staged else []
    for finding in found:
        print(safe(str(finding)), file=sys.stderr)
    if found:
        print(
            f"git-mem: error: {plural(len(found), 'problem')} in memory files; fix them "
            f"(a false positive secret: add '{checks.ALLOW_MARKER}' to its line) "
            "or commit with --no-verify",
            file=sys.stderr,
        )
        return 1
    return 0
