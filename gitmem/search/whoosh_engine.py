"""The Whoosh engine (`engine.Engine`): an index directory of Whoosh's own format.

Importing this module loads neither Whoosh (~140 ms) nor `engine.py`: checking an index is
current only lists its directory; building, updating and opening import the modules that do.
"""

from __future__ import annotations

import contextlib
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

        kept = path.parent / RELATED
        held = _load_table(kept, self.version)
        with whoosh_write.open_index(path).searcher() as searcher:
            yield WhooshReader(searcher, superseded)
        _save_table(kept, self.version, held)

    def load(self) -> None:
        from gitmem.search import whoosh_reader, whoosh_write  # noqa: F401 - what `open` uses

    def keep_open(self, path: Path) -> KeptWhoosh:
        from gitmem.search import whoosh_write

        _load_table(path.parent / RELATED, self.version)  # (a one-shot search kept it)
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


# ------------------------------------------------------------- the related-terms table

# Beside the index (its root): the related-terms table as this analysis builds it
# (`related.known`). A one-shot search would otherwise stem its ~500 words and build it
# (~5 ms); reading it is ~0.3 ms. (A search's other words are a few dozen: `snippets` stems
# only the words that can be a matched term. Stems kept here before cost more to read than
# they saved.) Derived: dropped when unreadable, damaged (its checksum), of another
# analysis (`version`) or of another text of the table.
RELATED = "related-table"
_FORMER = "stems"  # (the stem cache that was kept here: removed when the table is kept)

# The file learnt last (its stat and version) and whether it held the table: one slot,
# replaced whole, so a thread reading it never sees it half-changed (`serve` opens the
# index in worker threads).
_LEARNT: list[tuple[object, bool]] = [(None, False)]


def _load_table(path: Path, version: int) -> bool:
    """Learn the related-terms table kept at `path`; whether there was one of this analysis
    and text. The same file (same inode, size and modification time) learnt before by this
    process is not read again."""
    import zlib

    from gitmem.search import index, related

    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, version)
    learnt, held = _LEARNT[0]
    if learnt == key:
        return held
    _LEARNT[0] = (None, False)
    try:
        # (The checksum vouches for the payload: no check of each of its members.)
        kept_version, checksum, payload = marshal.loads(path.read_bytes())
        if kept_version != version or type(payload) is not bytes:
            return False
        if zlib.crc32(payload) != checksum:
            return False
        signature, members = marshal.loads(payload)
    except (OSError, ValueError, EOFError, TypeError):
        return False
    held = related.learn(index.token_terms, signature, members)
    _LEARNT[0] = (key, held)
    return held


def _save_table(path: Path, version: int, held: bool) -> None:
    """Keep the table this process built at `path` when the file did not hold it."""
    import zlib

    from gitmem.search import index, related
    from gitmem.store.files import atomic_write

    table = related.known(index.token_terms)
    if held or table is None:
        return
    payload = marshal.dumps(table)
    with contextlib.suppress(OSError):  # a read-only repository still answers
        data = marshal.dumps((version, zlib.crc32(payload), payload))
        atomic_write(path, data, durable=False)
        (path.parent / _FORMER).unlink(missing_ok=True)
