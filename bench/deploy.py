"""Whole-process cost of `git mem deploy`, alone and with --push, and of concurrent CI jobs.

    .venv/bin/python bench/deploy.py [--size 2000] [--repeat 7] [--jobs 4]

Prints medians of wall time and CPU time (the child's user + system) next to references
measured in the same run: `python -c pass` and plain `git notes add` (what a shell hook or a CI
script would do without gitmem, unsafe with concurrent writers). Rows:

- deploy into a repository with no notes, and into bench/corpus.py's repository of SIZE
  memories (a fifth of them in a fan-out notes tree);
- deploy --push from a depth-1 clone to a bare remote on disk (fetch, merge, push);
- JOBS depth-1 clones running `git mem deploy --push` at the same instant against one bare
  remote: wall time until the last one is done, and how many fetch-merge-push rounds the
  slowest job needed. Every round checks that all JOBS records reached the remote.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from corpus import ENV, GIT_MEM, PYTHON, build_corpus, machine, sh

CI = {**ENV, "CI": "true"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env or ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return elapsed, children_cpu() - cpu


def bare_remote(root: Path, name: str) -> Path:
    remote = root / f"{name}.git"
    work = root / f"{name}-work"
    sh(root, "init", "-q", "--bare", "-b", "main", str(remote))
    sh(root, "init", "-q", "-b", "main", str(work))
    sh(work, "config", "user.name", "Bench User")
    sh(work, "config", "user.email", "bench@example.com")
    sh(work, "commit", "-q", "--allow-empty", "-m", "release")
    sh(work, "push", "-q", str(remote), "main")
    return remote


def shallow(remote: Path, path: Path) -> Path:
    sh(path.parent, "clone", "-q", "--depth", "1", f"file://{remote}", str(path))
    return path


def concurrent_round(root: Path, jobs: int, n: int) -> tuple[float, int]:
    """`jobs` clones deploying at once; (wall seconds, most rounds one job needed)."""
    remote = bare_remote(root, f"conc-{n}")
    clones = [shallow(remote, root / f"conc-{n}-job{j}") for j in range(jobs)]
    gate = root / f"go-{n}"
    script = 'while [ ! -e "$GATE" ]; do sleep 0.005; done; exec "$GIT_MEM" deploy "$@"'
    procs = []
    for j, clone in enumerate(clones):
        env = {**CI, "CI_RUN_ID": f"{n}-{j}", "GATE": str(gate), "GIT_MEM": GIT_MEM}
        argv = ["sh", "-c", script, "job", "--env", "production", "--push", "--json"]
        procs.append(subprocess.Popen(argv, cwd=clone, env=env, stdout=subprocess.PIPE, text=True))
    time.sleep(0.3)  # every shell is in its wait loop
    start = time.perf_counter()
    gate.touch()
    outputs = [proc.communicate()[0] for proc in procs]
    elapsed = time.perf_counter() - start
    if any(proc.returncode for proc in procs):
        raise SystemExit("a concurrent deploy failed")
    rounds = max(json.loads(out)["push"]["attempts"] for out in outputs)
    listed = sh(root, "--git-dir", str(remote), "notes", "--ref=mem", "show", "main")
    if listed.count("\nid: ") + listed.startswith("id: ") != jobs:
        raise SystemExit(f"expected {jobs} records on the remote:\n{listed}")
    return elapsed, rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="memories in the corpus")
    parser.add_argument("--repeat", type=int, default=7, help="rounds per measurement")
    parser.add_argument("--jobs", type=int, default=4, help="concurrent CI jobs")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gitmem-bench-deploy-"))
    try:
        empty = root / "empty"
        sh(root, "init", "-q", "-b", "main", str(empty))
        sh(empty, "config", "user.name", "Bench User")
        sh(empty, "config", "user.email", "bench@example.com")
        sh(empty, "commit", "-q", "--allow-empty", "-m", "one")
        corpus = root / "corpus"
        sample = build_corpus(corpus, args.size, args.seed)
        push_remote = bare_remote(root, "push")
        pusher = shallow(push_remote, root / "pusher")
        rows: dict[str, list[tuple[float, float]]] = {}

        def measure(label: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None):
            rows.setdefault(label, []).append(timed(argv, cwd, env))

        concurrent: list[tuple[float, int]] = []
        for i in range(args.repeat):
            measure("python -c pass", [PYTHON, "-c", "pass"], root)
            notes_add = ["git", "notes", "--ref=mem", "add", "-f", "-m", f"deploy {i}", "HEAD"]
            measure("git notes add (plain git, no CAS)", notes_add, empty)
            deploy = [GIT_MEM, "deploy", "--env", "production"]
            measure("git mem deploy, no notes yet", deploy, empty)
            measure(f"git mem deploy, {sample['notes']} records in notes", deploy, corpus)
            env = {**CI, "CI_RUN_ID": str(i)}
            measure("git mem deploy --push (depth-1 clone)", [*deploy, "--push"], pusher, env)
            concurrent.append(concurrent_round(root, args.jobs, i))

        print(f"# git mem deploy ({args.repeat} rounds, medians)\n\n{machine()}\n")
        print("| command | wall ms | CPU ms |\n|---|---:|---:|")
        for label, values in rows.items():
            wall = statistics.median(v[0] for v in values) * 1000
            cpu = statistics.median(v[1] for v in values) * 1000
            print(f"| {label} | {wall:.0f} | {cpu:.0f} |")
        wall = statistics.median(c[0] for c in concurrent) * 1000
        rounds = [c[1] for c in concurrent]
        print(
            f"| {args.jobs} depth-1 clones deploy --push at once (until the last is done) "
            f"| {wall:.0f} | |"
        )
        print(
            f"\nconcurrent: all {args.jobs} records reached the remote in every round; the "
            f"slowest job needed {statistics.median(rounds):.0f} fetch-merge-push rounds "
            f"(median; max {max(rounds)})"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
