"""Context packs: the project's memory for the start of an assistant's session, within a budget.

A pack is Markdown: a fixed header, then sections in order of value — active decisions, facts,
user preferences, procedures, the last session summaries, errors and patterns — and at the end
the ids it left out. The budget is in tokens, estimated without a tokenizer as
ceil(characters / 4) of the whole Markdown text (header and list of left-out ids included).

Each section has a share of the budget; what a section does not use passes to the next, and
what is left at the end goes back to the sections in order. So a repository with thousands of
decisions still shows its errors, and a small one gives its whole budget to what it has.

`queries` (full-text search) and `paths` (a recorded file, directory or glob concerning one of
them, as `git mem list --path`) move the matching records to the top of every section; without
them a section is newest first. The same repository state gives the same bytes: sort keys are
(focus, search score rounded, created, id) and nothing depends on the time of day.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from gitmem.errors import UsageError
from gitmem.query import Filter, created_at, path_matches
from gitmem.store import Store

Row = dict[str, Any]

CHARS_PER_TOKEN = 4
DEFAULT_BUDGET = 2000
MIN_BUDGET = 40  # tokens: the header and "N more left out" always fit
TITLE_CHARS = 120
DETAIL_CHARS = 140
EXCERPT_CHARS = 280
EXCERPTS = 3  # the top decisions get a body excerpt ...
EXCERPT_MIN_BUDGET = 1000  # ... when the budget is at least this
LAST_SESSIONS = 3
SEARCH_LIMIT = 200  # hits per query that move up; the rest of a section follows by date

HEADER = "# Project memory\n\nFrom gitmem, most useful first. Full text: `git mem show ID`.\n"
EMPTY = "\nNo memories yet: save some with `git mem save`.\n"
MORE_HEADING = "\n## Left out\n"


def tokens(text: str) -> int:
    """The budget's estimate of a text's tokens: one per 4 characters, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    heading: str
    types: tuple[str, ...]
    share: float  # of the entries' budget, before what earlier sections left
    sources: tuple[str, ...] = ()
    limit: int | None = None  # at most this many records are considered


SECTIONS = (
    Spec("decisions", "Decisions", ("decision",), 0.30),
    Spec("facts", "Facts", ("fact",), 0.15),
    Spec("preferences", "Preferences", ("user",), 0.10),
    Spec("procedures", "Procedures", ("procedural",), 0.10),
    Spec("sessions", "Recent sessions", ("episodic",), 0.10, ("session",), LAST_SESSIONS),
    Spec("errors", "Errors and patterns", ("error", "code"), 0.25),
)
_KIND = {"error": "error", "code": "pattern"}


@dataclasses.dataclass
class Candidate:
    """A record that may go into a section, with what ranks it there."""

    row: Row
    focus: str | None = None  # "query" or "path": why it moved up
    score: float = 0.0
    body: str | None = None  # when known: the source of the detail line and excerpt

    def sort_key(self) -> tuple[int, float, float, str]:
        tier = {"query": 0, "path": 1}.get(self.focus or "", 2)
        return (tier, -self.score, -created_at(self.row).timestamp(), str(self.row["id"]))


@dataclasses.dataclass
class Entry:
    row: Row
    section: str
    detail: str
    excerpt: str
    focus: str | None
    text: str  # its Markdown lines

    def to_json(self) -> dict[str, Any]:
        row = self.row
        out: dict[str, Any] = {
            "id": row["id"],
            "type": row["type"],
            "title": row["title"],
            "status": row.get("status", "active"),
            "created": row.get("created", ""),
            "location": row.get("location", ""),
        }
        for key in ("summary", "tags", "paths", "session"):
            if row.get(key):
                out[key] = row[key]
        if self.detail:
            out["detail"] = self.detail
        if self.excerpt:
            out["excerpt"] = self.excerpt
        if self.focus:
            out["focus"] = self.focus
        return out


@dataclasses.dataclass
class Section:
    name: str
    heading: str
    entries: list[Entry]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "heading": self.heading,
            "entries": [entry.to_json() for entry in self.entries],
        }


@dataclasses.dataclass
class Pack:
    budget: int
    sections: list[Section]
    omitted: list[str]  # ids left out, most useful first
    left_out: int  # how many records of the sections are not in the pack
    text: str
    queries: list[str] = dataclasses.field(default_factory=list)
    paths: list[str] = dataclasses.field(default_factory=list)

    @property
    def used(self) -> int:
        return tokens(self.text)

    def markdown(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "used": self.used,
            "queries": self.queries,
            "paths": self.paths,
            "sections": [section.to_json() for section in self.sections],
            "omitted": self.omitted,
            "left_out": self.left_out,
        }


