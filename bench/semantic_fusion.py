"""Dense retrieval beside the lexical ranking: the fusions tried (issue 13).

    .venv/bin/python bench/semantic_fusion.py [--set flask|requests|black|all] [--cache DIR]

On bench/retrieval.py's question sets, with the semantic extra's model (`semantic.model`:
every memory's title and body embedded, as `semantic.rerank` embeds a hit; the CPU time and
memories per second printed), it prints hit@1, hit@3 and MRR of: the similarity alone (a dense
search over every memory); reciprocal rank fusion of gitmem's ranking and the dense one
(k = 10 and 60, the dense ranking weighted 1 or 0.5); linear fusions of normalised scores (the
lexical score scaled to the best, 0 outside gitmem's top DEEP, and the cosine, or both min-max
normalised); the extra's re-rank (`rerank.WEIGHT` x best x cosine + the rest x lexical) of
gitmem's top `rerank.DEPTH`, and of the union of gitmem's top K and the dense top K (a memory
only the dense search found gets its lexical score, 0 if outside gitmem's top DEEP). And how
often the answer is in gitmem's top K, the dense top K and their union (what any fusion of the
two could reach). `--cache DIR` keeps each set's vectors in DIR (keyed by a digest of the
texts) so a second run embeds nothing."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import retrieval

from gitmem.search.engine import EVERYTHING
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.semantic import model, rerank

DEEP = 1000  # gitmem hits read per question (their lexical scores, for the fusions)
Ranking = Callable[[int], list[str]]


def first(ranked: list[str], expected: set[str]) -> int | None:
    for n, found in enumerate(ranked[: retrieval.TOP]):
        if found in expected:
            return n
    return None


def figures(positions: list[int | None]) -> str:
    n = len(positions)
    hit1 = sum(p == 0 for p in positions) / n
    hit3 = sum(p is not None and p < 3 for p in positions) / n
    mrr = sum(1 / (p + 1) for p in positions if p is not None) / n
    return f"{hit1:.1%} | {hit3:.1%} | {mrr:.3f}"


def embedded(texts: list[str], cache: Path | None, name: str) -> tuple[Any, str]:
    """The texts' vectors, and how long they took (CPU per memory, memories per CPU second)."""
    digest = hashlib.blake2b("\x00".join(texts).encode(), digest_size=8).hexdigest()
    path = cache / f"{name}-{digest}.npy" if cache is not None else None
    if path is not None and path.is_file():
        return np.load(path), "(vectors from the cache)"
    began = time.process_time()
    vectors = model.embedder().embed(texts)
    took = time.process_time() - began
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors, (
        f"{took / len(texts) * 1e3:.1f} ms of CPU per memory, "
        f"{len(texts) / took:.0f} memories per CPU second ({took:.0f} s)"
    )


