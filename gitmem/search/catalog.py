"""What records exist where, kept in step with the search index: the catalog a read asks.

Derived state under `<common-dir>/gitmem/index/<worktree>/`: the manifest (`manifest.py`, an
SQLite database) of what the search index (`engine.py`) was built from, and the index itself.
`refresh.py` brings both up to date before a read command answers and hands it a `Catalog`.
Resolving an id prefix queries the manifest's rows for that prefix, so `show` never opens the
index (nor loads the engine) unless something changed.

Delete it at any time. A missing, damaged, other-version or half-written index is rebuilt; a
process that finds another one updating the index answers from the last committed state rather
than waiting; a process killed half-way leaves a state the next one detects and rebuilds.
"""

from __future__ import annotations

import _sqlite3 as sqlite3  # without datetime: see manifest.py
import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from gitmem.search import manifest, reach, worktree
from gitmem.search.changes import Changes, Problem, Row
from gitmem.search.whoosh_engine import WhooshEngine
from gitmem.store import git

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any

    from gitmem.search.engine import Engine, Reader, Rerank

VERSION = 4  # of the manifest
MANIFEST = "manifest"
Progress = Callable[[int, int], None]
Opener = Callable[[Path, set[str]], AbstractContextManager["Reader"]]
# The search engine (`engine.Engine`). Its module loads Whoosh only to build, update or open an
# index, and `engine.py` (only types) is not imported here: `show` and the hooks need neither.
ENGINE: Engine = WhooshEngine()
SCHEMA_VERSION = ENGINE.version  # another in the manifest: the index is rebuilt


# ------------------------------------------------------------------------------ catalog


class Catalog:
    """The manifest: where every record lives, what could not be read, and the index.

    A note git copied to the new commit of an amend or rebase (notes.rewriteRef) also stays on
    the old commit; such byte-identical copies are one record, indexed where it was copied to.
    Every question is a query of the manifest's rows, never a load of all of them.
    """

    def __init__(
        self,
        repo: git.RepoInfo,
        root: Path,
        con: sqlite3.Connection,
        meta: dict[str, Any],
        changes: Changes | None = None,
    ) -> None:
        self.repo = repo
        self.root = root
        self._con = con
        self._meta = meta
        # Whether this refresh looked at the files and notes itself (not another process's
        # last committed state, answered while that process held the index).
        self.checked = changes is not None
        # How `open` opens the index: the engine's `open` unless a long-lived process keeps
        # one reader open between requests (`records.warm`).
        self.opener: Opener | None = None
        # What re-ranks plain-word searches (the semantic extra; `records.store` decides),
        # asked when the index is opened: `list` and `show` never open it, nor import
        # `gitmem.semantic` (or look for the extra's files) to learn they would not re-rank.
        self.rerank_of: Callable[[], Rerank | None] | None = None
        # HEAD's and the default branch's commits (`git.project_tips`), when the caller knows
        # them without a git process (`records.warm` caches them by the ref files' bytes).
        self.project_tips: Callable[[], tuple[str | None, str | None]] | None = None
        # `.memory/` files this refresh looked at (stat) and read (changed or racy)
        self.files_checked = changes.checked if changes is not None else 0
        self.files_read = changes.read if changes is not None else 0

    @property
    def index_dir(self) -> Path:
        return self.root / str(self._meta["dir"])

    @property
    def generation(self) -> object:
        """The index's commit this catalog describes (a reader of another is stale)."""
        return self._meta["generation"]

    @property
    def state(self) -> tuple[Any, ...] | None:
        """What identifies the records this catalog describes: every change to them (a file,
        a note, a rebuild) writes the index, a new directory or generation, and moves the
        notes tip when notes moved. None when this refresh did not look itself (another
        process held the index) or no index was written: nothing to key a reuse by."""
        if not self.checked or self._meta.get("generation") is None:
            return None
        return (self._meta.get("dir"), self._meta["generation"], self._meta.get("notes_tip"))

    def open(self) -> AbstractContextManager[Reader]:
        """The index, open for reading; raises (any exception) when missing or damaged."""
        # First: a bad `[search] semantic` is a UsageError, not a damaged index.
        rerank = self.rerank_of() if self.rerank_of is not None else None
        if self.opener is not None:
            opened = self.opener(self.index_dir, self.superseded)
        else:
            opened = ENGINE.open(self.index_dir, self.superseded)
        return opened if rerank is None else _reranking(opened, rerank)

    def find(self, prefix: str) -> list[Row]:
        """`{id, location[, blob, created]}` of every record whose id starts with `prefix`."""
        return manifest.find(self._con, prefix)

    @property
    def warnings(self) -> list[Problem]:
        return [Problem(*problem) for problem in manifest.problems(self._con)]

    @functools.cached_property
    def superseded(self) -> set[str]:
        """Ids some record names in `supersedes`: they read as superseded."""
        return manifest.superseded(self._con)

    @functools.cached_property
    def unmerged(self) -> set[str]:
        """Commits carrying notes that neither HEAD nor the default branch reaches: their
        records are not the project's memory (hidden from reads unless `--all`)."""
        notes_tip = self._meta["notes_tip"]
        tips = self.project_tips() if self.project_tips is not None else None
        return reach.unmerged(self.repo, self.root, notes_tip, manifest.noted(self._con), tips)

    def newest(self, types: list[str]) -> Iterator[Row]:
        """Every record's row (of `types`, or all), newest first (ties: id, descending): as
        the engine's `Reader.records` orders them, read from the manifest as consumed."""
        return manifest.newest(self._con, types)

    def superseding(self) -> Iterator[Row]:
        """The rows of every record that supersedes another (and of the records sharing its
        note) and of every record superseded, newest first: what a decision index needs
        besides the decisions."""
        return manifest.superseding(self._con)

    @property
    def count(self) -> int:
        return manifest.count(self._con)


# ------------------------------------------------------------------------------ manifest


def index_root(repo: git.RepoInfo) -> Path:
    """This worktree's index directory (linked worktrees have their own `.memory/` files)."""
    return worktree.index_root(repo)


@contextlib.contextmanager
def _reranking(opened: AbstractContextManager[Reader], rerank: Rerank) -> Iterator[Reader]:
    with opened as reader:
        reader.rerank = rerank
        yield reader


def open_manifest(repo: git.RepoInfo) -> sqlite3.Connection:
    """This worktree's manifest, for a process that keeps it open between refreshes (pass it
    to `refresh` as `con`)."""
    return open_at(index_root(repo))


def open_at(root: Path) -> sqlite3.Connection:
    """The manifest on disk; in memory when it cannot be (the index write then says why)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        return manifest.open_or_reset(root / MANIFEST)
    except (OSError, sqlite3.Error):
        return manifest.connect(":memory:")
