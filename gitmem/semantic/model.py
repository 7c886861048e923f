"""wordllama's token embeddings, read from the installed package's own files.

The tokenizer (a Hugging Face `tokenizers` JSON) and the embedding matrix (32,000 x 256
float16 in a safetensors file) ship inside the wordllama wheel. The matrix is mapped, not
read: a question touches only its tokens' rows. A text's vector is the mean of its tokens'
vectors, normalised (wordllama's own pooling), so a dot product is a cosine similarity.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import struct
from pathlib import Path
from typing import Any

from gitmem.errors import UsageError

TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TENSOR = "embedding.weight"
DTYPES = {"F16": "<f2", "F32": "<f4"}
MISSING = "[search] semantic = \"on\" needs the semantic extra: pip install 'gitmem[semantic]'"


def package_dir() -> Path | None:
    """Where the wordllama package is installed (found, not imported), or None."""
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed() -> bool:
    """Whether the extra is installed: wordllama's files, numpy and tokenizers."""
    return _complete(package_dir())


def _complete(base: Path | None) -> bool:
    """Whether wordllama at `base` has its files, and numpy and tokenizers are installed."""
    if base is None or not (base / TOKENIZER).is_file() or not (base / WEIGHTS).is_file():
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("numpy", "tokenizers"))


class Embedder:
    def __init__(self, base: Path) -> None:
        import numpy as np
        from tokenizers import Tokenizer

        self._np = np
        self._tokenizer = Tokenizer.from_file(str(base / TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._matrix = _mapped_tensor(base / WEIGHTS, TENSOR)

    def embed(self, texts: list[str]) -> Any:
        """One unit vector (float32) per text, as rows; a text with no tokens: zeros."""
        np = self._np
        rows, width = self._matrix.shape
        out = np.zeros((len(texts), width), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        for n, encoding in enumerate(encoded):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            if ids.size:
                np.clip(ids, 0, rows - 1, out=ids)
                out[n] = self._matrix[ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


@functools.cache
def embedder() -> Embedder:
    """The process's embedder (loaded once: a long-lived process keeps it)."""
    base = package_dir()
    if base is None or not _complete(base):
        raise UsageError(MISSING)
    try:
        return Embedder(base)
    except Exception as error:  # (a damaged install: any error of numpy or tokenizers)
        raise UsageError(f"semantic model in {base}: cannot be read ({error})") from None


def _mapped_tensor(path: Path, name: str) -> Any:
    """Tensor `name` of a safetensors file, memory-mapped: an 8-byte little-endian header
    length, a JSON header (dtype, shape, data offsets), then the raw data."""
    import numpy as np

    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    entry = header[name]
    begin, end = entry["data_offsets"]
    dtype = np.dtype(DTYPES[entry["dtype"]])
    shape = tuple(entry["shape"])
    if end - begin != dtype.itemsize * int(np.prod(shape)):
        raise ValueError(f"{name}: {end - begin} bytes for shape {shape}")
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + begin, shape=shape)
