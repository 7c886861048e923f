"""publish.Ahead: items taken in a thread up to a limit, the rest when iterated; an error in
the thread is raised to the one iterating."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gitmem.errors import GitMemError
from gitmem.publish.publish import Ahead


def test_every_item_in_order_across_the_limit() -> None:
    assert list(Ahead(iter(range(10)), 3)) == list(range(10))
    assert list(Ahead(iter([]), 3)) == []


def test_an_error_in_the_thread_is_raised_to_the_caller() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise GitMemError(".memory/a.md changed while publishing; run again")

    ahead = Ahead(items(), 5)
    with pytest.raises(GitMemError, match="changed while publishing"):
        list(ahead)
