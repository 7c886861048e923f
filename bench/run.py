"""Whole-process latency of `git mem` on a synthetic corpus, against the issue's targets.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--repeat 15] [--keep] [--no-importtime]

For each size N it builds a repository in a temporary directory: ~80% of the N memories as
`.memory/` files (written with gitmem.store.front_matter.serialize_file, committed), ~20% as
records in notes on a few hundred commits (one gitmem.store.objects.update_notes call). It then
times the real `git-mem` console script as a subprocess (save as a file and as a note, list,
list --type, show of a file record and of a note record), after a warm-up run of each,
round-robin with references measured in the same run (`python -c pass` with the same
interpreter, `import yaml`, `import pygit2`, `git rev-parse HEAD`). It prints wall-time median,
p90 and minimum and the CPU median per command and size, and, once, the biggest
`python -X importtime` costs of `git-mem show`. Results and their analysis: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from corpus import ENV, GIT_MEM, NO_PYC_ENV, PYTHON, build_corpus, importtime_report, machine

TARGET_MS = 100  # the issue: save and show within 100 ms at 10k memories


# ---------------------------------------------------------------------------- measuring


class Sample(NamedTuple):
    wall: float  # ms, the whole process as the user waits for it
    cpu: float  # ms of user + system CPU of the process and its children (git), less noisy


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=env or ENV)
    elapsed = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return Sample(elapsed, cpu)


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def bench_size(
    size: int, repeat: int, keep: bool, seed: int, imports: bool
) -> tuple[dict[str, list[Sample]], str | None]:
    workdir = Path(tempfile.mkdtemp(prefix=f"gitmem-bench-{size}-"))
    root = workdir / "repo"
    started = time.perf_counter()
    sample = build_corpus(root, size, seed)
    built = time.perf_counter() - started
    print(
        f"\n# {size} memories: {sample['files']} files, {sample['notes']} note records on "
        f"{sample['noted_commits']} commits (built in {built:.1f} s, {root})",
        flush=True,
    )
    timed([GIT_MEM, "list"], root)  # builds the catalog cache
    file_prefix, note_prefix = sample["file_id"][:6], sample["note_id"][:6]
    text = (
        "Bench memory {i}: the retry budget is 3\n\nRetries back off exponentially, capped at 2 s."
    )
    Case = tuple[Callable[[int], list[str]], dict[str, str]]
    references: dict[str, Case] = {
        "python -c pass": (lambda i: [PYTHON, "-c", "pass"], ENV),
        "python -c 'import yaml'": (lambda i: [PYTHON, "-c", "import yaml"], ENV),
        "python -c 'import pygit2'": (lambda i: [PYTHON, "-c", "import pygit2"], ENV),
        "git rev-parse HEAD": (lambda i: ["git", "rev-parse", "HEAD"], ENV),
    }
    writes: dict[str, Case] = {
        "save -m (file)": (
            lambda i: [GIT_MEM, "save", "-m", text.format(i=i), "--tag", "bench"],
            ENV,
        ),
        "save --commit HEAD": (
            lambda i: [GIT_MEM, "save", "--commit", "HEAD", "-m", text.format(i=i)],
            ENV,
        ),
    }
    reads: dict[str, Case] = {
        "list": (lambda i: [GIT_MEM, "list"], ENV),
        "list --type decision": (lambda i: [GIT_MEM, "list", "--type", "decision"], ENV),
        "show (file record)": (lambda i: [GIT_MEM, "show", file_prefix], ENV),
        "show (note record)": (lambda i: [GIT_MEM, "show", note_prefix], ENV),
        "show (file record), no .pyc": (lambda i: [GIT_MEM, "show", file_prefix], NO_PYC_ENV),
    }
    results: dict[str, list[Sample]] = {}

    def rounds(cases: dict[str, Case]) -> None:
        """Round-robin, so a burst of load from elsewhere hits every command alike."""
        for argv, env in cases.values():
            timed(argv(-1), root, env)  # warm-up: caches, page cache, .pyc files
        for i in range(repeat):
            for name, (argv, env) in cases.items():
                results.setdefault(name, []).append(timed(argv(i), root, env))

    rounds(references | writes)
    timed([GIT_MEM, "list"], root)  # the catalog takes in what the saves wrote
    rounds(reads)

    # What a session does: save, then look: the read pays for the catalog update.
    after: list[Sample] = []
    for i in range(repeat):
        timed(writes["save -m (file)"][0](1000 + i), root)
        after.append(timed(reads["show (file record)"][0](i), root))
    results["show right after a save"] = after
    order = [*references, *writes, *reads, "show right after a save"]
    results = {name: results[name] for name in order}
    profile = importtime(root, size, file_prefix) if imports else None
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return results, profile


TARGETS = {
    "save -m (file)": TARGET_MS,
    "save --commit HEAD": TARGET_MS,
    "show (file record)": TARGET_MS,
    "show (note record)": TARGET_MS,
    "show right after a save": TARGET_MS,
}


def table(all_results: dict[int, dict[str, list[Sample]]]) -> str:
    sizes = sorted(all_results)
    names = list(next(iter(all_results.values())))
    head = "| command | " + " | ".join(
        f"{s:,}: wall median / p90 (min) | {s:,}: CPU median" for s in sizes
    )
    head += " | target (wall median at the largest size) |\n"
    head += "|---|" + "---:|---:|" * len(sizes) + "---|\n"
    rows = []
    for name in names:
        cells = []
        for size in sizes:
            wall = [sample.wall for sample in all_results[size][name]]
            cpu = [sample.cpu for sample in all_results[size][name]]
            cells.append(f"{statistics.median(wall):.0f} / {p90(wall):.0f} ({min(wall):.0f})")
            cells.append(f"{statistics.median(cpu):.0f}")
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            top = max(sizes)
            median = statistics.median(sample.wall for sample in all_results[top][name])
            verdict = f"≤ {target} ms: {'met' if median <= target else 'MISSED'}"
            if top < 10_000:
                verdict += f" (at {top:,})"
        rows.append(f"| `{name}` | " + " | ".join(cells) + f" | {verdict} |")
    return head + "\n".join(rows) + "\n"


def importtime(root: Path, size: int, prefix: str) -> str:
    """The biggest import costs of one `git-mem show`, by self time and cumulative."""
    title = f"`python -X importtime git-mem show` ({size:,} memories)"
    return importtime_report([GIT_MEM, "show", prefix], root, title, rows=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma list (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per command")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    parser.add_argument("--no-importtime", action="store_true", help="skip the import profile")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"gitmem bench, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine(), flush=True)
    results: dict[int, dict[str, list[Sample]]] = {}
    profile = None
    for size in sizes:
        imports = not args.no_importtime and size == max(sizes)
        results[size], text = bench_size(size, args.repeat, args.keep, args.seed, imports)
        profile = text or profile
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nWhole-process wall time in ms, {args.repeat} runs each after one warm-up "
        f"(load average at the end: {load})\n"
    )
    print(table(results))
    if profile:
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
