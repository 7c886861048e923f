"""The second labeller's blind labels (tests/fixtures/capture_second_labels/, read by
bench/capture_agreement.py) label the very commits of the first sample, each with a label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECOND = sorted((FIXTURES / "capture_second_labels").glob("*.jsonl"))
LABELS = {"decision", "fix", "fact", "breaking", "none"}


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_there_are_second_labels() -> None:
    assert len(SECOND) >= 4


@pytest.mark.parametrize("path", SECOND, ids=lambda path: path.stem)
def test_second_labels_cover_the_first_sample(path: Path) -> None:
    first = rows(FIXTURES / f"capture_labels_holdout_{path.stem}.jsonl")
    second = rows(path)
    assert sorted(row["sha"] for row in second) == sorted(row["sha"] for row in first)
    by_sha = {row["sha"]: row for row in first}
    for row in second:
        assert row["label"] in LABELS, row["sha"]
        # the same commit text the first labeller read
        assert row["message"] == by_sha[row["sha"]]["message"]