# ----------------------------------------------------------------------------- building


def check_budget(budget: object) -> int:
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise UsageError(f"the budget must be a whole number of tokens, not {budget!r}")
    if budget < MIN_BUDGET:
        raise UsageError(f"the budget must be at least {MIN_BUDGET} tokens, not {budget}")
    return budget


def build(
    store: Store,
    *,
    budget: int = DEFAULT_BUDGET,
    queries: Sequence[str] = (),
    paths: Sequence[str] = (),
) -> Pack:
    """The context pack of `store` within `budget` tokens.

    `queries`: search texts (the `git mem search` syntax); `paths`: repository-relative files,
    directories or globs. Both move what matches them to the top of each section.
    """
    budget = check_budget(budget)
    queries = [q for q in (q.strip() for q in queries) if q]
    paths = [p for p in (p.strip() for p in paths) if p]
    room = budget * CHARS_PER_TOKEN
    cap = room // 24 + 1  # no section can show more entries than this
    candidates, totals = _gather(store, queries, paths, cap)
    pack = _place(candidates, totals, room, budget >= EXCERPT_MIN_BUDGET)
    pack.budget = budget
    pack.queries = list(queries)
    pack.paths = list(paths)
    return pack


def _gather(
    store: Store, queries: list[str], paths: list[str], cap: int
) -> tuple[list[list[Candidate]], list[int]]:
    """Per section, its candidates in rank order, and how many records it has in all."""
    from gitmem import finder

    hits: dict[str, float] = {}
    every_type = [t for spec in SECTIONS for t in spec.types]
    for text in queries:
        found = finder.search(store, Filter(types=every_type), text, limit=SEARCH_LIMIT)
        for hit in found.hits:
            score = round(hit.score, 3)
            hits[hit.row["id"]] = max(score, hits.get(hit.row["id"], score))
    per_section: list[list[Candidate]] = []
    totals: list[int] = []
    for spec in SECTIONS:
        flt = Filter(types=list(spec.types), sources=list(spec.sources))
        limit = min(cap, spec.limit) if spec.limit else cap
        chosen: dict[str, Candidate] = {}
        rows = finder.records(store, flt, None)
        totals.append(min(len(rows), spec.limit) if spec.limit else len(rows))
        for row in rows:
            record_id = row["id"]
            if record_id in hits:
                chosen[record_id] = Candidate(row, "query", hits[record_id])
            elif paths and any(path_matches(q, p) for q in paths for p in row.get("paths", [])):
                chosen[record_id] = Candidate(row, "path")
        for row in rows[:limit]:
            chosen.setdefault(row["id"], Candidate(row))
        ranked = sorted(chosen.values(), key=Candidate.sort_key)
        per_section.append(ranked[:limit])
    return per_section, totals


# ----------------------------------------------------------------------------- placing


