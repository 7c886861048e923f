"""The Whoosh engine (`engine.Engine`): an index directory of Whoosh's own format.

Importing this module loads neither Whoosh (~140 ms) nor `engine.py`: checking an index is
current only lists its directory; building, updating and opening import the modules that do.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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

        with whoosh_write.open_index(path).searcher() as searcher:
            yield WhooshReader(searcher, superseded)

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
