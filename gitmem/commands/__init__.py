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


def open_store() -> Store:
    """The store of the repository git finds from here, reporting to the terminal."""
    # Imported here: hooks import this package and must not pay for the store's imports.
    from gitmem.output import notice, progress_bar
    from gitmem.records.store import Store
    from gitmem.store import git

    return Store(git.discover(), progress=progress_bar, notify=notice)
