"""In-process query latency of one gitmem checkout, wall and CPU, by number of words.

    GITMEM_SEMANTIC=off .venv/bin/python bench/query_cpu.py --repo PATH [--queries 40]
    GITMEM_SEMANTIC=off PYTHONPATH=/tmp/main-src .venv/bin/python bench/query_cpu.py --repo PATH

What bench/search.py's "in-process query" rows time (`finder.search`, limit 10, one Store,
many queries, after 6 warm-up queries), with the queries of bench/ranking_same.py (random
1-, 2- and 3-word queries from random records' titles and bodies, seeded), so that it runs
over any indexed repository (a copy of /work/corpus/c100k) and any version: run it once with
another version's source first on PYTHONPATH (`git archive main gitmem | tar -x -C
/tmp/main-src`), alternating, for an A/B on a shared machine. Prints p50 wall and p50 CPU
(`time.process_time`: this process only) per word count, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="an indexed repository (a copy)")
    parser.add_argument("--queries", type=int, default=40, help="queries per word count")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ranking_same import queries

    from gitmem.records import finder
    from gitmem.records.store import Store
    from gitmem.search.query import Filter
    from gitmem.store import git

    store = Store(git.discover(args.repo))
    texts = queries(store, args.queries * 3 + 6, args.seed)
    for text in texts[:6]:
        finder.search(store, Filter(), text, limit=10)
    timed: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: []}
    for text in texts[6:]:
        began, cpu = time.perf_counter(), time.process_time()
        finder.search(store, Filter(), text, limit=10)
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        timed.setdefault(len(text.split()), []).append((wall * 1000, used * 1000))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}; GITMEM_SEMANTIC={os.environ.get('GITMEM_SEMANTIC', '')}")
    for words, values in sorted(timed.items()):
        if values:
            wall = statistics.median(v[0] for v in values)
            used = statistics.median(v[1] for v in values)
            print(f"{words} word(s): n={len(values)} p50 wall {wall:.1f} ms, CPU {used:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
