"""Do two versions of gitmem rank the same? Dump the hits of a fixed set of queries, compare.

    .venv/bin/python bench/ranking_same.py dump --repo PATH --out mine.json [--queries 150]
    PYTHONPATH=/tmp/main-src .venv/bin/python bench/ranking_same.py dump --repo PATH --out main.json
    .venv/bin/python bench/ranking_same.py compare main.json mine.json

`dump` runs `finder.search` (limit 10) in process over an existing repository (a copy of
/work/corpus/c10k or c100k: gitmem writes its index under the repository's .git) for random
1-, 2- and 3-word queries drawn from random records' titles and bodies (seeded), then each
again with one word of another query excluded (`-word`; `--no-exclusions`: not), every one
with no filter and with `--type decision` (600 answers for the default 150 queries), and
writes every hit's id, score (9 decimals), matched words and snippet, plus the suggestion and
the hidden flag. Run it once with each version's
source first on PYTHONPATH (`git archive main gitmem | tar -x -C /tmp/main-src`) against the
same index; `compare` prints the queries whose answers differ (none: exit 0).

`dump --exhaustive` turns off Whoosh's own pruning (TopCollector's block-quality skipping and
matcher replacement) in the version that uses it: every candidate is then scored, which is the
reference an exact top-N must equal. Whoosh 2.7.4's pruning loses documents under a `BestOf`
(`DisjunctionMaxMatcher.replace` returns a null matcher as soon as either side runs out, and
with it every later document of the segment), so main's answers with it on are not the best N.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

_WORD = re.compile(r"[a-z]{3,}")


def queries(store: Any, count: int, seed: int) -> list[str]:
    from whoosh.analysis import STOP_WORDS

    rng = random.Random(seed)
    out = []
    with store.catalog().open() as reader:
        total = reader.count()
        for n in range(count):
            doc = rng.randrange(total)
            text = f"{reader.row(doc)['title']} {reader.body(doc)}".lower()
            words = sorted({w for w in _WORD.findall(text) if w not in STOP_WORDS})
            out.append(" ".join(rng.sample(words, min(len(words), 1 + n % 3))))
    return out


def exhaustive() -> None:
    """Whoosh's TopCollector without block-quality skipping or matcher replacement."""
    from whoosh import collectors

    init = collectors.TopCollector.__init__

    def __init__(self: Any, limit: int = 10, usequality: bool = True, **kwargs: Any) -> None:
        init(self, limit=limit, usequality=False, **kwargs)
        self.replace = 0

    collectors.TopCollector.__init__ = __init__  # type: ignore[method-assign]


def dump(repo_path: Path, out: Path, count: int, seed: int, exclusions: bool = True) -> None:
    from gitmem.records import finder
    from gitmem.records.store import Store
    from gitmem.search.query import Filter
    from gitmem.store import git

    store = Store(git.discover(repo_path))
    answers = []
    texts = queries(store, count, seed)
    # Each query also with a word excluded (`-word`: a word of another query, so that it
    # often excludes some of the hits), after the plain ones: their answers stay comparable.
    rng = random.Random(seed + 1)
    pool = sorted({word for text in texts for word in text.split()})
    excluding = [f"{text} -{rng.choice(pool)}" for text in texts] if exclusions else []
    for text in texts + excluding:
        for flt in (Filter(), Filter(types=["decision"])):
            found = finder.search(store, flt, text, limit=10)
            hits = [
                [h.row["id"], round(h.score, 9), list(h.matched), h.snippet] for h in found.hits
            ]
            answers.append(
                {
                    "query": text,
                    "types": flt.types,
                    "hits": hits,
                    "suggestion": found.suggestion,
                    "hidden": found.hidden,
                }
            )
    out.write_text(json.dumps(answers, indent=0, ensure_ascii=False), encoding="utf-8")
    print(f"{len(answers)} answers written to {out}")


def compare(first: Path, second: Path) -> int:
    a = json.loads(first.read_text(encoding="utf-8"))
    b = json.loads(second.read_text(encoding="utf-8"))
    if [x["query"] for x in a] != [y["query"] for y in b]:
        print("the dumps hold different queries (another index or seed?)")
        return 2
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    for x, y in differ:
        print(f"{x['query']!r} types={x['types']}:")
        print("  ids  " + " ".join(h[0] for h in x["hits"]))
        print("  ids  " + " ".join(h[0] for h in y["hits"]))
    same_ids = sum(
        [h[0] for h in x["hits"]] == [h[0] for h in y["hits"]] for x, y in zip(a, b, strict=True)
    )
    print(
        f"{len(a) - len(differ)} of {len(a)} answers identical (ids, scores, matched words, "
        f"snippets); top-10 ids and order identical in {same_ids} of {len(a)}"
    )
    return 0 if not differ else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write the answers of this version")
    d.add_argument("--repo", type=Path, required=True, help="an indexed repository (a copy)")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--queries", type=int, default=150)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument(
        "--exhaustive",
        action="store_true",
        help="turn off Whoosh's own pruning (score every candidate): the reference",
    )
    d.add_argument(
        "--no-exclusions",
        action="store_true",
        help="only the queries as drawn (not also each with a `-word` exclusion)",
    )
    c = sub.add_parser("compare", help="compare two dumps")
    c.add_argument("first", type=Path)
    c.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        if args.exhaustive:
            exhaustive()
        dump(args.repo, args.out, args.queries, args.seed, not args.no_exclusions)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
