"""One module per `git mem` subcommand, each with `run(args) -> int`.

Owns orchestration only: parse what the parser left, call the domain packages, print through
`output` (`emit` for the JSON-or-human branch) and return the exit code; the logic lives in the
packages below. Nothing below imports it; it must not import `gitmem.main` (the console
script), and this `__init__` stays cheap: the commit hook imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitmem.records.store import Store


def open_store(*, reading: bool = False) -> Store:
    """The store of the repository git finds from here, reporting to the terminal.

    `reading`: the command reads `.memory/` before it writes anything there (show, list,
    search): git is asked what changed at once, and stats the work tree while this process
    loads the store and the index (`worktree.start`)."""
    # Imported here: hooks import this package and must not pay for the store's imports.
    from gitmem.store import git

    repo = git.discover()
    if reading and repo.work_tree is not None:
        from gitmem.search import worktree

        worktree.start(repo, repo.work_tree / ".memory")
    from gitmem.output import notice, progress_bar
    from gitmem.records.store import Store

    return Store(repo, progress=progress_bar, notify=notice)