def _trim(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-—") + "…"


_MARKUP = re.compile(r"^(#+\s*|[-*+]\s+|\d+[.)]\s+|>\s*)")


def body_lines(body: str) -> list[str]:
    """The body's prose lines: no blank lines, code blocks, comments; markup stripped."""
    out: list[str] = []
    fenced = False
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line or line.startswith("<!--") or line.startswith("#"):
            continue
        line = _MARKUP.sub("", line).strip()
        if line:
            out.append(line)
    return out


def _detail(candidate: Candidate) -> tuple[str, str]:
    """The entry's one-line detail (summary, else first body line) and a longer excerpt."""
    row = candidate.row
    lines = body_lines(candidate.body or "")
    summary = str(row.get("summary") or "")
    detail = _trim(summary, DETAIL_CHARS) if summary.strip() else ""
    rest = lines
    if not detail and lines:
        detail, rest = _trim(lines[0], DETAIL_CHARS), lines[1:]
    excerpt = _trim(" ".join(rest), EXCERPT_CHARS) if rest else ""
    return detail, excerpt


def _line(spec: Spec, candidate: Candidate, detail: str) -> str:
    row = candidate.row
    title = _trim(str(row.get("title", "")), TITLE_CHARS)
    if spec.name == "decisions":
        title = f"({row.get('status', 'active')}) {title}"
    elif spec.name == "sessions":
        title = f"{str(row.get('created', ''))[:10]} {title}"
    elif spec.name == "errors":
        title = f"{_KIND.get(str(row.get('type')), str(row.get('type')))}: {title}"
    return f"- [{row['id']}] {title}" + (f" — {detail}" if detail else "") + "\n"


def _variants(spec: Spec, rank: int, candidate: Candidate, excerpts: bool) -> list[Entry]:
    """The ways to show a candidate, longest first: with an excerpt (top decisions), without."""
    detail, excerpt = _detail(candidate)
    line = _line(spec, candidate, detail)
    plain = Entry(candidate.row, spec.name, detail, "", candidate.focus, line)
    if excerpts and excerpt and spec.name == "decisions" and rank < EXCERPTS:
        longer = dataclasses.replace(plain, excerpt=excerpt, text=f"{line}  > {excerpt}\n")
        return [longer, plain]
    return [plain]


class _Placer:
    """Fills sections in rank order within a number of characters."""

    def __init__(self, candidates: list[list[Candidate]], excerpts: bool) -> None:
        self.candidates = candidates
        self.excerpts = excerpts
        self.placed: list[list[Entry]] = [[] for _ in SECTIONS]
        self.stopped = [False for _ in SECTIONS]
        self.used = 0

    def fill(self, index: int, room: int) -> int:
        """Place the next entries of section `index` while they fit in `room`; the chars used."""
        spec = SECTIONS[index]
        placed = self.placed[index]
        used = 0
        while not self.stopped[index] and len(placed) < len(self.candidates[index]):
            candidate = self.candidates[index][len(placed)]
            heading = 0 if placed else len(f"\n## {spec.heading}\n")
            for entry in _variants(spec, len(placed), candidate, self.excerpts):
                if used + heading + len(entry.text) <= room:
                    placed.append(entry)
                    used += heading + len(entry.text)
                    break
            else:
                self.stopped[index] = True
        self.used += used
        return used


def _footer(omitted: list[str], left_out: int, room: int, max_ids: int) -> str:
    """The ids left out as `more:` lines (as many as fit), then how many more there are."""
    if not left_out:
        return ""
    lines: list[str] = []
    size = len(MORE_HEADING)
    for shown, record_id in enumerate(omitted[:max_ids]):
        line = f"more: git mem show {record_id}\n"
        rest = left_out - shown - 1
        count = len(f"{rest} more left out\n") if rest else 0
        if size + len(line) + count > room:
            break
        lines.append(line)
        size += len(line)
    rest = left_out - len(lines)
    if rest:
        lines.append(f"{rest} more left out\n")
    return MORE_HEADING + "".join(lines)


def _place(candidates: list[list[Candidate]], totals: list[int], room: int, excerpts: bool) -> Pack:
    if not any(totals):
        text = HEADER + EMPTY
        sections = [Section(spec.name, spec.heading, []) for spec in SECTIONS]
        return Pack(0, sections, [], 0, text)
    available = room - len(HEADER)
    placer = _fill(candidates, available, excerpts)
    shown = sum(len(p) for p in placer.placed)
    footer = ""
    if shown < sum(totals):
        # Something is left out: start again with room kept for the list of what.
        max_ids = min(10, room // 800)
        reserve = len(_footer(["x" * 12] * max_ids, sum(totals) + max_ids, 10**9, max_ids))
        placer = _fill(candidates, available - reserve, excerpts)
        shown = sum(len(p) for p in placer.placed)
        omitted = [
            c.row["id"]
            for placed, section in zip(placer.placed, candidates, strict=True)
            for c in section[len(placed) :]
        ]
        footer = _footer(omitted, sum(totals) - shown, available - placer.used, max_ids)
    else:
        omitted = []
    sections = [
        Section(spec.name, spec.heading, placed)
        for spec, placed in zip(SECTIONS, placer.placed, strict=True)
    ]
    body = "".join(
        f"\n## {section.heading}\n" + "".join(entry.text for entry in section.entries)
        for section in sections
        if section.entries
    )
    return Pack(0, sections, omitted, sum(totals) - shown, HEADER + body + footer)


def _fill(candidates: list[list[Candidate]], room: int, excerpts: bool) -> _Placer:
    placer = _Placer(candidates, excerpts)
    carry = 0
    for index, spec in enumerate(SECTIONS):
        share = int(room * spec.share) + carry
        carry = share - placer.fill(index, share)
    placer.stopped = [False for _ in SECTIONS]  # what stopped at its share may fit now
    for index in range(len(SECTIONS)):
        placer.fill(index, room - placer.used)
    return placer
