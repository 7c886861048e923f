"""Each report's JSON document laid out as blocks (headings, tables, charts), one function
per kind (declared in report.py)."""

from __future__ import annotations

from typing import Any

from gitmem.output import plural
from gitmem.reports.blocks import (
    Bar,
    Block,
    Cell,
    Chart,
    Heading,
    Items,
    Link,
    Para,
    Segment,
    Table,
    duration,
    number,
    percent,
)
from gitmem.search.query import unmerged_mark

Doc = dict[str, Any]


def _window(doc: Doc) -> list[Block]:
    window = doc["window"]
    parts = [f"since {window['since']}"] if window["since"] else []
    parts += [f"until {window['until']}"] if window["until"] else []
    return [Para("Records created " + " and ".join(parts) + ".")] if parts else []


def _short(sha: str | None) -> str:
    return sha[:10] if sha else "-"


def _titled(entry: Doc) -> Cell:
    """A record's title, linked to its file when it lives in one."""
    title = str(entry["title"]) + unmerged_mark(entry)
    location = str(entry.get("location") or "")
    if not location.startswith(".memory/"):
        return title
    return Link(title, location, str(entry.get("id") or ""))


def _when(created: str | None, time: bool = False) -> str:
    text = str(created or "")
    return text[:16].replace("T", " ") if time else text[:10]


def deploys(doc: Doc) -> list[Block]:
    blocks = _window(doc)
    envs = doc["environments"]
    if not envs:
        return [*blocks, Para("No deploys recorded.")]
    window = doc["window"]
    blocks.append(
        Para(
            f"{plural(doc['deploys'], 'deploy')} in {plural(len(envs), 'environment')}, "
            f"{_when(window['start'])} to {_when(window['end'])} "
            f"({number(window['days'])} {'day' if window['days'] == 1 else 'days'})."
        )
    )
    counts: list[list[Cell]] = []
    measures: list[list[Cell]] = []
    for env in envs:
        latest = env["latest"]
        version = f" {latest['version']}" if latest["version"] else ""
        counts.append(
            [
                env["env"],
                str(env["deployments"]),
                str(env["success"]),
                str(env["failure"]),
                str(env["rolled_back"]),
                str(env["started"]),
                f"{_when(latest['time'], True)} {latest['status']} "
                f"{_short(latest['commit'])}{version}",
            ]
        )
        freq, lead = env["frequency"], env["lead_time"]
        cfr, ttr = env["change_failure_rate"], env["time_to_restore"]
        measures.append(
            [
                env["env"],
                f"{number(freq['per_day'])}/day ({number(freq['per_week'])}/week)",
                f"{duration(lead['median_seconds'])} / {duration(lead['p90_seconds'])} "
                f"({lead['changes']} commits)",
                f"{percent(cfr['rate'])} ({cfr['failed']} of {cfr['completed']})",
                f"{duration(ttr['median_seconds'])} ({ttr['restored']} restored, "
                f"{ttr['open']} open)",
            ]
        )
    header = ["environment", "deploys", "success", "failure", "rolled back", "started"]
    blocks.append(Table([*header, "latest"], counts))
    blocks += [Heading(2, "DORA measures")]
    blocks += [
        Table(
            [
                "environment",
                "deployment frequency",
                "lead time (median / p90)",
                "change failure rate",
                "time to restore (median)",
            ],
            measures,
        )
    ]
    blocks.append(
        Items(
            [
                "deployment frequency: successful deploys / days in the window",
                "lead time: commit (committer time) to the first successful deploy to the "
                "environment that contains it; median and nearest-rank p90",
                "change failure rate: (failure + rolled-back) / (success + failure + rolled-back) "
                "(started deploys are not completed)",
                "time to restore: first failed deploy to the next successful one, median",
            ]
        )
    )
    skipped = sum(env["lead_time"]["skipped_deploys"] for env in envs)
    if doc["missing_commits"]:
        shas = ", ".join(_short(sha) for sha in doc["missing_commits"])
        blocks.append(
            Para(
                f"Lead time skips {plural(skipped, 'successful deploy')}: "
                f"commits missing from this repository (a shallow clone?): {shas}"
            )
        )
    for env in envs:
        bars = [
            Bar(
                week["week"],
                [
                    Segment(week["success"], "success"),
                    Segment(week["failure"], "failure"),
                    Segment(week["other"], "other"),
                ],
            )
            for week in env["weeks"]
        ]
        blocks.append(
            Chart(f"Deploys per week: {env['env']}", bars, ["success", "failure", "other"])
        )
    return blocks


