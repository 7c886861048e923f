"""The `deploys` report: per environment, counts, the four DORA measures, the latest deploy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gitmem.reports import SCHEMA, dora, history
from gitmem.reports.data import Records, Source, Window, deploy_of, week_of, week_span
from gitmem.search.query import created_at

_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


def events(records: Records, envs: Sequence[str] = ()) -> list[dora.Event]:
    """Every deploy record (by the contract's `deploy:` mapping, never the title), oldest
    first; only the environments `envs` names, if any."""
    found = []
    for row in records.rows:
        deploy = deploy_of(row)
        if deploy is None or (envs and str(deploy["env"]) not in envs):
            continue
        commits = row.get("commits") or [""]
        # The contract's full sha; anything else cannot be placed in history (skipped).
        commit = str(commits[0]) if _SHA.fullmatch(str(commits[0])) else ""
        found.append(
            dora.Event(created_at(row), str(deploy["env"]), str(deploy["status"]), commit, row)
        )
    found.sort(key=lambda event: (event.time, event.row["id"]))
    return found


def _latest(event: dora.Event) -> dict[str, Any]:
    deploy = event.row["deploy"]
    return {
        "id": event.row["id"],
        "time": event.row["created"],
        "status": event.status,
        "commit": event.commit or None,
        "version": deploy.get("version"),
        "url": deploy.get("url"),
    }


def _weeks(shown: list[dora.Event], span: list[tuple[str, str]]) -> list[dict[str, Any]]:
    counts = {label: {"success": 0, "failure": 0, "other": 0} for label, _ in span}
    for event in shown:
        status = event.status if event.status == "success" else "other"
        counts[week_of(event.time)[0]]["failure" if event.status in dora.FAILED else status] += 1
    return [{"week": label, "start": start, **counts[label]} for label, start in span]


def _environment(
    env: str,
    every: list[dora.Event],
    window: Window,
    days: float,
    graph: history.Graph,
    span: list[tuple[str, str]],
) -> dict[str, Any]:
    in_window = {i for i, event in enumerate(every) if window.contains(event.time)}
    shown = [every[i] for i in sorted(in_window)]
    statuses = [event.status for event in shown]
    seconds, skipped = dora.lead_times(every, in_window, graph)
    return {
        "env": env,
        "deployments": len(shown),
        "success": statuses.count("success"),
        "failure": statuses.count("failure"),
        "rolled_back": statuses.count("rolled-back"),
        "started": statuses.count("started"),
        "frequency": dora.frequency(shown, days),
        "lead_time": {
            "changes": len(seconds),
            "median_seconds": dora.median(seconds),
            "p90_seconds": dora.p90(seconds),
            "skipped_deploys": skipped,
        },
        "change_failure_rate": dora.change_failure_rate(shown),
        "time_to_restore": dora.time_to_restore(every, in_window),
        "latest": _latest(shown[-1]),
        "weeks": _weeks(shown, span),
    }


def build(source: Source) -> dict[str, Any]:
    """The report's JSON document. The frequency window runs from --since (else the first
    deploy shown) to --until (else now when --since was given, else the last deploy shown)."""
    repo, records, window, now = source.repo, source.records, source.window, source.now
    every = events(records, source.envs)
    shown = [event for event in every if window.contains(event.time)]
    document: dict[str, Any] = {
        "report": "deploys",
        "schema": SCHEMA,
        "window": {**window.to_json(), "start": None, "end": None, "days": None},
        "deploys": len(shown),
        "environments": [],
        "missing_commits": [],
    }
    if not shown:
        return document
    start = window.since or shown[0].time
    end = window.until or ((now or datetime.now(start.tzinfo)) if window.since else shown[-1].time)
    days = max((end - start).total_seconds() / dora.DAY, 1.0)
    document["window"].update(start=start.isoformat(), end=end.isoformat(), days=round(days, 3))
    graph = history.read(repo, {e.commit for e in every if e.status == "success" and e.commit})
    document["missing_commits"] = graph.missing
    span = week_span(shown[0].time, shown[-1].time)
    by_env: dict[str, list[dora.Event]] = {}
    for event in every:
        by_env.setdefault(event.env, []).append(event)
    document["environments"] = [
        _environment(env, by_env[env], window, days, graph, span)
        for env in sorted(by_env)
        if any(window.contains(event.time) for event in by_env[env])
    ]
    return document
