"""One module per `git mem` subcommand, each with `run(args) -> int`."""

from __future__ import annotations

from gitmem import git
from gitmem.output import progress_bar, warn
from gitmem.store import Store


def open_store() -> Store:
    """The store of the repository git finds from here, reporting to the terminal."""
    return Store(git.discover(), progress=progress_bar, notify=warn)
