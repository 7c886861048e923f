"""The verdicts a rule change moves over whole histories: every commit of each GIT_DIR
classified by the rules of a baseline revision and by this work tree's, and the commits whose
verdict differs listed (to be read by eye: the histories are not labelled).

    .venv/bin/python bench/capture_moves.py [--baseline main] GIT_DIR... [--limit N]

Per history: commits read, moves counted by (before -> after), then each moved commit with the
rule that now fires (or why none does) and its subject. What round 9 judged its families by,
and rounds since (bench/RESULTS-capture.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from capture_quality import main_classifier  # noqa: E402

from gitmem.capture import backfill  # noqa: E402
from gitmem.capture.commits import candidates, explain  # noqa: E402
from gitmem.capture.rules import default_rules  # noqa: E402
from gitmem.store import git  # noqa: E402


def baseline(rev: str) -> Any:
    """`rev`'s candidates function and rules (main_classifier loads them as `capture_main`)."""
    if main_classifier(rev) is None:
        raise SystemExit(f"no capture rules at {rev!r}")
    old = sys.modules["capture_main.commits"]
    rules = sys.modules["capture_main.rules"].default_rules()

    def classify(commit: Any) -> str:
        found = old.candidates(old.Commit(*commit), rules)
        return str(found[0].type) if found else "none"

    return classify


def moves(git_dir: Path, before: Any, limit: int) -> None:
    repo = git.RepoInfo(git_dir=git_dir, common_dir=git_dir, work_tree=None, bare=True)
    rules = default_rules()
    counts: Counter[tuple[str, str]] = Counter()
    lines = []
    total = 0
    for commit in backfill.stream(repo, ["HEAD"]):
        total += 1
        found = candidates(commit, rules)
        now = found[0].type if found else "none"
        was = before(commit)
        if was == now:
            continue
        counts[(was, now)] += 1
        why = explain(commit, rules)[1][:50]
        subject = commit.message.splitlines()[0][:90] if commit.message else ""
        lines.append(f"  {commit.sha[:10]} {was:8} -> {now:8} [{why}] {subject}")
    summary = ", ".join(f"{a} -> {b} {n}" for (a, b), n in counts.most_common())
    print(f"## {git_dir}: {total} commits, {sum(counts.values())} moved ({summary or 'none'})")
    print("\n".join(lines[:limit]))
    if len(lines) > limit:
        print(f"  ... {len(lines) - limit} more")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dirs", type=Path, nargs="+")
    parser.add_argument("--baseline", default="main", help="revision whose rules are 'before'")
    parser.add_argument("--limit", type=int, default=400, help="moved commits listed per history")
    args = parser.parse_args()
    before = baseline(args.baseline)
    for git_dir in args.git_dirs:
        moves(git_dir, before, args.limit)


if __name__ == "__main__":
    main()
