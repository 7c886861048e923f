"""The report kinds, each declared once, and how a report is built and rendered."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from gitmem.errors import UsageError
from gitmem.reports import deploys, html, kinds, layout, markdown
from gitmem.reports.blocks import Block
from gitmem.reports.data import Source, Window, collect, collect_decisions
from gitmem.reports.layout import Doc

if TYPE_CHECKING:
    from gitmem.records.store import Store


class Kind(NamedTuple):
    """A report kind: what `git mem report` offers and says of it, and how it is made."""

    name: str
    help: str  # what it shows, for `git mem report -h` (wrapped there)
    title: str  # the heading of its Markdown and HTML forms
    build: Callable[[Source], Doc]  # its JSON document
    layout: Callable[[Doc], list[Block]]  # that document as blocks, for Markdown and HTML
    aside: str = ""  # after its name in `git mem -h`, in parentheses
    envs: bool = False  # --env applies


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "deploys",
            "per environment: deploy counts, the four DORA measures (deployment frequency, "
            "lead time for changes, change failure rate, time to restore) and the latest deploy",
            "Deploy report",
            deploys.build,
            layout.deploys,
            aside="DORA",
            envs=True,
        ),
        Kind(
            "decisions",
            "an ADR-style index: status, date, author, supersedes chains, tags",
            "Decision index",
            kinds.decisions,
            layout.decisions,
        ),
        Kind(
            "activity",
            "records per week by type and author; most active tags and paths",
            "Activity",
            kinds.activity,
            layout.activity,
        ),
        Kind(
            "errors",
            "error records grouped by tag and path, recurring ones first",
            "Errors",
            kinds.errors,
            layout.errors,
        ),
        Kind("timeline", "everything, oldest first", "Timeline", kinds.timeline, layout.timeline),
    )
}
FORMATS = ("markdown", "json", "html")  # the first is the default


def build(
    store: Store,
    name: str,
    window: Window,
    envs: Sequence[str] = (),
    now: datetime | None = None,
    unmerged: bool = False,
) -> Doc:
    """The JSON document of report `name` (see the README's "Reports" section); `unmerged`:
    also the records in notes on commits neither HEAD nor the default branch reaches."""
    kind = KINDS.get(name)
    if kind is None:
        raise UsageError(f"unknown report {name!r}: use one of {', '.join(KINDS)}")
    if envs and not kind.envs:
        by_env = " and ".join(k.name for k in KINDS.values() if k.envs)
        raise UsageError(f"--env applies only to the {by_env} report")
    # The decision index needs only the decisions and what supersedes (the same document).
    gather = collect_decisions if name == "decisions" else collect
    return kind.build(Source(store.repo, gather(store, unmerged), window, envs, now))


def render(document: Doc, form: str) -> str:
    if form == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    kind = KINDS[document["report"]]
    if form == "html":
        return html.render(kind.title, kind.layout(document))
    if form == "markdown":
        return markdown.render(kind.title, kind.layout(document))
    raise UsageError(f"unknown format {form!r}: use one of {', '.join(FORMATS)}")
