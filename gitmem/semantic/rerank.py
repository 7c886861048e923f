"""Mixing the lexical ranking with embedding similarity.

Measured on three question sets (bench/retrieval.py, bench/semantic_fusion.py;
bench/RESULTS-retrieval.md): with all-MiniLM-L6-v2, re-ranking the lexical top DEPTH ranks
within 1-3 questions of fusing the similarity over every record (reciprocal rank fusion, linear
mixes, the re-rank over the union of the lexical and dense top K), none of which reaches 90%
at 3 on any set, and which would need every record's vector built and stored (5-13 ms of CPU
per record). So only the best DEPTH lexical hits are embedded, at query time, and no vectors
are stored. The similarity gets most of the weight: the model ranks paraphrases better than
BM25F does on the held-out sets, and the lexical share keeps exact-word matches in front among
near-equal meanings.

Under "auto", a model that cannot be loaded or run (`model.failure`) leaves searches lexical
rather than failing them: said once, as a warning on the `gitmem.semantic` logger (stderr in
the MCP server and `git mem serve`, which configure no logging), and not tried again until the
model's file (or numpy's, onnxruntime's, tokenizers') changes. Under "on" it stays the
search's error.
"""

from __future__ import annotations

import logging
import threading

from gitmem.errors import UsageError
from gitmem.output import safe
from gitmem.semantic import may_rerank, model

DEPTH = 20  # lexical hits re-ranked (the rest keep their order below them)
WEIGHT = 0.8  # of the cosine similarity; the lexical score, scaled to the best, has the rest
BODY_CHARS = 1000  # of a record's body embedded with its title
LOG = logging.getLogger("gitmem.semantic")
# The model's failure last warned about, and which recorded failure it was: said once, and
# again if the file changed and still fails (a reinstall that did not help).
_told: list[tuple[str, int]] = []
_telling = threading.Lock()  # two searches failing at once (a server's threads): said once


class Mixer:
    """`search.engine.Rerank`: the best `depth` hits' scores mixed with their similarity.
    `fallback` ("auto"): if the model cannot be loaded or run, the scores unchanged (the
    lexical order: `whoosh_search` sorts them stably) and a warning, instead of an error."""

    def __init__(self, depth: int = DEPTH, *, fallback: bool = False) -> None:
        self.depth = depth
        self.fallback = fallback

    def __call__(self, question: str, scores: list[float], texts: list[str]) -> list[float]:
        if not self.fallback:
            return mixed(question, scores, texts)
        try:
            return mixed(question, scores, texts)
        except UsageError as error:  # (a load that failed, now or before: `model.embedder`)
            failure = error
        except Exception as error:  # (running it: a broken numpy or onnxruntime)
            failure = model.failed_to_run(error)
        said = str(failure)  # (each search gets its own exception: compared by what it says)
        which = (said, model.failures())
        with _telling:
            if which in _told:
                return scores
            _told[:] = [which]
        LOG.warning(
            "git-mem: warning: semantic re-ranking is off, searches rank lexically until "
            "the model is fixed: %s",
            safe(said),
        )
        return scores


def reranker(mode: str, *, resident: bool = False) -> Mixer | None:
    """The re-ranking `mode` asks for: "off" none; "auto" in a `resident` (long-lived) process
    when the extra is installed; "on" always (a search then fails with a UsageError without
    the extra). Under "auto", a model that failed to load or run (`model.failure`): None.
    Cheap: nothing is loaded or imported.

    Why "auto" leaves one-shot commands lexical: loading the model costs ~300 ms of CPU
    (numpy, onnxruntime's session, the checksum) and re-ranking 20 new hits ~300-450 ms more,
    in every `git mem search`, against ~10-30 ms for the lexical search. The MCP server and `git mem
    serve` load it once. The index service does not count as resident: it answers the CLI's
    commands, which must rank the same whether it is running or not."""
    if not may_rerank(mode, resident=resident) or (mode == "auto" and not model.installed()):
        return None
    if mode == "auto":
        # A model that failed (said once, by the search that found it): lexical, as "off",
        # until its file or a library's changes.
        return None if model.failure() is not None else Mixer(fallback=True)
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
