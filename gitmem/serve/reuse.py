"""Views computed once per repository state and reused while nothing changed.

The decision index and the reports read every record (100k records: 1.3-2.8 s a request, most
of it reading the manifest's rows, decoding and sorting them). A server answers them many times
between changes, so it keeps its answers with the state they were computed at: the catalog's
`state` (the index's directory and generation, the notes tip), HEAD's and the default branch's
commits (what is unmerged, a deploy's lead time) and the configured types. Every request
refreshes the catalog first (`records.warm`), so a change made before it moves that state,
everything kept is dropped and the view is computed again: as fresh as without the reuse; only
the first request after a change pays the whole cost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from gitmem.records.store import Store

T = TypeVar("T")
KEPT = 16  # views kept at one state (a report per window asked for): the oldest go first


def state_of(store: Store) -> Hashable | None:
    """What the views depend on, after this request's refresh; None: do not reuse (the
    refresh did not look itself, or no project tips without a git process)."""
    catalog = store.catalog()
    state = catalog.state
    if state is None or catalog.project_tips is None:
        return None
    return (state, catalog.project_tips(), tuple(store.config.type_names))


class Reuse:
    """The views computed at the current state (one per server, shared by its pages and API)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: Hashable | None = None
        self._kept: dict[Hashable, Any] = {}
        self.computed = 0  # how many times a view was computed (not reused)

    def get(self, store: Store, key: Hashable, compute: Callable[[Store], T]) -> T:
        """`compute(store)`, or its value `key` computed at this same state."""
        state = state_of(store)
        with self._lock:
            if state is None or state != self._state:
                self._kept.clear()  # a change: nothing kept is true any more
                self._state = state
            elif key in self._kept:
                value: T = self._kept[key]
                return value
        value = compute(store)
        self.computed += 1
        # Computed from this request's catalog: at `state` or (another process wrote the
        # manifest meanwhile) newer, which the next request's state then no longer matches.
        if state is not None:
            with self._lock:
                if self._state == state:
                    self._kept[key] = value
                    while len(self._kept) > KEPT:
                        del self._kept[next(iter(self._kept))]
        return value
