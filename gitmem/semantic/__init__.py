"""Semantic re-ranking: the optional `semantic` extra (`pip install 'gitmem[semantic]'`).

A question and the best few records of the lexical ranking (BM25F with coordination, in
`search.whoosh_search`) are embedded with wordllama's static token embeddings (256 dimensions,
bundled with the package: nothing is downloaded, ever) and the two scores are mixed
(`rerank`). Without the extra, or with `[search] semantic = "off"`, searching is exactly the
lexical ranking. `model` reads wordllama's files itself (tokenizer JSON, safetensors weights
mapped from disk) rather than importing wordllama, whose import pulls in pydantic and requests
and whose loader may download; numpy and tokenizers are the only libraries imported, and only
here, only when a search re-ranks.

Owns: finding and reading the model (`model`), mixing the scores (`rerank`: `Mixer`, the
`search.engine.Rerank` that `records.store` hands the index's reader). It must not import the
search engine (Whoosh) or anything above tier 2; nothing else may import numpy or tokenizers.
"""

from __future__ import annotations

from gitmem.store.config import SEMANTIC_MODES as MODES

__all__ = ["MODES"]
