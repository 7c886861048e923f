"""The records a report reads, collected once from the index, with their parsed times."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from gitmem.search.query import Filter, created_at, effective_status, superseded_ids

if TYPE_CHECKING:
    from gitmem.records.store import Store
    from gitmem.search.changes import Row
    from gitmem.store import git


@dataclasses.dataclass(frozen=True)
class Window:
    """`--since`/`--until`: a record is in the window when its `created` time is."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, when: datetime) -> bool:
        return not (self.since and when < self.since) and not (self.until and when > self.until)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclasses.dataclass
class Records:
    """Every record (retired ones too), oldest first, and the ids some record supersedes."""

    rows: list[Row]
    superseded: set[str]

    def status(self, row: Row) -> str:
        return effective_status(row, self.superseded)

    def within(self, window: Window) -> list[Row]:
        return [row for row in self.rows if window.contains(created_at(row))]


@dataclasses.dataclass(frozen=True)
class Source:
    """What a report is built from: every record and the window; deploys also read the
    repository (commit ancestry), `--env` and the time a window open at its end ends at."""

    repo: git.RepoInfo
    records: Records
    window: Window
    envs: Sequence[str] = ()
    now: datetime | None = None


def collect(store: Store, unmerged: bool = False) -> Records:
    """All records, oldest first (ties by id, so output is stable); those in notes on commits
    of no merged branch only with `unmerged`."""
    # Imported here: `git mem -h` reads the report kinds and needs none of the store.
    from gitmem.records import finder

    rows = finder.records(store, Filter(include_retired=True, include_unmerged=unmerged))
    rows.sort(key=lambda row: (created_at(row), row["id"]))
    return Records(rows, superseded_ids(rows))


def collect_decisions(store: Store, unmerged: bool = False) -> Records:
    """What the decision index reads, as `collect` orders it: the decisions, the records that
    supersede any record and those superseded (the rest is in no status, `superseded_by` or
    chain: a chain walks through records that supersede and names the ones superseded). A
    fifth of the rows at 100k records, where `collect` reads them all."""
    from gitmem.records import finder

    every = Filter(include_retired=True, include_unmerged=unmerged)
    decisions = dataclasses.replace(every, types=["decision"])
    rows: dict[tuple[str, str], Row] = {}
    for row in finder.newest(store, decisions):
        rows[(row["id"], str(row.get("location")))] = row
    for row in finder.superseding(store, every):
        rows.setdefault((row["id"], str(row.get("location"))), row)
    ordered = sorted(rows.values(), key=lambda row: (created_at(row), row["id"]))
    return Records(ordered, superseded_ids(ordered))


def deploy_of(row: Row) -> dict[str, Any] | None:
    """The `deploy:` mapping of a deploy record (it names env and status), else None."""
    deploy = row.get("deploy")
    if not isinstance(deploy, dict) or "env" not in deploy or "status" not in deploy:
        return None
    return deploy


def week_of(when: datetime) -> tuple[str, str]:
    """The ISO week of a time (in UTC): its label `2026-W03` and the date its Monday falls on."""
    day = when.astimezone(UTC).date()
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", (day - timedelta(days=weekday - 1)).isoformat()


def week_span(first: datetime, last: datetime) -> list[tuple[str, str]]:
    """Every ISO week from `first`'s to `last`'s, gaps included (a chart's x axis)."""
    monday = datetime.fromisoformat(week_of(first)[1]).replace(tzinfo=UTC)
    weeks = []
    while monday <= last.astimezone(UTC):
        weeks.append(week_of(monday))
        monday += timedelta(days=7)
    return weeks
