"""Mixing the lexical ranking with embedding similarity.

Measured on three question sets (bench/retrieval.py; bench/RESULTS-retrieval.md): fusing the
similarity over every record (a linear mix or reciprocal rank fusion) ranked no better than
re-ranking the lexical top DEPTH, and plain similarity alone ranked far worse than BM25F. So
only the best DEPTH lexical hits are embedded, at query time (a few milliseconds), and no
vectors are stored.
"""

from __future__ import annotations

from gitmem.errors import UsageError
from gitmem.semantic import MODES, model

DEPTH = 20  # lexical hits re-ranked (the rest keep their order below them)
WEIGHT = 0.35  # of the cosine similarity; the lexical score, scaled to the best, has the rest
BODY_CHARS = 1000  # of a record's body embedded with its title


class Mixer:
    """`search.engine.Rerank`: the best `depth` hits' scores mixed with their similarity."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth

    def __call__(self, question: str, scores: list[float], texts: list[str]) -> list[float]:
        return mixed(question, scores, texts)


def reranker(mode: str) -> Mixer | None:
    """The re-ranking `mode` asks for: "off" none; "auto" when the extra is installed; "on"
    always (a search then fails with a UsageError without the extra). Cheap: nothing is
    loaded or imported."""
    if mode not in MODES:
        raise UsageError(f"[search] semantic must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off" or (mode == "auto" and not model.installed()):
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
