"""Why the semantic extra re-ranks the lexical top 20 and stores no vectors: the fusions tried.

    .venv/bin/python bench/semantic_fusion.py [--set flask|requests|black|all]

On bench/retrieval.py's question sets, with the semantic extra's model (`semantic.model`:
every memory's title and body embedded, as `semantic.rerank` embeds a hit), it prints hit@1,
hit@3 and MRR of: the similarity alone (a dense search over every memory); reciprocal rank
fusion of gitmem's ranking and the dense one (k = 60 and 10, the dense ranking weighted 1 or
0.5); a linear mix over every memory (lexical score scaled to the best, 0 for a memory outside
gitmem's top 100, plus `rerank.WEIGHT` x cosine); and re-ranking gitmem's top `rerank.DEPTH`
(what the extra does). And how often the answer is in gitmem's top K, the dense top K and
their union (what any fusion of the two could reach), and the embedding's CPU time per memory."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
import retrieval

from gitmem.search.engine import EVERYTHING
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.semantic import model, rerank

DEEP = 100  # gitmem hits read per question


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


def run(name: str) -> None:
    corpus, questions = retrieval.load(name)
    ids = [m["id"] for m in corpus]
    embedder = model.embedder()
    began = time.process_time()
    vectors = embedder.embed([f"{m['title']}\n{m['body']}"[: rerank.BODY_CHARS] for m in corpus])
    per_memory = (time.process_time() - began) / len(corpus) * 1e6
    asked = embedder.embed([q["question"] for q in questions])
    lexical: list[list[tuple[str, float]]] = []
    with retrieval.gitmem_index(corpus) as path, WhooshEngine().open(path, set()) as reader:
        for q in questions:
            hits = reader.search(
                q["question"], EVERYTHING, lambda r: True, limit=DEEP, snippets=False
            )
            lexical.append([(hit.row["id"], hit.score) for hit in hits])
    similarity = vectors @ asked.T  # memories x questions
    row_of = {memory_id: n for n, memory_id in enumerate(ids)}

    def dense(qn: int, depth: int = DEEP) -> list[str]:
        return [ids[i] for i in np.argsort(-similarity[:, qn])[:depth]]

    def lexical_only(qn: int) -> list[str]:
        return [memory_id for memory_id, _ in lexical[qn]]

    def rrf(k: int, weight: float) -> Callable[[int], list[str]]:
        def rank(qn: int) -> list[str]:
            scores: dict[str, float] = {}
            for n, memory_id in enumerate(lexical_only(qn)):
                scores[memory_id] = scores.get(memory_id, 0.0) + 1 / (k + n + 1)
            for n, memory_id in enumerate(dense(qn)):
                scores[memory_id] = scores.get(memory_id, 0.0) + weight / (k + n + 1)
            return sorted(scores, key=lambda m: -scores[m])

        return rank

    def linear(qn: int) -> list[str]:
        mixed = rerank.WEIGHT * similarity[:, qn].astype(np.float64)
        if lexical[qn]:
            best = lexical[qn][0][1]
            for memory_id, score in lexical[qn]:
                mixed[row_of[memory_id]] += (1 - rerank.WEIGHT) * score / best
        return [ids[i] for i in np.argsort(-mixed)[: retrieval.TOP]]

    def reranked(qn: int) -> list[str]:
        head = lexical[qn][: rerank.DEPTH]
        if not head:
            return []
        best = head[0][1]
        mixed = [
            (1 - rerank.WEIGHT) * score + rerank.WEIGHT * best * float(similarity[row_of[m], qn])
            for m, score in head
        ]
        order = sorted(range(len(head)), key=lambda n: -mixed[n])
        return [head[n][0] for n in order]

    methods: list[tuple[str, Callable[[int], list[str]]]] = [
        ("gitmem (lexical)", lexical_only),
        ("similarity alone (dense search)", dense),
        ("reciprocal rank fusion, k 60, dense weight 1", rrf(60, 1.0)),
        ("reciprocal rank fusion, k 60, dense weight 0.5", rrf(60, 0.5)),
        ("reciprocal rank fusion, k 10, dense weight 0.5", rrf(10, 0.5)),
        (f"linear mix over every memory ({rerank.WEIGHT} x cosine)", linear),
        (f"re-rank gitmem's top {rerank.DEPTH} (the extra)", reranked),
    ]
    print(f"## {name}: {len(questions)} questions over {len(corpus):,} memories\n")
    print(f"Embedding: {per_memory:.0f} µs of CPU per memory.\n")
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
    args = parser.parse_args()
    if not model.installed():
        print("needs the semantic extra: pip install -e '.[semantic]'", file=sys.stderr)
        return 1
    for name in retrieval.SETS if args.set == "all" else [args.set]:
        run(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
