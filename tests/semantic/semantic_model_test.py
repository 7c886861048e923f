"""The semantic extra's model and mixer (gitmem/semantic/): wordllama's own files read without
importing wordllama, unit vectors, the similarity it is for, and the modes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gitmem.errors import UsageError
from gitmem.semantic import model, rerank

pytestmark = pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")

QUESTION = "how long do login sessions live?"
EXPIRY = (
    "Login sessions expire after thirty days\n"
    "After a month without activity the user signs in again."
)
STORAGE = "Login sessions are stored in Redis\nKept in a Redis hash, one per user."


def test_texts_embed_as_unit_vectors_and_an_empty_text_as_zeros() -> None:
    import numpy as np

    vectors = model.embedder().embed([QUESTION, EXPIRY, ""])
    assert vectors.shape == (3, 256)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()


def test_a_paraphrase_is_nearer_than_a_text_sharing_the_words() -> None:
    question, expiry, storage = model.embedder().embed([QUESTION, EXPIRY, STORAGE])
    assert float(question @ expiry) > float(question @ storage)


def test_the_mix_keeps_the_lexical_scale() -> None:
    question, expiry, storage = model.embedder().embed([QUESTION, EXPIRY, STORAGE])
    mixed = rerank.mixed(QUESTION, [2.0, 1.0], [STORAGE, EXPIRY])
    w = rerank.WEIGHT
    assert mixed == pytest.approx(
        [
            (1 - w) * 2.0 + w * 2.0 * float(question @ storage),
            (1 - w) * 1.0 + w * 2.0 * float(question @ expiry),
        ],
        rel=1e-5,
    )
    assert rerank.mixed(QUESTION, [], []) == []


def test_modes() -> None:
    assert rerank.reranker("off") is None
    auto = rerank.reranker("auto")
    assert isinstance(auto, rerank.Mixer) and auto.depth == rerank.DEPTH
    assert isinstance(rerank.reranker("on"), rerank.Mixer)
    with pytest.raises(UsageError) as raised:
        rerank.reranker("sometimes")
    assert str(raised.value) == "[search] semantic must be one of auto, on, off, not 'sometimes'"


def test_embedding_imports_neither_wordllama_nor_an_http_client() -> None:
    """wordllama's loader can download from Hugging Face; ours reads the wheel's files only."""
    code = (
        "import sys; from gitmem.semantic import model; model.embedder().embed(['x']);"
        "print(sorted(m for m in ('wordllama', 'requests', 'urllib3', 'pydantic')"
        " if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
