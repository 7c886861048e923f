"""The `decisions`, `activity`, `errors` and `timeline` reports, each one JSON document."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from gitmem.reports import SCHEMA
from gitmem.reports.data import Records, Source, Window, week_of, week_span
from gitmem.search.query import created_at, superseded_ids

if TYPE_CHECKING:
    from gitmem.search.changes import Row

TOP = 10  # most active tags and paths shown


def _head(kind: str, window: Window) -> dict[str, Any]:
    return {"report": kind, "schema": SCHEMA, "window": window.to_json()}


def _brief(records: Records, row: Row) -> dict[str, Any]:
    """The fields every listing shows of a record."""
    return {
        "id": row["id"],
        "created": row.get("created"),
        "type": row.get("type"),
        "title": row.get("title"),
        "status": records.status(row),
        "author": row.get("author"),
        "location": row.get("location"),
        **({"unmerged": True} if row.get("unmerged") else {}),  # only with --all
    }


def _chains(decisions: list[Row], by_id: dict[str, Row]) -> list[list[str]]:
    """Supersedes chains, oldest first (A -> B -> C: B supersedes A, C supersedes B), one per
    path from a decision nothing supersedes back to one that supersedes nothing."""
    superseded = superseded_ids(decisions)
    chains: list[list[str]] = []

    def walk(path: list[str]) -> None:
        older = [i for i in by_id.get(path[-1], {}).get("supersedes", []) if i not in path]
        if not older:
            chains.append(list(reversed(path)))
        for old in older:
            walk([*path, old])

    for row in decisions:
        if row["id"] not in superseded and row.get("supersedes"):
            walk([row["id"]])
    return chains


def decisions(source: Source) -> dict[str, Any]:
    """An ADR-style index: every decision (retired ones too) with its effective status."""
    records, window = source.records, source.window
    rows = [row for row in records.within(window) if row.get("type") == "decision"]
    by_id = {row["id"]: row for row in records.rows}
    superseded_by: dict[str, list[str]] = {}
    for row in records.rows:
        for old in row.get("supersedes", []):
            superseded_by.setdefault(old, []).append(row["id"])
    listed = [
        {
            **_brief(records, row),
            "tags": row.get("tags", []),
            "paths": row.get("paths", []),
            "supersedes": row.get("supersedes", []),
            "superseded_by": superseded_by.get(row["id"], []),
        }
        for row in rows
    ]
    statuses = Counter(entry["status"] for entry in listed)
    return {
        **_head("decisions", window),
        "count": len(listed),
        "by_status": dict(sorted(statuses.items())),
        "decisions": listed,
        "chains": [
            [{"id": i, "title": by_id[i].get("title") if i in by_id else None} for i in chain]
            for chain in _chains(rows, by_id)
        ],
    }


def _ranked(counter: Counter[str], top: int | None = None) -> list[dict[str, Any]]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{"name": name, "count": count} for name, count in ordered[:top]]


def activity(source: Source) -> dict[str, Any]:
    """Records per ISO week (every week from the first to the last, empty ones too), by type
    and by author; the most active tags and paths."""
    records, window = source.records, source.window
    rows = records.within(window)
    weeks: list[dict[str, Any]] = []
    if rows:
        span = week_span(created_at(rows[0]), created_at(rows[-1]))
        slots = {label: (start, Counter[str](), Counter[str]()) for label, start in span}
        for row in rows:
            _, types, authors = slots[week_of(created_at(row))[0]]
            types[str(row.get("type"))] += 1
            authors[str(row.get("author") or "unknown")] += 1
        for label, (start, types, authors) in slots.items():
            weeks.append(
                {
                    "week": label,
                    "start": start,
                    "total": sum(types.values()),
                    "by_type": dict(sorted(types.items())),
                    "by_author": dict(sorted(authors.items())),
                }
            )
    return {
        **_head("activity", window),
        "count": len(rows),
        "weeks": weeks,
        "types": _ranked(Counter(str(row.get("type")) for row in rows)),
        "authors": _ranked(Counter(str(row.get("author") or "unknown") for row in rows)),
        "tags": _ranked(Counter(tag for row in rows for tag in row.get("tags", [])), TOP),
        "paths": _ranked(Counter(path for row in rows for path in row.get("paths", [])), TOP),
    }


def _groups(records: Records, rows: list[Row], key: str) -> list[dict[str, Any]]:
    """Records by each value of `key` (a list field), biggest (recurring) groups first."""
    members: dict[str, list[Row]] = {}
    for row in rows:
        for value in row.get(key, []):
            members.setdefault(value, []).append(row)
    ordered = sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {
            "name": name,
            "count": len(group),
            "last": group[-1].get("created"),
            "records": [_brief(records, row) for row in group],
        }
        for name, group in ordered
    ]


def errors(source: Source) -> dict[str, Any]:
    """Error records grouped by tag and by path; groups holding more records come first."""
    records, window = source.records, source.window
    rows = [row for row in records.within(window) if row.get("type") == "error"]
    return {
        **_head("errors", window),
        "count": len(rows),
        "by_tag": _groups(records, rows, "tags"),
        "by_path": _groups(records, rows, "paths"),
        "ungrouped": [
            _brief(records, row) for row in rows if not row.get("tags") and not row.get("paths")
        ],
    }


def timeline(source: Source) -> dict[str, Any]:
    """Everything, oldest first."""
    records, window = source.records, source.window
    rows = records.within(window)
    return {
        **_head("timeline", window),
        "count": len(rows),
        "records": [_brief(records, row) for row in rows],
    }
