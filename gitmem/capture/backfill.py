"""Capture over existing history: one streamed `git log`, the rules, one notes update.

Scanning is the rules over `git log -z --name-only` output read in large blocks (thousands of
commits a second); only commits the rules pick are built into records, and all of them are
written by one compare-and-swap of the notes ref, oldest commit first (so a decision and its
later cherry-pick get the ids the hooks would have given them).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitmem.capture import commits
from gitmem.capture.commits import Candidate, Commit
from gitmem.capture.rules import Rules
from gitmem.errors import UsageError
from gitmem.store import git

if TYPE_CHECKING:  # not at run time: it imports yaml, which the scan does not need
    from gitmem.capture.notes import Outcome

PROGRESS_EVERY = 500


@dataclass
class Report:
    scanned: int
    found: list[tuple[Commit, list[Candidate]]]
    outcome: Outcome | None  # None: nothing to capture

    @property
    def captured(self) -> int:
        return len(self.outcome.written) if self.outcome else 0

    @property
    def present(self) -> int:
        return len(self.outcome.present) if self.outcome else 0


def has_commits(repo: git.RepoInfo) -> bool:
    proc = git.run(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo.git_dir, check=False)
    return proc.returncode == 0


def count(repo: git.RepoInfo, revs: list[str]) -> int | None:
    """How many commits `revs` names (for a progress bar), None if git cannot say."""
    proc = git.run(["rev-list", "--count", *revs, "--"], cwd=repo.git_dir, check=False)
    text = proc.stdout.decode().strip()
    return int(text) if proc.returncode == 0 and text.isdigit() else None


def stream(repo: git.RepoInfo, revs: list[str]) -> Iterator[Commit]:
    """Every commit `revs` names, newest first, with the files it changed."""
    # Paths only, never contents: --no-renames (rename detection reads blobs, which a
    # blobless or partial clone would fetch one by one).
    args = ["git", "log", "-z", "--date=raw", f"--format={commits.LOG_FORMAT}", "--name-only"]
    args += ["--no-renames"]
    args += ["--diff-merges=first-parent", *revs, "--"]
    with subprocess.Popen(
        args, cwd=repo.git_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git._env()
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        pending = b""
        while block := proc.stdout.read(1 << 20):
            pending += block
            *complete, pending = pending.split(b"\x1e")
            for chunk in complete:
                if chunk:
                    yield commits.parse_log_record(chunk.decode("utf-8", "replace"), True)
        if pending:
            yield commits.parse_log_record(pending.decode("utf-8", "replace"), True)
        error = proc.stderr.read().decode(errors="replace").strip().splitlines()
        if proc.wait() != 0:
            detail = error[-1].removeprefix("fatal: ") if error else f"exit {proc.returncode}"
            raise UsageError(f"git log {' '.join(revs)}: {detail}")


def backfill(
    repo: git.RepoInfo,
    rules: Rules,
    revs: list[str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Run the capture rules over `revs` (default: HEAD's history) and write what is new."""
    if not revs:
        if not has_commits(repo):
            return Report(0, [], None)  # an empty repository: nothing to scan
        revs = ["HEAD"]
    found = []
    scanned = 0
    for commit in stream(repo, revs):
        scanned += 1
        if progress is not None and scanned % PROGRESS_EVERY == 0:
            progress(scanned)
        wanted, reason = commits.explain(commit, rules)
        if wanted and reason.startswith("revert-with-reason"):
            wanted, reason = commits.settle_revert(repo, commit, wanted, reason)
        if wanted:
            found.append((commit, wanted))
    if progress is not None:
        progress(scanned)
    if not found:
        return Report(scanned, [], None)
    found.reverse()  # oldest first
    from gitmem.capture import notes

    outcome = notes.write_captures(repo, rules, found, dry_run=dry_run)
    return Report(scanned, found, outcome)


def explain(
    repo: git.RepoInfo, rules: Rules, revs: list[str]
) -> Iterator[tuple[Commit, list[Candidate], str]]:
    """Each commit `revs` names (default: HEAD alone; a plain REV is that commit alone, a
    range is the range), what the rules capture from it and which rule fired or why none
    did. Writes nothing."""
    if not revs:
        if not has_commits(repo):
            return
        revs = ["-1", "HEAD"]
    elif not any(".." in rev or rev.startswith(("^", "-")) for rev in revs):
        revs = ["--no-walk=unsorted", *revs]  # `--explain REV`: that commit, not its history
    for commit in stream(repo, revs):
        found, reason = commits.explain(commit, rules)
        yield commit, *commits.settle_revert(repo, commit, found, reason)
