"""One repository kept open for many reads: fresh on every call, warm between calls.

The MCP server, `git mem serve` and the index service live for hours and answer many requests.
A `Store` per request would re-do everything a one-shot command does: ask git which `.memory/`
files may have changed (`search.worktree.probe`: git stats every tracked file), open the
manifest, open the index. A `WarmRepo` keeps instead, between requests:

- a file watcher on `.memory/` (`search.watch`): a request drains the kernel's queue of events
  and hands the paths named there to `refresh.refresh` (`changed`), which looks only at those;
  the notes ref's tip is read on every request (`refresh._notes_tip`: its file, no git);
- the manifest's SQLite connection (reopened when the file is replaced);
- the index's searcher (`Engine.keep_open`), reopened when the index directory or its
  generation changes (another process's `reindex`, a rebuild, an update), and used by one
  request at a time;
- whether the clone was adopted and the fetched notes merged: done again only when git's
  config, `packed-refs` or the fetched notes refs change (their stat data, read per request).

Whenever the watcher cannot vouch for what changed (none on this platform, the watch limit,
a queue overflow, `.memory` or the work tree replaced, a folder moved), the request asks git
as a one-shot command does and a new watcher is started: correct, slower, and said in the
`gitmem.warm` debug log and in `status()`. `GITMEM_WATCH=0` turns the watcher off (a
file system whose changes inotify does not see, such as NFS written from another machine).

Requests may come from several threads: refreshes and index reads are serialised by a lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmem.errors import GitMemError
from gitmem.records.store import ProgressBar, Store
from gitmem.search import catalog as catalog_module
from gitmem.search import refresh
from gitmem.search.reach import tips_key
from gitmem.store import git, initialize, integrate

if TYPE_CHECKING:
    from gitmem.search.engine import KeptIndex, Reader
    from gitmem.search.watch import Watcher

LOG = logging.getLogger("gitmem.warm")
RETRY_S = 30.0  # how long after failing to start a watcher the next try waits
Identity = tuple[int, int, int, int]  # inode, device, mtime_ns, size


def _identity(path: Path) -> Identity | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_dev, stat.st_mtime_ns, stat.st_size)


def _refs_identity(repo: git.RepoInfo) -> tuple[Any, ...]:
    """What `adopt_clone` and `merge_fetched` read, by stat data: git's config, packed refs
    and the fetched notes refs (git replaces each such file when it writes it)."""
    parts: list[Any] = [_identity(repo.common_dir / "config")]
    parts.append(_identity(repo.common_dir / "packed-refs"))
    stack = [repo.common_dir / integrate.TRACKING_PREFIX]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                parts.append((entry.path, _identity(Path(entry.path))))
    return tuple(parts)


class WarmRepo:
    """One repository kept open for many reads (the MCP server, `git mem serve`, the index
    service): fresh on every call, warm between calls."""

    def __init__(self, repo: git.RepoInfo) -> None:
        self.repo = repo
        self._lock = threading.RLock()
        self._watcher: Watcher | None = None
        self._synced = False  # the manifest was refreshed since the watcher started
        self._pending: set[str] = set()  # paths seen changed, not yet applied by a refresh
        self._retry_at = 0.0
        self._con: sqlite3.Connection | None = None
        self._con_identity: tuple[int, int] | None = None
        self._kept: KeptIndex | None = None
        self._kept_dir: Path | None = None
        self._refs: tuple[Any, ...] | None = None
        self._tips: tuple[bytes, tuple[str | None, str | None]] | None = None
        self._closed = False
        # Why the last request asked git rather than the watcher ("" when it did not).
        self.fallback = ""

    def store(
        self,
        notify: Callable[[str], None] | None = None,
        progress: ProgressBar | None = None,
        *,
        resident: bool = False,
    ) -> Store:
        """A Store for one request. Its catalog() reflects every change made before this call
        (.memory/ files, the notes ref, git's index, a branch switch, config.toml) and costs
        what changed, not the repository's size; the index reader it opens stays open between
        calls and is reopened when the index changes. `resident`: as `Store`'s (the MCP
        server and `git mem serve`; not the index service, which answers the CLI's commands
        as they would answer themselves)."""
        return WarmStore(self, notify=notify, progress=progress, resident=resident)

    def close(self) -> None:
        """Stop watching and close what is open; idempotent."""
        with self._lock:
            self._closed = True
            self._stop_watching()
            self._drop_reader()
            if self._con is not None:
                self._con.close()
                self._con = None

    def status(self) -> dict[str, Any]:
        """How the last request was answered, for `service status` and debugging."""
        with self._lock:
            return {
                "watching": self._watcher is not None and self._synced,
                "fallback": self.fallback,
                "reader_open": self._kept is not None,
            }

    # ------------------------------------------------------------------ one request

    def catalog(
        self,
        types: list[str],
        notify: Callable[[str], None] | None,
        progress: catalog_module.Progress | None,
        *,
        wait: bool = False,
        full: bool = False,
    ) -> catalog_module.Catalog:
        """The catalog, refreshed with what changed since the last request (see `Store.catalog`)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this WarmRepo is closed")
            if not self.repo.git_dir.is_dir():
                self._lost("the repository is gone")
                where = self.repo.work_tree or self.repo.git_dir
                raise GitMemError(
                    f"the repository {where} was moved or deleted since this server started; "
                    "start it again where the repository is"
                )
            refs = _refs_identity(self.repo)
            if refs != self._refs:
                lines = [*initialize.adopt_clone(self.repo), *integrate.merge_fetched(self.repo)]
                for line in lines:
                    if notify is not None:
                        notify(line)
                self._refs = _refs_identity(self.repo)  # the merge moved a ref itself
            changed = self._changed()
            if wait or full:
                self._drop_reader()
            found = refresh.refresh(
                self.repo,
                self._memory_dir(),
                types,
                wait=wait,
                full=full,
                progress=progress,
                changed=changed,
                con=self._manifest(),
            )
            if found.checked:
                self._pending.clear()
                self._synced = self._watcher is not None
            generation = found.generation if found.checked else None
            found.opener = lambda path, superseded: self._open(path, superseded, generation)
            found.project_tips = self._project_tips
            return found

    def _project_tips(self) -> tuple[str | None, str | None]:
        """`git.project_tips`, asked again only when the ref files it reads changed."""
        with self._lock:
            key = tips_key(self.repo)
            if key is not None and self._tips is not None and self._tips[0] == key:
                return self._tips[1]
            tips = git.project_tips(self.repo)
            if key is not None and key == tips_key(self.repo):  # not moved meanwhile
                self._tips = (key, tips)
            return tips

    def _memory_dir(self) -> Path | None:
        return self.repo.work_tree / ".memory" if self.repo.work_tree else None

    def _changed(self) -> set[str] | None:
        """The paths to look at (the watcher's), or None: ask git (and say why)."""
        reason, self.fallback = self.fallback, ""
        if self._watcher is not None:
            seen = self._watcher.changed()
            if seen is None:
                self._lost("the watcher lost track (overflow, .memory replaced, a folder moved)")
            elif self._synced:
                self._pending |= seen
                return set(self._pending)
            # Started since the last refresh: that refresh (asking git) covers what it saw.
        if self._watcher is None:
            self._start(reason)
        return None

    def _start(self, reason: str) -> None:
        """Start watching (before the refresh that asks git, so nothing falls between).
        `reason`: why the last request asked git (said again while retrying is not due)."""
        self._pending.clear()
        self._synced = False
        if os.environ.get("GITMEM_WATCH", "") == "0":
            self._note("GITMEM_WATCH=0")
            return
        if self.repo.work_tree is None:
            self._note("no work tree")
            return
        if time.monotonic() < self._retry_at:
            self.fallback = reason
            return
        from gitmem.search.watch import Unavailable, Watcher

        try:
            self._watcher = Watcher(self.repo.work_tree)
        except Unavailable as error:
            self._retry_at = time.monotonic() + RETRY_S
            self._note(str(error))
            return
        if not self.fallback:
            self.fallback = "the watcher started: this request asked git"
        LOG.debug("watching %s", self.repo.work_tree)

    def _lost(self, why: str) -> None:
        self._stop_watching()
        self._note(why)

    def _note(self, why: str) -> None:
        LOG.debug("asking git instead of the watcher: %s", why)
        self.fallback = why

    def _stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        self._synced = False

    def _manifest(self) -> sqlite3.Connection:
        """The manifest's connection, reopened when the file was replaced or removed."""
        path = catalog_module.index_root(self.repo) / catalog_module.MANIFEST
        try:
            stat = os.stat(path)
            identity: tuple[int, int] | None = (stat.st_ino, stat.st_dev)
        except OSError:
            identity = None
        if self._con is None or identity is None or identity != self._con_identity:
            if self._con is not None:
                self._con.close()
            self._con = catalog_module.open_manifest(self.repo)
            opened = _identity(path)
            self._con_identity = None if opened is None else opened[:2]
        return self._con

    # ------------------------------------------------------------------ the index

    @contextlib.contextmanager
    def _open(self, index_dir: Path, superseded: set[str], generation: object) -> Iterator[Reader]:
        """The kept reader of `index_dir` at `generation` (the catalog's; opened again when
        the index moved on), for one request at a time."""
        with self._lock:
            try:
                if (
                    self._kept is None
                    or self._kept_dir != index_dir
                    or self._kept.generation != generation
                ):
                    self._drop_reader()
                    self._kept = catalog_module.ENGINE.keep_open(index_dir)
                    self._kept_dir = index_dir
                yield self._kept.reader(superseded)
            except GitMemError:
                raise
            except BaseException:
                self._drop_reader()  # damaged or replaced: the retry opens it again
                raise

    def _drop_reader(self) -> None:
        if self._kept is not None:
            with contextlib.suppress(Exception):
                self._kept.close()
            self._kept = None
            self._kept_dir = None


class WarmStore(Store):
    """A `Store` whose catalog comes from its `WarmRepo` (one per request, as any Store)."""

    def __init__(
        self,
        warm: WarmRepo,
        notify: Callable[[str], None] | None = None,
        progress: ProgressBar | None = None,
        *,
        resident: bool = False,
    ) -> None:
        super().__init__(warm.repo, progress=progress, notify=notify, resident=resident)
        self._warm = warm

    def _adopt(self) -> None:
        pass  # the WarmRepo adopts and merges in its own catalog(), once per request

    def _refreshed(
        self, types: list[str], progress: catalog_module.Progress | None, *, wait: bool, full: bool
    ) -> catalog_module.Catalog:
        return self._warm.catalog(types, self._notify, progress, wait=wait, full=full)
