"""Build a report's document from the store and render it in one of the three formats."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gitmem.errors import UsageError
from gitmem.records.store import Store
from gitmem.reports import FORMATS, KINDS, deploys, html, kinds, markdown
from gitmem.reports.data import Window, collect
from gitmem.reports.layout import layout


def build(
    store: Store,
    kind: str,
    window: Window,
    envs: Sequence[str] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JSON document of report `kind` (see the README's "Reports" section)."""
    if kind not in KINDS:
        raise UsageError(f"unknown report {kind!r}: use one of {', '.join(KINDS)}")
    if envs and kind != "deploys":
        raise UsageError("--env applies only to the deploys report")
    records = collect(store)
    if kind == "deploys":
        return deploys.build(store.repo, records, window, envs, now)
    builders = {
        "decisions": kinds.decisions,
        "activity": kinds.activity,
        "errors": kinds.errors,
        "timeline": kinds.timeline,
    }
    return builders[kind](records, window)


def render(document: dict[str, Any], form: str) -> str:
    if form == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    title, blocks = layout(document)
    if form == "html":
        return html.render(title, blocks)
    if form == "markdown":
        return markdown.render(title, blocks)
    raise UsageError(f"unknown format {form!r}: use one of {', '.join(FORMATS)}")
