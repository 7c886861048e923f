"""Filters over records — the one place `list` (and later `search`) decide what matches."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from gitmem import LaterPattern
from gitmem.errors import UsageError
from gitmem.store.lazy import dataclass_without_code, dataclasses  # without `inspect`, compiling
from gitmem.store.record import RETIRED_STATUSES, normalize_tag, parse_time

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


Row = dict[str, "Any"]  # a string: `typing` is not loaded at run time

_UNITS = {
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "y": 365 * 86400,
}
_RELATIVE_RE = LaterPattern(r"(\d+)\s*(minute|hour|day|week|month|year|[hdwy])s?(\s+ago)?")


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """`2026-11-20`, `2026-11-20T14:03:11+00:00`, `3 days ago`, `2w`, `yesterday`."""
    now = now or datetime.now(UTC)
    value = text.strip().lower()
    if value in ("today", "yesterday"):
        day = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=1) if value == "yesterday" else day
    match = _RELATIVE_RE.fullmatch(value)
    if match:
        try:
            return now - timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
        except OverflowError:
            raise UsageError(f"cannot read {text!r} as a date: it is out of range") from None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"cannot read {text!r} as a date: use 2026-11-20, an ISO 8601 "
            "timestamp, or a relative time like '3 days ago' or '2w'"
        ) from None
    try:
        return parsed if parsed.tzinfo else parsed.astimezone()
    except (ValueError, OverflowError):  # 0001-01-01 in local time can fall before year 1
        raise UsageError(f"cannot read {text!r} as a date: it is out of range") from None


def created_at(row: Row) -> datetime:
    return time_or_min(str(row.get("created", "")))


def time_or_min(text: str) -> datetime:
    """A record's timestamp; an unreadable one as the oldest time there is."""
    try:
        return parse_time(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def path_matches(query: str, recorded: str) -> bool:
    """Does a record about `recorded` (a file, a `dir/`, or a glob) concern `query`?"""
    query = query.removeprefix("./").rstrip("/")
    base = recorded.removeprefix("./")
    if any(ch in base for ch in "*?["):
        literal = re.split(r"[*?[]", base, maxsplit=1)[0]  # `src/db/` of `src/db/*.py`
        return (
            fnmatch.fnmatchcase(query, base)
            or fnmatch.fnmatchcase(query + "/", base)
            or literal.startswith(query + "/")  # the query is a directory holding the glob
            or not query
        )
    base = base.rstrip("/")
    return (
        query == base
        or query.startswith(base + "/")  # the record is about a directory holding the query
        or base.startswith(query + "/")  # the query is a directory holding the record's path
        or not query
    )


# The filter options of `list`, `search` and `prune` (`--type` ... `--commit`; cli.common
# add_filters) and the serve API's query parameters of the same names; `all` comes besides.
FILTER_OPTIONS = (
    "type",
    "tag",
    "status",
    "author",
    "source",
    "project",
    "since",
    "until",
    "path",
    "commit",
)
# The filter options that take a value a time, repeatable (`--tag a --tag b`); since and until
# take one.
LIST_OPTIONS = tuple(name for name in FILTER_OPTIONS if name not in ("since", "until"))


@dataclass_without_code
class Filter:
    """The records a reader asks for (`--type`, `--tag`, ... `--all`): `matches` says whether
    a row is one. (A docstring: a dataclass without one would load `inspect`; see store/lazy.)"""

    types: list[str] = dataclasses.field(default_factory=list)
    tags: list[str] = dataclasses.field(default_factory=list)
    statuses: list[str] = dataclasses.field(default_factory=list)
    authors: list[str] = dataclasses.field(default_factory=list)
    sources: list[str] = dataclasses.field(default_factory=list)
    projects: list[str] = dataclasses.field(default_factory=list)
    paths: list[str] = dataclasses.field(default_factory=list)
    commits: list[str] = dataclasses.field(default_factory=list)  # full shas
    since: datetime | None = None
    until: datetime | None = None
    include_retired: bool = False
    # Records in notes on commits neither HEAD nor the default branch reaches (an unmerged or
    # deleted branch) are not the project's memory: hidden unless this, or `commits` names them
    # (deploy records excepted).
    include_unmerged: bool = False

    def matches(self, row: Row, superseded: set[str], unmerged: Collection[str] = ()) -> bool:
        """Does `row` pass? `unmerged`: the commits whose notes are hidden (see above)."""
        # (A deploy record says what ran where, whatever branch it came from: never hidden.)
        hide_unmerged = unmerged and not self.include_unmerged and not self.commits
        if hide_unmerged and "deploy" not in row and note_commit(row) in unmerged:
            return False
        if self.types and row.get("type") not in self.types:
            return False
        tags = set(row.get("tags", []))
        if any(normalize_tag(tag) not in tags for tag in self.tags):
            return False
        if self.statuses and effective_status(row, superseded) not in self.statuses:
            return False
        if not self.include_retired and not self.statuses and is_retired(row, superseded):
            return False
        author = str(row.get("author", "")).lower()
        if self.authors and not any(a.lower() in author for a in self.authors):
            return False
        if self.sources and row.get("source") not in self.sources:
            return False
        if self.projects and str(row.get("project", "")).lower() not in {
            project.lower() for project in self.projects
        }:
            return False
        if self.paths and not any(
            path_matches(q, p) for q in self.paths for p in row.get("paths", [])
        ):
            return False
        if self.commits and not self._about_commit(row):
            return False
        if self.since or self.until:
            when = created_at(row)
            if (self.since and when < self.since) or (self.until and when > self.until):
                return False
        return True

    def _about_commit(self, row: Row) -> bool:
        location = str(row.get("location", ""))
        recorded = [*row.get("commits", []), location[5:] if location.startswith("note:") else ""]
        return any(
            r and (r.startswith(c) or c.startswith(r)) for c in self.commits for r in recorded
        )

    def apply(self, rows: Iterable[Row], unmerged: Collection[str] = ()) -> list[Row]:
        """Matching rows, newest first."""
        rows = list(rows)
        superseded = superseded_ids(rows)
        found = [row for row in rows if self.matches(row, superseded, unmerged)]
        found.sort(key=lambda row: (created_at(row), row["id"]), reverse=True)
        return found


def filter_of(
    given: Mapping[str, Sequence[str]],
    *,
    since: str | None,
    until: str | None,
    everything: bool,
    unmerged: bool,
) -> Filter:
    """The filter the record options describe, as each front end reads them (the CLI's flags,
    the serve API's parameters, the MCP tools' arguments): `given` holds the values of each of
    LIST_OPTIONS by name (`path` and `commit` as the caller means them: this repository's, or
    as given for a database of many), `since` and `until` the time options' text, `everything`
    `--all` (retired records too), `unmerged` whether records on unmerged commits show."""
    return Filter(
        types=list(given.get("type", ())),
        tags=list(given.get("tag", ())),
        statuses=list(given.get("status", ())),
        authors=list(given.get("author", ())),
        sources=list(given.get("source", ())),
        projects=list(given.get("project", ())),
        paths=list(given.get("path", ())),
        commits=list(given.get("commit", ())),
        since=parse_when(since) if since else None,
        until=parse_when(until) if until else None,
        include_retired=everything,
        include_unmerged=unmerged,
    )


def note_commit(row: Row) -> str:
    """The commit a record's note is on ("" for a record in a file)."""
    location = str(row.get("location", ""))
    return location[5:] if location.startswith("note:") else ""


def unmerged_mark(row: Row) -> str:
    """` (on unmerged commit abc1234)` for a record `finder.mark` marked, else ""."""
    return f" (on unmerged commit {note_commit(row)[:7]})" if row.get("unmerged") else ""


def superseded_ids(rows: Iterable[Row]) -> set[str]:
    """Ids some other record names in `supersedes`: they read as superseded."""
    return {old for row in rows for old in row.get("supersedes", [])}


def effective_status(row: Row, superseded: set[str]) -> str:
    """The status a record reads as: named in another's `supersedes` means superseded."""
    status = str(row.get("status", "active"))
    if row["id"] in superseded and status not in RETIRED_STATUSES:
        return "superseded"
    return status


def is_retired(row: Row, superseded: set[str]) -> bool:
    return effective_status(row, superseded) in RETIRED_STATUSES
