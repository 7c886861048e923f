"""In-process query latency of one gitmem checkout, wall and CPU, by number of words.

    GITMEM_SEMANTIC=off .venv/bin/python bench/query_cpu.py --repo PATH [--queries 40] [--filtered]
    GITMEM_SEMANTIC=off PYTHONPATH=/tmp/main-src .venv/bin/python bench/query_cpu.py --repo PATH

What bench/search.py's "in-process query" rows time (`finder.search`, limit 10, one Store,
many queries, after 6 warm-up queries), with the queries of bench/ranking_same.py (random
1-, 2- and 3-word queries from random records' titles and bodies, seeded), so that it runs
over any indexed repository (a copy of /work/corpus/c100k) and any version: run it once with
another version's source first on PYTHONPATH (`git archive main gitmem | tar -x -C
/tmp/main-src`), alternating, for an A/B on a shared machine. Prints p50 wall and p50 CPU
(`time.process_time`: this process only) per word count, and the load average; with
`--filtered`, also for `--type decision` queries and queries with a word excluded (`-word`: a
word of another query), each kind its own queries (words not read before in the process).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="an indexed repository (a copy)")
    parser.add_argument("--queries", type=int, default=40, help="queries per word count")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--filtered",
        action="store_true",
        help="also `--type decision` and `-word` (one word excluded) queries, each their own",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ranking_same import queries

    from gitmem.records import finder
    from gitmem.records.store import Store
    from gitmem.search.query import Filter
    from gitmem.store import git

    store = Store(git.discover(args.repo))
    kinds = ["plain", "--type decision", "-word"] if args.filtered else ["plain"]
    # Each kind its own queries (its words not read before in this process: no scores kept).
    texts = queries(store, args.queries * 3 * len(kinds) + 6, args.seed)
    pool = sorted({word for text in texts for word in text.split()})
    rng = random.Random(args.seed + 1)
    for text in texts[:6]:
        finder.search(store, Filter(), text, limit=10)
    timed: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for number, text in enumerate(texts[6:]):
        kind = kinds[number * len(kinds) // (len(texts) - 6)]
        flt = Filter(types=["decision"]) if kind == "--type decision" else Filter()
        asked = f"{text} -{rng.choice(pool)}" if kind == "-word" else text
        began, cpu = time.perf_counter(), time.process_time()
        finder.search(store, flt, asked, limit=10)
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        timed.setdefault((kind, len(text.split())), []).append((wall * 1000, used * 1000))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}; GITMEM_SEMANTIC={os.environ.get('GITMEM_SEMANTIC', '')}")
    for (kind, words), values in sorted(timed.items(), key=lambda item: item[0][1]):
        wall = statistics.median(v[0] for v in values)
        used = statistics.median(v[1] for v in values)
        label = "" if kind == "plain" else f", {kind}"
        print(f"{words} word(s){label}: n={len(values)} p50 wall {wall:.1f} ms, CPU {used:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
