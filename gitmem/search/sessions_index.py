"""The search index of session messages, beside the records' index, kept in step with the
transcripts on `refs/gitmem/sessions` by blob id.

Derived state under `<common-dir>/gitmem/index/sessions/` (one for all worktrees: the ref is
shared): a manifest (the ref's tip, `{session id: blob id}` of the transcripts indexed, the
index directory and generation, the message count) and the Whoosh index (`whoosh_messages`).
`refresh` compares the ref's tip with the manifest's (one `git for-each-ref`); when it moved,
it lists the tree and reads only the transcripts whose blob changed or is new, drops the
messages of changed and removed ones, and adds the new messages, in one writer and one commit.
A re-import or a sync that changes no transcript reads nothing.

This package may not import `sessions`: the domain hands in a `Transcripts` (how to list the
ref and how to turn blobs into messages) and keeps the transcript format its own.

Delete it at any time. A missing, damaged, other-version or half-written index is rebuilt; a
process that finds another one updating it answers from the last committed state.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from gitmem.errors import GitMemError
from gitmem.search.engine import Progress
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.store import git
from gitmem.store.files import atomic_write, try_lock

if TYPE_CHECKING:
    from gitmem.search.messages import MessageDoc, MessageHit

# 1: the first. The records' engine version is part of the key too: the text is analysed by
# `index.py`, and a change there (which bumps it) must rebuild this index as well.
VERSION = 1
READ_BATCH = 32  # transcripts read per `git cat-file --batch`: bounded memory


@dataclass(frozen=True)
class Transcripts:
    """What the sessions domain tells the index about `refs/gitmem/sessions`."""

    tip: str | None  # the ref's commit now
    blobs: Callable[[str], dict[str, str]]  # a tip's {session id: blob id}
    # (session id, blob id) pairs -> each session's messages, in the order given
    messages: Callable[[list[tuple[str, str]]], Iterator[tuple[str, list[MessageDoc]]]]


def root_of(repo: git.RepoInfo) -> Path:
    return repo.state_dir / "index" / "sessions"


def _key() -> list[Any]:
    return [VERSION, WhooshEngine.version, sys.version_info[:2]]


def _load(root: Path) -> dict[str, Any] | None:
    try:
        data = marshal.loads((root / "manifest").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _usable(manifest: dict[str, Any] | None, root: Path) -> TypeGuard[dict[str, Any]]:
    """A manifest of this version whose index is there, at the generation it names."""
    if manifest is None or manifest.get("key") != _key():
        return False
    blobs, count = manifest.get("blobs"), manifest.get("count")
    if not isinstance(blobs, dict) or not isinstance(count, int):
        return False
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in blobs.items()):
        return False
    path = root / str(manifest.get("dir"))
    return WhooshEngine().is_current(path, manifest.get("generation"))


class MessageIndex:
    """The fresh index: how many messages it holds, what this refresh read, and searching."""

    def __init__(self, root: Path, manifest: dict[str, Any], transcripts_read: int = 0) -> None:
        self.root = root
        self._manifest = manifest
        self.transcripts_read = transcripts_read  # changed or new transcripts read to refresh
        self.messages_added = int(manifest.get("added", 0)) if transcripts_read else 0

    @property
    def count(self) -> int:
        """Messages in the index."""
        return int(self._manifest["count"])

    @property
    def sessions(self) -> int:
        return len(self._manifest["blobs"])

    @contextmanager
    def _searcher(self) -> Iterator[Any]:
        from gitmem.search import whoosh_messages

        path = self.root / str(self._manifest["dir"])
        with whoosh_messages.open_index(path).searcher() as searcher:
            yield searcher

    def search(
        self, text: str, *, limit: int, newest: bool = False, match: str = "any"
    ) -> list[MessageHit]:
        """The best `limit` messages for `text`; raises (any exception) on a damaged index."""
        if not self.count:
            return []
        from gitmem.search import whoosh_messages

        with self._searcher() as searcher:
            return whoosh_messages.search(searcher, text, limit=limit, newest=newest, match=match)


def refresh(
    repo: git.RepoInfo,
    source: Transcripts,
    *,
    full: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
) -> MessageIndex:
    """The message index, brought up to date with `source` (see the module docstring).

    `full`: rebuild from scratch. If another process is updating the index, answer from its
    last committed state instead of waiting (unless there is none, `wait` or `full`).
    """
    root = root_of(repo)
    with try_lock(root.parent / "sessions.lock") as acquired:
        if not acquired and not full and not wait:
            current = _load(root)
            if _usable(current, root):
                return MessageIndex(root, current)
        if not acquired:
            acquired.wait()
        return _refresh(root, source, full, progress)


def _refresh(
    root: Path, source: Transcripts, full: bool, progress: Progress | None
) -> MessageIndex:
    old = _load(root)
    fresh = full or not _usable(old, root)
    if not fresh and old is not None and old.get("tip") == source.tip:
        return MessageIndex(root, old)
    now = source.blobs(source.tip) if source.tip is not None else {}
    before: dict[str, str] = {} if fresh or old is None else old["blobs"]
    changed = sorted(sid for sid, oid in now.items() if before.get(sid) != oid)
    dropped = [sid for sid, oid in before.items() if now.get(sid) != oid]  # removed or changed
    if not fresh and old is not None and not changed and not dropped:
        manifest = {**old, "tip": source.tip, "added": 0}
        with contextlib.suppress(OSError):  # a read-only repository still answers
            _save(root, manifest)
        return MessageIndex(root, manifest)
    name = f"ix-{os.urandom(4).hex()}" if fresh or old is None else str(old["dir"])
    try:
        written = _write(root / name, source, now, changed, dropped, fresh, progress)
    except Exception:
        if fresh:
            shutil.rmtree(root / name, ignore_errors=True)
            raise
        # Damaged in a way its table of contents did not show: start over.
        return _refresh(root, source, True, progress)
    manifest = {
        "key": _key(),
        "tip": source.tip,
        "blobs": now,
        "dir": name,
        "generation": written[0],
        "count": written[1],
        "added": written[2],
    }
    try:
        _save(root, manifest)
    except OSError as error:
        raise GitMemError(f"cannot write the session index in {root}: {error.strerror}") from None
    if fresh:  # earlier builds: a reader still using one retries with the new manifest
        for stale in root.glob("ix-*"):
            if stale.name != name:
                shutil.rmtree(stale, ignore_errors=True)
    return MessageIndex(root, manifest, len(changed))


def _write(
    path: Path,
    source: Transcripts,
    now: dict[str, str],
    changed: list[str],
    dropped: list[str],
    fresh: bool,
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Drop and add in one writer; (generation, messages in the index, messages added)."""
    from gitmem.search import whoosh_messages

    incoming = source.messages([(sid, now[sid]) for sid in changed])
    # The first batch of transcripts (one git call reads it anyway) tells how many messages
    # are coming: whether a full build is worth a second writer process.
    first = list(itertools.islice(incoming, READ_BATCH))
    expected = sum(len(messages) for _sid, messages in first) * len(changed) // max(len(first), 1)
    try:
        ix = whoosh_messages.create(path) if fresh else whoosh_messages.open_index(path)
        writer = whoosh_messages.Writer(ix, fresh=fresh, expected=expected)
    except OSError as error:
        raise GitMemError(f"cannot write the session index in {path}: {error.strerror}") from None
    try:
        if not fresh:
            writer.drop(dropped)
        for done, (_sid, messages) in enumerate(itertools.chain(first, incoming), 1):
            writer.add(messages)
            if progress is not None:
                progress(done, len(changed))
    except BaseException:
        writer.cancel()
        raise
    generation = writer.commit()
    with whoosh_messages.open_index(path).searcher() as searcher:
        count = whoosh_messages.count(searcher)
    return generation, count, writer.added


def _save(root: Path, manifest: dict[str, Any]) -> None:
    atomic_write(root / "manifest", marshal.dumps(manifest), durable=False)


def batches(
    pairs: list[tuple[str, str]], size: int = READ_BATCH
) -> Iterator[list[tuple[str, str]]]:
    """`pairs` in slices of `size`: a refresh never holds more than that many transcripts."""
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]
