"""Mixing the lexical ranking with embedding similarity.

Measured on three question sets (bench/retrieval.py, bench/semantic_fusion.py;
bench/RESULTS-retrieval.md): with all-MiniLM-L6-v2, re-ranking the lexical top DEPTH ranks as
well as fusing the similarity over every record (reciprocal rank fusion, a linear mix), which
would need every record's vector built and stored (~6-9 ms of CPU per record). So only the
best DEPTH lexical hits are embedded, at query time, and no vectors are stored. The similarity
gets most of the weight: the model ranks paraphrases better than BM25F does on the held-out
sets, and the lexical share keeps exact-word matches in front among near-equal meanings.
"""

from __future__ import annotations

from gitmem.errors import UsageError
from gitmem.semantic import MODES, model

DEPTH = 20  # lexical hits re-ranked (the rest keep their order below them)
WEIGHT = 0.8  # of the cosine similarity; the lexical score, scaled to the best, has the rest
BODY_CHARS = 1000  # of a record's body embedded with its title


class Mixer:
    """`search.engine.Rerank`: the best `depth` hits' scores mixed with their similarity."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth

    def __call__(self, question: str, scores: list[float], texts: list[str]) -> list[float]:
        return mixed(question, scores, texts)


def reranker(mode: str, *, resident: bool = False) -> Mixer | None:
    """The re-ranking `mode` asks for: "off" none; "auto" in a `resident` (long-lived) process
    when the extra is installed; "on" always (a search then fails with a UsageError without
    the extra). Cheap: nothing is loaded or imported.

    Why "auto" leaves one-shot commands lexical: loading the model costs ~300 ms of CPU
    (numpy, onnxruntime's session, the checksum) and re-ranking 20 new hits ~300-450 ms more,
    in every `git mem search`, against ~10-30 ms for the lexical search. The MCP server and `git mem
    serve` load it once. The index service does not count as resident: it answers the CLI's
    commands, which must rank the same whether it is running or not."""
    if mode not in MODES:
        raise UsageError(f"[search] semantic must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off" or (mode == "auto" and not (resident and model.installed())):
        return None
    # "on" without the extra: the first search that re-ranks says so (`model.embedder`), not
    # `list` or `show`, which never re-rank. The model is loaded then too, not here.
    return Mixer()


def mixed(question: str, scores: list[float], texts: list[str]) -> list[float]:
    """(1 - WEIGHT) x the lexical score + WEIGHT x the best score x the cosine similarity of
    the question and each text: the lexical scale is kept, so scores stay comparable."""
    if not scores:
        return []
    best = max(scores) or 1.0
    vectors = model.embedder().embed([question, *(text[:BODY_CHARS] for text in texts)])
    similarity = vectors[1:] @ vectors[0]
    return [
        (1 - WEIGHT) * score + WEIGHT * best * float(cosine)
        for score, cosine in zip(scores, similarity, strict=True)
    ]
