"""One module per `git mem` subcommand, each with `run(args) -> int`.

Owns orchestration only: parse what the parser left, call the domain packages, print through
`output` (`emit` for the JSON-or-human branch) and return the exit code; the logic lives in the
packages below. Nothing below imports it; it must not import `gitmem.main` (the console
script), and this `__init__` stays cheap: the commit hook imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.records.store import Store

# The index service (gitmem.daemon) runs commands in process for its clients: around each
# request it sets how to get that work tree's warm store, and `open_store` returns it.
WARM_STORE: ContextVar[Callable[[], Store] | None] = ContextVar("WARM_STORE", default=None)
_opened: list[Store] = []  # the last store opened in this process (how big the repository is)


def open_store(*, reading: bool = False) -> Store:
    """The store of the repository git finds from here, reporting to the terminal (in the
    index service: the request's warm store).

    `reading`: the command reads `.memory/` before it writes anything there (show, list,
    search): git is asked what changed at once, and stats the work tree while this process
    loads the store and the index (`worktree.start`)."""
    warm = WARM_STORE.get()
    if warm is not None:
        return warm()
    # Imported here: hooks import this package and must not pay for the store's imports.
    from gitmem.store import git

    repo = git.discover()
    if reading and repo.work_tree is not None:
        from gitmem.search import worktree

        worktree.start(repo, repo.work_tree / ".memory")
    from gitmem.output import notice, progress_bar
    from gitmem.records.store import Store

    store = Store(repo, progress=progress_bar, notify=notice)
    _opened[:] = [store]
    return store


def opened_records() -> int | None:
    """How many records the last store opened in process found (None: it read no catalog);
    the service client asks, to start the service for a large repository."""
    if not _opened:
        return None
    catalog = _opened.pop()._catalog  # read only if the command read it
    return catalog.count if catalog is not None else None
