"""What a long-lived process (the index service, `serve`, the MCP server) keeps between
queries, bounded: least recently used dropped first, under a lock (`serve` answers from
several threads). A one-shot process fills it once and exits."""

from __future__ import annotations

import _thread
from collections import OrderedDict
from collections.abc import Callable, Hashable

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Generic, TypeVar

    K = TypeVar("K", bound=Hashable)
    V = TypeVar("V")
    D = TypeVar("D")
else:  # `Kept[K, V]` is for mypy: at run time, a plain class
    K = V = D = None
    Generic = {(None, None): object}


def _one(_value: object) -> int:
    return 1


class Kept(Generic[K, V]):
    """At most `limit` of `weight` in all (by default: entries), always at least the newest."""

    def __init__(self, limit: int, weight: Callable[[V], int] = _one) -> None:
        self.limit = limit
        self._weight = weight
        self.held = 0
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._lock = _thread.allocate_lock()  # (threading.Lock itself, without `threading`)

    def get(self, key: K, default: V | D | None = None) -> V | D | None:
        with self._lock:
            if key not in self._kept:
                return default
            self._kept.move_to_end(key)
            return self._kept[key]

    def put(self, key: K, value: V) -> None:
        """Keep `value` (a key kept already keeps its value: the same, computed again)."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return
            self._kept[key] = value
            self.held += self._weight(value)
            while self.held > self.limit and len(self._kept) > 1:
                _key, dropped = self._kept.popitem(last=False)
                self.held -= self._weight(dropped)
