"""`git mem report` over 10,000 records and 1,000 deploys (target: <= 2 s each).

    .venv/bin/python bench/report.py [--size 10000] [--deploys 1000] [--repeat 7] [--keep]

Builds a repository with bench/corpus.py (`--size` records: ~80% `.memory/` files, ~20% note
records on 400 commits), then adds `--deploys` deploy records of the deploy contract's shape
(staging and production, ~12% failures and rollbacks, over the 400 commits' 133 days) to the
notes in one compare-and-swap update. After one warm-up run that builds the search index, it
times the real `git-mem` console script, whole process, for every report kind in Markdown and
in HTML, round-robin with `python -c pass` (the reference row), and prints the medians of
wall time and of CPU time (user + system of the process and its git children).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, build_corpus, machine, timed

from gitmem.deploy import deploy
from gitmem.deploy.ci_env import CIInfo
from gitmem.deploy.deploy import Request
from gitmem.records.store import Store
from gitmem.reports.report import KINDS
from gitmem.store import git, objects
from gitmem.store.note_stream import serialize_note_doc
from gitmem.store.record import Memory

TARGET_S = 2.0


def add_deploys(root: Path, count: int, seed: int) -> int:
    """`count` deploy records on the corpus's commits, oldest commit deployed first."""
    rng = random.Random(seed)
    commits = git.run(["rev-list", "--reverse", "--first-parent", "main"], cwd=root).stdout
    shas = commits.decode().split()[:-1]  # the last commit only adds .memory/
    start = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)
    store = Store(git.discover(root))
    per_commit: dict[str, list[Memory]] = {}
    for n in range(count):
        env = "production" if n % 2 else "staging"
        position = n * len(shas) // count
        status = rng.choices(["success", "failure", "rolled-back", "started"], [84, 8, 4, 4])[0]
        when = start + timedelta(hours=8 * position + rng.randint(1, 7))
        sha = shas[position]
        ci = CIInfo(
            provider="github-actions", run_id=str(n), job="deploy", duration=rng.randint(30, 600)
        )
        request = Request(env=env, commit=sha, status=status)
        memory = deploy.build(store, request, ci, created=when.isoformat())
        per_commit.setdefault(sha, []).append(memory)

    def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
        changes: dict[str, bytes | None] = {}
        for sha, records in per_commit.items():
            old = snapshot.read(sha) or b""
            changes[sha] = old + "".join(serialize_note_doc(m) for m in records).encode()
        return changes

    objects.update_notes(git.discover(root), mutate, "bench: deploys")
    return len(per_commit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="records (default 10000)")
    parser.add_argument("--deploys", type=int, default=1_000, help="deploys (default 1000)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep the repository")
    options = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="gitmem-bench-report-"))
    root = base / "repo"
    try:
        print(f"# git mem report: {options.size:,} records + {options.deploys:,} deploys\n")
        print(machine() + "\n")
        started = time.perf_counter()
        build_corpus(root, options.size, seed=5)
        noted = add_deploys(root, options.deploys, seed=5)
        print(
            f"corpus built in {time.perf_counter() - started:.1f} s "
            f"({options.deploys} deploys on {noted} commits)\n"
        )
        started = time.perf_counter()
        timed([GIT_MEM, "reindex"], root)
        print(f"index built (warm-up, not timed below) in {time.perf_counter() - started:.1f} s\n")

        commands: dict[str, list[str]] = {"python -c pass (reference)": [PYTHON, "-c", "pass"]}
        for kind in KINDS:
            for form in ("markdown", "html"):
                commands[f"git mem report {kind} --format {form}"] = [
                    GIT_MEM,
                    "report",
                    kind,
                    "--format",
                    form,
                ]
        for argv in commands.values():
            timed(argv, root)  # warm the page cache and the bytecode cache
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(options.repeat):
            for name, argv in commands.items():
                samples[name].append(timed(argv, root))

        print(f"medians of {options.repeat} runs, round-robin; target <= {TARGET_S:.0f} s\n")
        print("| command | wall median (s) | CPU median (s) | min wall (s) | target |")
        print("|---|---|---|---|---|")
        for name, runs in samples.items():
            walls = [wall for wall, _ in runs]
            cpus = [cpu for _, cpu in runs]
            met = (
                ""
                if "reference" in name
                else ("MET" if statistics.median(walls) <= TARGET_S else "MISSED")
            )
            print(
                f"| `{name}` | {statistics.median(walls):.3f} | "
                f"{statistics.median(cpus):.3f} | {min(walls):.3f} | {met} |"
            )
        sizes = {
            form: len(
                subprocess.run(
                    [GIT_MEM, "report", "deploys", "--format", form],
                    cwd=root,
                    capture_output=True,
                    env=ENV,
                ).stdout
            )
            for form in ("markdown", "html", "json")
        }
        print(f"\ndeploys report size: {sizes}")
    finally:
        if options.keep:
            print(f"\nkept {root}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
