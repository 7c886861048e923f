"""What the semantic extra costs a search: whole-process `git mem search` with it on and off.

    .venv/bin/python bench/semantic_cost.py --repo /tmp/sem-10k [--rounds 7]

The repository is a bench/corpus.py one (a copy of /work/corpus/c10k: never a shared one, the
index is written under its .git). Questions are long, English and paraphrased, as
bench/retrieval.py's; each round runs `python -c pass` (the reference), then every question
with `GITMEM_SEMANTIC=off` and `=on`, interleaved, so load on the shared machine hits both
alike. Prints medians of wall and CPU (the children's user + system) time, as ratios to the
reference too. The service is off: this is the one-shot path (`on`: under `auto` a one-shot
search does not re-rank), where the model's load (numpy, onnxruntime's session, the model
file's checksum) is paid every time; a long-lived process (MCP, serve) pays it once.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = [
    "why did we pick postgres over mongo for the main store?",
    "how long do refresh tokens stay valid before the user logs in again?",
    "what happens to queued jobs when the worker crashes halfway?",
    "which cache do we put in front of the slow reports endpoint?",
    "is there a limit on how many connections the pool opens?",
]


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    git_mem = str(Path(sys.executable).with_name("git-mem"))
    base = {**os.environ, "GITMEM_SERVICE": "off"}
    subprocess.run([git_mem, "search", "warm up"], cwd=args.repo, env=base, capture_output=True)
    figures: dict[str, list[tuple[float, float]]] = {"python -c pass": [], "off": [], "on": []}
    for _ in range(args.rounds):
        figures["python -c pass"].append(timed([sys.executable, "-c", "pass"], args.repo, base))
        for question in QUESTIONS:
            for mode in ("off", "on"):
                env = {**base, "GITMEM_SEMANTIC": mode}
                figures[mode].append(timed([git_mem, "search", question], args.repo, env))
    ref_wall = statistics.median(w for w, _ in figures["python -c pass"])
    ref_cpu = statistics.median(c for _, c in figures["python -c pass"])
    print(f"{args.repo}: {len(QUESTIONS)} questions x {args.rounds} rounds, medians\n")
    print("| | wall, ms | CPU, ms | wall / python -c pass | CPU / python -c pass |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in figures.items():
        label = name if name.startswith("python") else f"`git mem search`, semantic {name}"
        wall = statistics.median(w for w, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        ratios = f"{wall / ref_wall:.1f}x | {cpu / ref_cpu:.1f}x"
        print(f"| {label} | {wall:.0f} | {cpu:.0f} | {ratios} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