def run(name: str, cache: Path | None) -> None:
    corpus, questions = retrieval.load(name)
    ids = [m["id"] for m in corpus]
    texts = [f"{m['title']}\n{m['body']}"[: rerank.BODY_CHARS] for m in corpus]
    vectors, cost = embedded(texts, cache, name)
    asked = model.embedder().embed([q["question"] for q in questions])
    lexical: list[list[tuple[str, float]]] = []
    with retrieval.gitmem_index(corpus) as path, WhooshEngine().open(path, set()) as reader:
        for q in questions:
            hits = reader.search(
                q["question"], EVERYTHING, lambda r: True, limit=DEEP, snippets=False
            )
            lexical.append([(hit.row["id"], hit.score) for hit in hits])
    similarity = vectors @ asked.T  # memories x questions
    row_of = {memory_id: n for n, memory_id in enumerate(ids)}
    lexical_score = [dict(hits) for hits in lexical]

    def dense(qn: int, depth: int = DEEP) -> list[str]:
        return [ids[i] for i in np.argsort(-similarity[:, qn], kind="stable")[:depth]]

    def lexical_only(qn: int) -> list[str]:
        return [memory_id for memory_id, _ in lexical[qn]]

    def rrf(k: int, weight: float) -> Ranking:
        def rank(qn: int) -> list[str]:
            scores: dict[str, float] = {}
            for n, memory_id in enumerate(lexical_only(qn)):
                scores[memory_id] = scores.get(memory_id, 0.0) + 1 / (k + n + 1)
            for n, memory_id in enumerate(dense(qn)):
                scores[memory_id] = scores.get(memory_id, 0.0) + weight / (k + n + 1)
            return sorted(scores, key=lambda m: -scores[m])

        return rank

    def linear(weight: float, minmax: bool) -> Ranking:
        """weight x cosine + (1 - weight) x lexical / best over every memory; `minmax`: both
        min-max normalised over every memory first (the lexical 0 outside gitmem's top DEEP)."""

        def rank(qn: int) -> list[str]:
            cosine = similarity[:, qn].astype(np.float64)
            lex = np.zeros(len(ids))
            for memory_id, score in lexical[qn]:
                lex[row_of[memory_id]] = score
            if minmax:
                cosine = (cosine - cosine.min()) / ((cosine.max() - cosine.min()) or 1.0)
            lex = lex / (lex.max() or 1.0)
            mixed = weight * cosine + (1 - weight) * lex
            return [ids[i] for i in np.argsort(-mixed, kind="stable")[: retrieval.TOP]]

        return rank

    def reranked(lexical_depth: int, dense_depth: int, weight: float = rerank.WEIGHT) -> Ranking:
        """The extra's mix over gitmem's top `lexical_depth` and the dense top `dense_depth`."""

        def rank(qn: int) -> list[str]:
            head = lexical_only(qn)[:lexical_depth]
            head += [m for m in dense(qn, dense_depth) if m not in set(head)]
            if not head:
                return []
            best = lexical[qn][0][1] if lexical[qn] else 1.0
            scores = lexical_score[qn]
            mixed = {
                m: (1 - weight) * scores.get(m, 0.0)
                + weight * best * float(similarity[row_of[m], qn])
                for m in head
            }
            return sorted(head, key=lambda m: -mixed[m])

        return rank

    methods: list[tuple[str, Ranking]] = [
        ("gitmem (lexical)", lexical_only),
        ("similarity alone (dense search)", dense),
        ("RRF k 60, dense weight 1", rrf(60, 1.0)),
        ("RRF k 60, dense weight 0.5", rrf(60, 0.5)),
        ("RRF k 10, dense weight 1", rrf(10, 1.0)),
        ("RRF k 10, dense weight 0.5", rrf(10, 0.5)),
    ]
    for weight in (0.5, 0.65, 0.8):
        methods.append((f"linear: {weight} x cosine + lexical / best", linear(weight, False)))
        methods.append((f"linear, min-max: {weight} x cosine + lexical", linear(weight, True)))
    methods.append((f"re-rank gitmem's top {rerank.DEPTH} (the extra today)", reranked(20, 0)))
    for lexical_depth, dense_depth in ((20, 5), (20, 10), (20, 20), (10, 10), (50, 50)):
        for weight in (0.65, rerank.WEIGHT):
            methods.append(
                (
                    f"re-rank lexical top {lexical_depth} + dense top {dense_depth}, "
                    f"{weight} x cosine",
                    reranked(lexical_depth, dense_depth, weight),
                )
            )
    print(f"## {name}: {len(questions)} questions over {len(corpus):,} memories\n")
    print(f"Embedding every memory: {cost}.\n")
    print("| ranking | hit@1 | hit@3 | MRR |")
    print("|---|---|---|---|")
    for label, method in methods:
        positions = [first(method(qn), set(q["expected"])) for qn, q in enumerate(questions)]
        print(f"| {label} | {figures(positions)} |")
    print("\n| the answer is in the top K of | K = 3 | 10 | 20 | 50 | 100 |")
    print("|---|---|---|---|---|---|")
    for label, candidates in (
        ("gitmem", lambda qn, k: set(lexical_only(qn)[:k])),
        ("the dense search", lambda qn, k: set(dense(qn, k))),
        ("either", lambda qn, k: set(lexical_only(qn)[:k]) | set(dense(qn, k))),
    ):
        cells = []
        for k in (3, 10, 20, 50, 100):
            found = sum(
                bool(candidates(qn, k) & set(q["expected"])) for qn, q in enumerate(questions)
            )
            cells.append(f"{found / len(questions):.0%}")
        print(f"| {label} | {' | '.join(cells)} |")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=[*retrieval.SETS, "all"], default="all")
    parser.add_argument("--cache", type=Path, help="keep the sets' vectors in this directory")
    args = parser.parse_args()
    if not model.installed():
        print("needs the semantic extra: pip install -e '.[semantic]'", file=sys.stderr)
        return 1
    for name in retrieval.SETS if args.set == "all" else [args.set]:
        run(name, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
