"""Index service benchmark: whole-process `git mem search`, `list --limit 20` and `show PREFIX`
with the warm index service running and without it, against SQLite FTS5 in the same run.

    .venv/bin/python bench/service.py [--corpus /work/corpus/c10k ...] [--sizes 10000]
                                      [--repeat 15] [--keep]

Each `--corpus` is a repository made by bench/corpus.py (copied first: gitmem writes its index
under .git); each of `--sizes` is generated here (seed 42, as bench/search.py does). For each,
the index is brought up to date in process once, the service is started (`git mem service
start`), and the commands run round-robin with `python -c pass` and the FTS5 reference (stdlib
sqlite3 on the same records, `python -c` open + one query, bench/search.py's) so the ratios
are of one run on one machine. Medians of wall time (CPU of the process and its children in
brackets). It checks that the service answered every `service on` run (its request counter).

Inside the service a request refreshes through the warm core (`records.warm`: inotify events
drained at the request, the manifest and the searcher kept open).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, Corpus, Zipf, build_corpus, machine
from prepared import copy_repository
from search import FTS_SCRIPT, Sample, fts_build, fts_match, fts_sql, log, make_queries, pct

from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.front_matter import parse_file
from gitmem.store.note_stream import parse_note
from gitmem.store.record import Memory

OFF = {**ENV, "GITMEM_SERVICE": "off"}
ON = {**ENV, "GITMEM_SERVICE": "on"}


def records_of(root: Path) -> list[tuple[Memory, str]]:
    """Every record of the repository and where it lives, read with gitmem's own parsers."""
    types = Store(git.discover(root)).config.type_names
    found: list[tuple[Memory, str]] = []
    for path in sorted((root / ".memory").rglob("*.md")):
        relative = path.relative_to(root).as_posix()
        found.append((parse_file(path.read_text(encoding="utf-8"), relative, types), relative))
    listing = subprocess.run(
        ["git", "notes", "--ref=mem", "list"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    blobs, commits = listing[0::2], listing[1::2]
    batch = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="\n".join(blobs) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    at = 0
    for sha in commits:
        header, at = batch[at : batch.index("\n", at)], batch.index("\n", at) + 1
        size = int(header.split()[2])
        text, at = batch[at : at + size], at + size + 1
        for chunk in parse_note(text, f"note:{sha}", "2024-01-01T00:00:00+00:00", types):
            if chunk.memory is not None:
                found.append((chunk.memory, f"note:{sha}"))
    return found


def run_in(root: Path, *argv: str, env: dict[str, str] = ON) -> str:
    proc = subprocess.run([GIT_MEM, *argv], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"git mem {' '.join(argv)} failed: {proc.stderr}")
    return proc.stdout


def bench(root: Path, label: str, args: argparse.Namespace) -> list[str]:
    log(f"{label}: bringing the index up to date in process")
    run_in(root, "list", "--limit", "1", env=OFF)
    log(f"{label}: reading the records for FTS5")
    memories = records_of(root)
    fts_path = root.parent / "fts.db"
    fts_build(fts_path, memories)
    queries = [q for q in make_queries(random.Random(args.seed), memories, args.repeat + 2) if q]
    prefix = sorted(m.id for m, loc in memories if not loc.startswith("note:"))[len(memories) // 3][
        :6
    ]
    log(f"{label}: starting the service")
    run_in(root, "service", "start")
    before = json.loads(run_in(root, "service", "status", "--json"))["requests"]

    def gm(*argv: str) -> list[str]:
        return [GIT_MEM, *argv]

    cases = {
        "`python -c pass`": (lambda i: [PYTHON, "-c", "pass"], ENV),
        "FTS5 `python -c` open + one query": (
            lambda i: [
                PYTHON,
                "-c",
                FTS_SCRIPT,
                str(fts_path),
                fts_sql(False),
                fts_match(queries[i]),
            ],
            ENV,
        ),
        "search, service off": (lambda i: gm("search", *queries[i].split()), OFF),
        "search, service on": (lambda i: gm("search", *queries[i].split()), ON),
        "list --limit 20, service off": (lambda i: gm("list", "--limit", "20"), OFF),
        "list --limit 20, service on": (lambda i: gm("list", "--limit", "20"), ON),
        f"show {prefix}, service off": (lambda i: gm("show", prefix), OFF),
        f"show {prefix}, service on": (lambda i: gm("show", prefix), ON),
    }
    samples: dict[str, list[Sample]] = {name: [] for name in cases}
    for argv, env in cases.values():  # warm-up: page cache, .pyc files
        timed_env(argv(args.repeat), root, env)
    for i in range(args.repeat):
        for name, (argv, env) in cases.items():
            samples[name].append(timed_env(argv(i), root, env))
    after = json.loads(run_in(root, "service", "status", "--json"))["requests"]
    on_runs = 3 * (args.repeat + 1)
    run_in(root, "service", "stop")
    fts = statistics.median(s.wall for s in samples["FTS5 `python -c` open + one query"])
    lines = [
        f"### {label}",
        "",
        f"{len(memories):,} records; {args.repeat} rounds; the service answered "
        f"{after - before} of the {on_runs} `service on` runs",
        "",
        "| whole process | ms p50 / p90 (CPU p50) | / FTS5 |",
        "|---|---:|---:|",
    ]
    for name, values in samples.items():
        wall = [s.wall for s in values]
        cpu = statistics.median(s.cpu for s in values)
        p50 = statistics.median(wall)
        lines.append(f"| {name} | {p50:.0f} / {pct(wall, 90):.0f} ({cpu:.0f}) | {p50 / fts:.1f}x |")
    return [*lines, ""]


def timed_env(argv: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """One whole process: wall ms, and CPU ms of it and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=env)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return Sample(wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", default=[], type=Path, help="a corpus repo")
    parser.add_argument("--sizes", default="", help="generate corpora of these sizes (comma list)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not args.corpus and not sizes:
        sizes = [10_000]
    out = [f"## Index service, whole process ({machine()})", ""]
    jobs: list[tuple[str, Path | int]] = [(str(c), c) for c in args.corpus]
    jobs += [(f"{n:,} generated", n) for n in sizes]
    for label, source in jobs:
        workdir = Path(tempfile.mkdtemp(prefix="gitmem-service-bench-"))
        root = workdir / "repo"
        if isinstance(source, Path):
            log(f"{label}: copying")
            copy_repository(source, root)
        else:
            build_corpus(root, source, args.seed, Corpus(args.seed, Zipf(args.seed), (4, 10)))
        try:
            out += bench(root, label, args)
        finally:
            subprocess.run([GIT_MEM, "service", "stop"], cwd=root, capture_output=True, env=ON)
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
