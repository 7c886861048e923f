"""Whole-process time of `git mem context` on a generated repository (target: <= 300 ms at 10k).

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/context.py [--size 10000] [--repeat 15]

Builds bench/corpus.py's repository of SIZE memories (80% files, 20% note records; every type,
30% with a `paths:` entry) plus a few session summaries, builds the search index once (so every
measured run is warm: a refresh that finds nothing changed), then runs each command REPEAT times
round-robin with the reference rows, and prints the median and the 90th percentile of wall time
and the median CPU time (user + system) of each. The references, measured in the same rounds:
`python -c pass` (interpreter start) and `git mem list --limit 20` (the existing read path:
start, index refresh, one query). With --profile it also prints `python -X importtime` of the
default command and a cProfile of `context.build` in process.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, Corpus, build_corpus, importtime_report, machine, sh, timed

from gitmem.assist import context
from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.record import Memory

SESSIONS = 20


def timed_ms(argv: list[str], cwd: Path) -> tuple[float, float]:
    wall, cpu = timed(argv, cwd)
    return wall * 1000, cpu * 1000


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def add_sessions(root: Path, corpus: Corpus) -> None:
    """Session summaries as `git mem session end` writes them (the sessions contract)."""
    store = Store(git.discover(root))
    start = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    for n in range(SESSIONS):
        store.save_file(
            Memory(
                id=corpus.new_id(),
                type="episodic",
                title=f"Session: {corpus.words(3, 6)}",
                created=(start + timedelta(hours=7 * n)).isoformat(timespec="seconds"),
                body=corpus.body("episodic"),
                source="session",
                session=corpus.new_id(),
                tags=["session"],
                summary=corpus.words(5, 10).capitalize(),
            )
        )
    sh(root, "add", "-A", ".memory")
    sh(root, "commit", "-q", "-m", "sessions")
    old = time.time() - 3600  # past the catalog's racy window, as on a real checkout
    for path in (root / ".memory" / "sessions").glob("*.md"):
        os.utime(path, (old, old))


def profile(root: Path) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        store = Store(git.discover())
        context.build(store)  # warm: the refresh and the imports
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            context.build(store)
        profiler.disable()
    finally:
        os.chdir(cwd)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="memories in the corpus")
    parser.add_argument("--repeat", type=int, default=15, help="rounds per measurement")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    parser.add_argument("--profile", action="store_true", help="importtime and cProfile too")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gitmem-bench-context-")) / "repo"
    try:
        started = time.perf_counter()
        corpus = Corpus(args.seed)
        sample = build_corpus(root, args.size, args.seed, corpus)
        add_sessions(root, corpus)
        generated = time.perf_counter() - started
        build = timed_ms([PYTHON, GIT_MEM, "reindex"], root)[0]
        word = corpus.word()
        folder = next(
            p for p in sorted((root / ".memory").rglob("*.md")) if "paths:" in p.read_text()
        )
        recorded = next(
            line.split("[", 1)[1].rstrip("]").strip()
            for line in folder.read_text().splitlines()
            if line.startswith("paths:")
        )
        commands = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "git mem list --limit 20": [PYTHON, GIT_MEM, "list", "--limit", "20"],
            "git mem context": [PYTHON, GIT_MEM, "context"],
            "git mem context --budget 500": [PYTHON, GIT_MEM, "context", "--budget", "500"],
            "git mem context --budget 10000": [PYTHON, GIT_MEM, "context", "--budget", "10000"],
            f"git mem context --query {word}": [PYTHON, GIT_MEM, "context", "--query", word],
            f"git mem context --path {recorded}x.py": [
                PYTHON,
                GIT_MEM,
                "context",
                "--path",
                f"{recorded}x.py",
            ],
            "git mem context --json": [PYTHON, GIT_MEM, "context", "--json"],
        }
        for argv in commands.values():  # warm-up: bytecode caches, the page cache
            timed_ms(argv, root)
        walls: dict[str, list[float]] = {label: [] for label in commands}
        cpus: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.repeat):
            for label, argv in commands.items():
                wall, cpu = timed_ms(argv, root)
                walls[label].append(wall)
                cpus[label].append(cpu)
        out = subprocess.run(commands["git mem context"], cwd=root, env=ENV, capture_output=True)
        pack = out.stdout.decode()
        print(machine())
        print(
            f"\n{args.size:,} memories ({sample['files']} files, {sample['notes']} in notes on "
            f"{sample['noted_commits']} commits) + {SESSIONS} session summaries; generated in "
            f"{generated:.0f} s, index built in {build / 1000:.1f} s; default pack: "
            f"{len(pack):,} characters = {context.tokens(pack)} tokens of 2000"
        )
        print(f"\nwhole process, warm index, {args.repeat} rounds round-robin:\n")
        print("| command | median ms | p90 ms | CPU median ms |")
        print("|---|---:|---:|---:|")
        for label in commands:
            print(
                f"| `{label}` | {statistics.median(walls[label]):.0f} | "
                f"{p90(walls[label]):.0f} | {statistics.median(cpus[label]):.0f} |"
            )
        if args.profile:
            print()
            print(importtime_report([GIT_MEM, "context"], root, "`git mem context` imports"))
            print("\ncProfile of context.build in process (5 runs, warm):\n")
            print(profile(root))
    finally:
        if args.keep:
            print(f"\nkept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
