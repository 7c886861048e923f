"""The re-ranking inside the engine's search, on a real Whoosh index: only the best `depth`
hits move, those below keep their order and score under them, and retired hits stay last."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitmem.search import catalog
from gitmem.search.changes import Document
from gitmem.search.engine import EVERYTHING
from gitmem.semantic import model
from gitmem.semantic.rerank import Mixer

pytestmark = pytest.mark.skipif(not model.installed(), reason="needs the semantic extra")
QUESTION = "how long do login sessions live?"


def record(n: int, title: str, body: str, **fields: Any) -> Document:
    row = {
        "id": f"dddd0000000{n}",
        "type": "fact",
        "title": title,
        "created": f"2026-01-0{n}T10:00:00+00:00",
        "location": f".memory/facts/{n}.md",
        **fields,
    }
    return Document(row, body, 1_767_261_600 + n * 86400)


DOCUMENTS = [
    record(1, "Login sessions are stored in Redis", "Kept in a Redis hash, one per user."),
    record(2, "Login sessions expire after thirty days", "After a month idle, sign in again."),
    record(3, "Page colours", "The login banner is blue."),
    record(4, "Login sessions live in cookies", "Old design.", status="deprecated"),
]
D1, D2, D3, D4 = (d.row["id"] for d in DOCUMENTS)


def search(ix: Path, rerank: Mixer | None) -> list[tuple[str, float]]:
    with catalog.ENGINE.open(ix, set()) as reader:
        reader.rerank = rerank
        hits = reader.search(
            QUESTION,
            EVERYTHING,
            lambda row: True,
            limit=10,
            retired=lambda row: row.get("status") == "deprecated",
        )
    return [(hit.row["id"], hit.score) for hit in hits]


def test_only_the_best_depth_move_and_the_rest_stay_below(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    catalog.ENGINE.build(ix, DOCUMENTS, None)
    lexical = search(ix, None)
    assert [i for i, _ in lexical] == [D1, D2, D3, D4]  # retired last
    mixed = search(ix, Mixer(depth=3))
    assert [i for i, _ in mixed] == [D2, D1, D3, D4]
    scores = [score for _, score in mixed[:3]]
    assert scores == sorted(scores, reverse=True)
    one = search(ix, Mixer(depth=1))  # the best alone: nothing to reorder it against
    assert [i for i, _ in one] == [D1, D2, D3, D4]
    assert one[1][1] <= one[0][1]  # below the re-scored head, order kept
