"""What issue 13's query reading costs: in-process query CPU with and without related terms.

    .venv/bin/python bench/related_cost.py [--size 10000] [--repo COPY_OF_A_CORPUS] [--rounds 3]

The queries are bench/search.py's mix (1, 2 or 3 words drawn from a random record's title and
body, over its Zipf corpus: `--size` records generated here, or `--repo` a copy of one made
before, e.g. of /work/corpus/c10k). Each query runs through `finder.search` as `git mem search`
calls it, once as the engine reads it now and once as before (no related terms, identifiers
whole, Whoosh's own DisjunctionMax), interleaved in one process so that the shared machine's
noise falls on both; it prints the CPU p50 and mean of each and their ratio.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import Corpus, Zipf, build_corpus
from whoosh.analysis import STOP_WORDS

from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search import whoosh_words
from gitmem.search.engine import EVERYTHING, Reader
from gitmem.search.query import Filter
from gitmem.search.whoosh_load import query
from gitmem.store import git
from gitmem.store.record import Memory

_WORD = re.compile(r"[a-z]{3,}")
SEED = 42


def queries(texts: list[str], n: int, seed: int) -> list[str]:
    """bench/search.py's `make_queries` over `texts`."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = rng.choice(texts).lower()
        words = sorted({w for w in _WORD.findall(text) if w not in STOP_WORDS and w != "python"})
        out.append(" ".join(rng.sample(words, 1 + i % 3)))
    return out


def record_texts(reader: Reader) -> list[str]:
    """Each record's title and body."""
    rows = list(reader.records(EVERYTHING, lambda row: True))
    docs = reader.located(row["location"] for row in rows)
    return [f"{reader.row(doc)['title']} {reader.body(doc)}" for doc in docs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="records to generate")
    parser.add_argument("--repo", type=Path, help="a copy of a bench/corpus.py repository")
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitmem-related-cost-") as tmp:
        root = args.repo
        if root is None:
            root = Path(tmp) / "repo"
            kept: list[tuple[Memory, str]] = []
            corpus = Corpus(SEED, Zipf(SEED), title_words=(4, 10))
            print(f"generating {args.size:,} records in {root}", file=sys.stderr)
            build_corpus(root, args.size, SEED, corpus, kept)
        store = Store(git.discover(root))
        store.catalog()  # builds the index if it is not there
        texts = finder.with_index(store, lambda _catalog, reader: record_texts(reader))
        asked = queries(texts, args.queries, SEED + len(texts))
        for text in asked[:6]:  # warm-up: open the index, fill caches
            finder.search(store, Filter(), text, limit=10)
        readings = {
            "now": (whoosh_words.RELATED_BOOST, True, whoosh_words.BestOf),
            "before": (0.0, False, query.DisjunctionMax),
        }
        took: dict[str, list[float]] = {name: [] for name in readings}
        for _round in range(args.rounds):
            for text in asked:
                for name, (boost, split, best_of) in readings.items():
                    whoosh_words.RELATED_BOOST = boost
                    whoosh_words.SPLIT_IDENTIFIERS = split
                    whoosh_words.BestOf = best_of  # type: ignore[misc]
                    began = time.process_time()
                    finder.search(store, Filter(), text, limit=10)
                    took[name].append((time.process_time() - began) * 1000)
    print(f"{len(texts):,} records, {len(asked)} queries x {args.rounds} rounds, CPU ms\n")
    print("| reading | p50 | mean |")
    print("|---|---|---|")
    for name, values in took.items():
        print(f"| {name} | {statistics.median(values):.2f} | {statistics.mean(values):.2f} |")
    now, before = took["now"], took["before"]
    print(
        f"\nnow / before: p50 {statistics.median(now) / statistics.median(before):.2f}, "
        f"mean {statistics.mean(now) / statistics.mean(before):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
