"""The four DORA measures over one environment's deploy events — pure functions, no git.

Definitions (the README's "Reports" section says the same):
- deployment frequency: successful deploys in the window / the window's length in days
  (at least one day), also given per week (x 7);
- lead time for changes: for each commit, its committer time -> the first successful deploy
  (by deploy time) to the environment whose deployed commit contains it (ancestry); reported
  as the median and the p90 (nearest rank) of the commits first deployed in the window;
- change failure rate: (failure + rolled-back) / (success + failure + rolled-back) deploy
  events in the window; `started` is not a completed deploy and counts in neither;
- time to restore: from the first failed or rolled-back deploy after a success (or at the
  start) to the next successful deploy in the same environment; the median over incidents
  that began in the window and were restored; unrestored ones are counted as open.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from gitmem.reports.history import Graph, first_reached

FAILED = ("failure", "rolled-back")
COMPLETED = ("success", *FAILED)
DAY = 86400


class Event(NamedTuple):
    """One deploy record: when, where, how it went, which commit (may be empty)."""

    time: datetime
    env: str
    status: str
    commit: str
    row: dict[str, Any]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile: the ceil(0.9 n)-th smallest value."""
    if not values:
        return None
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


def frequency(events: Sequence[Event], days: float) -> dict[str, Any]:
    successful = sum(1 for event in events if event.status == "success")
    return {
        "successful": successful,
        "days": round(days, 3),
        "per_day": round(successful / days, 3),
        "per_week": round(successful * 7 / days, 3),
    }


def lead_times(
    history: Sequence[Event], in_window: set[int], graph: Graph
) -> tuple[list[float], int]:
    """Seconds from commit to first successful deploy, for commits first deployed by an event
    whose index (in `history`) is in `in_window`; and how many successful deploys were skipped
    because their commit is missing from the repository.

    `history` is every event of the environment, oldest first: a commit deployed before the
    window was not first deployed inside it.
    """
    successes = [i for i, event in enumerate(history) if event.status == "success"]
    skipped = sum(1 for i in successes if i in in_window and history[i].commit not in graph.commits)
    tips = [history[i].commit for i in successes]
    seconds: list[float] = []
    for sha, nth in first_reached(graph, tips):
        index = successes[nth]
        if index in in_window:
            deployed = history[index].time.timestamp()
            seconds.append(max(0.0, deployed - graph.commits[sha].time))  # clock skew: 0
    return seconds, skipped


def change_failure_rate(events: Sequence[Event]) -> dict[str, Any]:
    completed = [event for event in events if event.status in COMPLETED]
    failed = sum(1 for event in completed if event.status in FAILED)
    rate = round(failed / len(completed), 4) if completed else None
    return {"failed": failed, "completed": len(completed), "rate": rate}


def time_to_restore(history: Sequence[Event], in_window: set[int]) -> dict[str, Any]:
    """Incidents: a run of failed deploys ended by the next success."""
    restores: list[float] = []
    opened = 0
    failing_since: int | None = None
    for index, event in enumerate(history):
        if event.status in FAILED and failing_since is None:
            failing_since = index
        elif event.status == "success" and failing_since is not None:
            if failing_since in in_window:
                began = history[failing_since].time
                restores.append((event.time - began).total_seconds())
            failing_since = None
    if failing_since is not None and failing_since in in_window:
        opened = 1
    return {
        "incidents": len(restores) + opened,
        "restored": len(restores),
        "open": opened,
        "median_seconds": median(restores),
    }
