"""The Whoosh engine (`engine.Engine`): an index directory of Whoosh's own format.

Importing this module loads neither Whoosh (~140 ms) nor `engine.py`: checking an index is
current only lists its directory; building, updating and opening import the modules that do.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.search.changes import Document
    from gitmem.search.engine import Progress, Reader
    from gitmem.search.whoosh_load import Searcher


class WhooshEngine:
    # Bump on any change to the schema or analysis (index.py). 6: the schema class moved from
    # `gitmem.index` to `gitmem.search.index`, a name Whoosh pickles into every index.
    # 7: identifiers indexed whole and as their parts, long tokens not indexed.
    version = 7

    def build(self, path: Path, documents: list[Document], progress: Progress | None) -> int:
        from gitmem.search import whoosh_write

        ix = whoosh_write.create(path)
        return whoosh_write.write(ix, (), documents, fresh=True, progress=progress)

    def update(
        self,
        path: Path,
        removed: Iterable[str],
        added: list[Document],
        progress: Progress | None,
    ) -> int:
        from gitmem.search import whoosh_write

        ix = whoosh_write.open_index(path)
        return whoosh_write.write(ix, removed, added, progress=progress)

    def is_current(self, path: Path, generation: object) -> bool:
        # Whoosh names each commit `_MAIN_<generation>.toc`.
        try:
            names = os.listdir(path)
        except OSError:
            return False
        generations = [
            int(name[6:-4]) for name in names if name.startswith("_MAIN_") and name.endswith(".toc")
        ]
        return bool(generations) and max(generations) == generation

    @contextlib.contextmanager
    def open(self, path: Path, superseded: set[str]) -> Iterator[Reader]:
        from gitmem.search import whoosh_write
        from gitmem.search.whoosh_reader import WhooshReader

        stems = path.parent / STEMS
        known = _load_stems(stems, self.version)
        with whoosh_write.open_index(path).searcher() as searcher:
            yield WhooshReader(searcher, superseded)
        _save_stems(stems, self.version, known)

    def load(self) -> None:
        from gitmem.search import whoosh_reader, whoosh_write  # noqa: F401 - what `open` uses

    def keep_open(self, path: Path) -> KeptWhoosh:
        from gitmem.search import whoosh_write

        return KeptWhoosh(whoosh_write.open_index(path).searcher())


class KeptWhoosh:
    """One searcher kept open (its segments' files and tables read once); a light
    `WhooshReader` over it per request, so what a request caches goes with it."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self.generation: object = searcher.reader().generation()

    def reader(self, superseded: set[str]) -> Reader:
        from gitmem.search.whoosh_reader import WhooshReader

        return WhooshReader(self._searcher, superseded)

    def close(self) -> None:
        self._searcher.close()


# ---------------------------------------------------------------------- the stem cache

# Beside the index (its root): the Snowball stems of the words a process stemmed before, up to
# STEMS_KEPT. A one-shot search stems ~500 words of the related-terms table (~6 ms) and those of
# its queries and snippets; a later one reads them (~0.3 ms per 1,000). Derived: dropped when
# unreadable or of another analysis (`version`).
STEMS = "stems"
STEMS_KEPT = 4_000


# The file learnt last (its stat and version) and its count: one slot, replaced whole, so a
# thread reading it never sees it half-changed (`serve` opens the index in worker threads).
_LEARNT: list[tuple[object, int]] = [(None, -1)]


def _load_stems(path: Path, version: int) -> int:
    """Learn the stems kept at `path`; how many there were (-1: none usable). The same file
    (same inode, size and modification time) learnt before by this process is not read
    again (~1 ms a search, for a process that searches many times)."""
    from gitmem.search import index

    try:
        st = path.stat()
    except OSError:
        return -1
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, version)
    learnt, count = _LEARNT[0]
    if learnt == key:
        return count
    _LEARNT[0] = (None, -1)
    try:
        kept_version, stems = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return -1
    if kept_version != version or not isinstance(stems, dict):
        return -1
    if not all(type(word) is str and type(stem) is str for word, stem in stems.items()):
        return -1
    index.learn_stems(stems)
    _LEARNT[0] = (key, len(stems))
    return len(stems)


def _save_stems(path: Path, version: int, known: int) -> None:
    """Keep this process's stems at `path` when it learnt words the file did not have."""
    from gitmem.search import index
    from gitmem.store.files import atomic_write

    stems = dict(index.stems_known())  # (a copy, made at C speed: `serve`'s threads stem too)
    if known >= STEMS_KEPT or len(stems) <= max(known, 0):
        return
    if len(stems) > STEMS_KEPT:
        stems = dict(itertools.islice(stems.items(), STEMS_KEPT))  # the first: the table's
    with contextlib.suppress(OSError):  # a read-only repository still answers
        atomic_write(path, marshal.dumps((version, stems)), durable=False)
