"""A prepared corpus for the benchmarks (`--repo PATH`): copied, never used in place.

Building a 100k corpus and its index takes minutes of CPU; a repository made once by
bench/corpus.py (and, if its index was built there, that too: it lives under `.git`) is copied
into the benchmark's temporary directory, and a sample of its memories read back to draw the
queries from, as the generated corpus's memories are.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.store import git
from gitmem.store.record import Memory

STOP = {"the", "a", "an", "of", "to", "in", "and", "or", "is", "for", "on", "with", "as", "by"}


def copy_repository(source: Path, root: Path) -> None:
    """Copy the repository at `source` to `root`, index and all, as a checkout would leave it."""
    shutil.copytree(source, root, symlinks=True)
    # A copy has new inodes and change times: git's stat cache (and the manifest's) would
    # make every read re-hash every file until something rewrites them; a checkout would not.
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root, capture_output=True)


def copy_corpus(source: Path, root: Path, seed: int, sample: int = 400) -> list[tuple[Memory, str]]:
    """Copy the repository at `source` to `root`; `sample` of its memories and locations."""
    copy_repository(source, root)
    store = Store(git.discover(root))
    rows = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    chosen = random.Random(seed).sample(rows, min(sample, len(rows)))
    return [(store.load(row).memory, row["location"]) for row in chosen]


def queries(rng: random.Random, memories: list[tuple[Memory, str]], n: int) -> list[str]:
    """`n` queries of 1, 2, 3, 1, ... words, each drawn from one random memory's text."""
    out = []
    for i in range(n):
        memory = rng.choice(memories)[0]
        words = sorted(
            {w for w in f"{memory.title} {memory.body}".lower().split() if w.isalpha()} - STOP
        )
        out.append(" ".join(rng.sample(words, min(len(words), 1 + i % 3))))
    return out