def decisions(doc: Doc) -> list[Block]:
    blocks = _window(doc)
    if not doc["decisions"]:
        return [*blocks, Para("No decisions recorded.")]
    statuses = ", ".join(f"{count} {status}" for status, count in doc["by_status"].items())
    blocks.append(Para(f"{plural(doc['count'], 'decision')}: {statuses}."))
    rows: list[list[Cell]] = []
    for entry in doc["decisions"]:
        status = entry["status"]
        if entry["superseded_by"]:
            status += " by " + ", ".join(entry["superseded_by"])
        rows.append(
            [
                _when(entry["created"]),
                entry["id"],
                _titled(entry),
                status,
                str(entry["author"] or ""),
                ", ".join(entry["tags"]),
                ", ".join(entry["paths"]),
            ]
        )
    blocks.append(Table(["date", "id", "title", "status", "author", "tags", "paths"], rows))
    if doc["chains"]:
        blocks.append(Heading(2, "Supersedes chains"))
        blocks.append(
            Items(
                [
                    " -> ".join(f"{link['id']} {link['title'] or '(unknown)'}" for link in chain)
                    for chain in doc["chains"]
                ]
            )
        )
    return blocks


def _counts(title: str, column: str, ranked: list[Doc]) -> list[Block]:
    if not ranked:
        return []
    rows: list[list[Cell]] = [[entry["name"], str(entry["count"])] for entry in ranked]
    return [Heading(2, title), Table([column, "records"], rows)]


def activity(doc: Doc) -> list[Block]:
    blocks = _window(doc)
    if not doc["weeks"]:
        return [*blocks, Para("No records.")]
    types = [entry["name"] for entry in doc["types"]]
    blocks.append(
        Para(f"{plural(doc['count'], 'record')} over {plural(len(doc['weeks']), 'week')}.")
    )
    blocks.append(
        Chart(
            "Records per week",
            [Bar(week["week"], [Segment(week["total"], "records")]) for week in doc["weeks"]],
            ["records"],
        )
    )
    blocks.append(Heading(2, "Per week"))
    rows: list[list[Cell]] = [
        [week["week"], week["start"], str(week["total"])]
        + [str(week["by_type"].get(name, 0)) for name in types]
        for week in doc["weeks"]
    ]
    blocks.append(Table(["week", "from", "total", *types], rows))
    blocks += _counts("By author", "author", doc["authors"])
    blocks += _counts("Most active tags", "tag", doc["tags"])
    blocks += _counts("Most active paths", "path", doc["paths"])
    return blocks


def _record_line(entry: Doc) -> str:
    return f"{entry['id']} {_when(entry['created'])} {entry['title']} ({entry['status']})"


SHOWN = 5  # records named per group in a table cell, newest first; JSON has them all


def _which(entries: list[Doc]) -> str:
    newest = [_record_line(entry) for entry in reversed(entries[-SHOWN:])]
    more = f"; and {len(entries) - SHOWN} more" if len(entries) > SHOWN else ""
    return "; ".join(newest) + more


def _grouped(title: str, column: str, groups: list[Doc]) -> list[Block]:
    if not groups:
        return []
    rows: list[list[Cell]] = [
        [
            group["name"],
            str(group["count"]),
            _when(group["last"]),
            _which(group["records"]),
        ]
        for group in groups
    ]
    return [Heading(2, title), Table([column, "records", "last", "which"], rows)]


def errors(doc: Doc) -> list[Block]:
    blocks = _window(doc)
    if not doc["count"]:
        return [*blocks, Para("No error records.")]
    blocks.append(Para(f"{plural(doc['count'], 'error record')}, recurring ones first."))
    blocks += _grouped("By tag", "tag", doc["by_tag"])
    blocks += _grouped("By path", "path", doc["by_path"])
    if doc["ungrouped"]:
        blocks.append(Heading(2, "Without tag or path"))
        blocks.append(Items([_record_line(entry) for entry in doc["ungrouped"]]))
    return blocks


def timeline(doc: Doc) -> list[Block]:
    blocks = _window(doc)
    if not doc["records"]:
        return [*blocks, Para("No records.")]
    rows: list[list[Cell]] = [
        [
            _when(entry["created"], True),
            str(entry["type"]),
            _titled(entry),
            entry["id"],
            str(entry["author"] or ""),
        ]
        for entry in doc["records"]
    ]
    return [*blocks, Table(["date", "type", "title", "id", "author"], rows)]
