"""The six reports across every published repository (`git mem report --server KIND`):
project activity, timeline, component usage by path, error analysis, sessions, extraction
progress. Each is one JSON document of titled tables (`sections`), rendered as Markdown.
Counts come from SQL aggregates over indexed columns; message counts per session are the
`sessions.message_count` publish keeps, so no report reads every message but the timeline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

    Conn = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[str, ...]
    sql: str  # {records}, {messages}, {sessions}: the window conditions


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    help: str
    sections: tuple[Section, ...]


RECORDS_BY_REPOSITORY = Section(
    "Records by repository",
    (
        "repository",
        "records",
        "decisions",
        "errors",
        "facts",
        "deploys",
        "last record",
        "last published",
    ),
    "SELECT repo.name, count(r.id), count(r.id) FILTER (WHERE r.type = 'decision'),"
    " count(r.id) FILTER (WHERE r.type = 'error'), count(r.id) FILTER (WHERE r.type = 'fact'),"
    " count(r.id) FILTER (WHERE r.tags @> ARRAY['deploy']), max(r.created_at),"
    " repo.published_at FROM repositories repo"
    " LEFT JOIN records r ON r.repository_id = repo.id AND {records}"
    " GROUP BY repo.name, repo.published_at ORDER BY count(r.id) DESC, repo.name",
)
BY_PROJECT = Section(
    "Records by project",
    ("project", "records", "repositories", "authors"),
    "SELECT coalesce(r.project, '(none)'), count(*), count(DISTINCT r.repository_id),"
    " count(DISTINCT r.author) FROM records r WHERE {records}"
    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50",
)
TOP_AUTHORS = Section(
    "Most active authors",
    ("author", "records", "repositories", "last record"),
    "SELECT coalesce(r.author, '(unknown)'), count(*), count(DISTINCT r.repository_id),"
    " max(r.created_at) FROM records r WHERE {records} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20",
)
TIMELINE = Section(
    "Records per month",
    ("month", "records", "decisions", "errors", "deploys", "repositories"),
    "SELECT to_char(date_trunc('month', r.created_at), 'YYYY-MM'), count(*),"
    " count(*) FILTER (WHERE r.type = 'decision'), count(*) FILTER (WHERE r.type = 'error'),"
    " count(*) FILTER (WHERE r.tags @> ARRAY['deploy']), count(DISTINCT r.repository_id)"
    " FROM records r WHERE {records} AND r.created_at IS NOT NULL GROUP BY 1 ORDER BY 1",
)
MESSAGES_PER_MONTH = Section(
    "Session messages per month",
    ("month", "messages"),
    # The timestamps alone (an index-only scan of session_messages_at once vacuumed): the
    # wide rows of millions of messages are not read.
    "SELECT to_char(date_trunc('month', m.at), 'YYYY-MM'), count(*)"
    " FROM session_messages m WHERE {messages} AND m.at IS NOT NULL GROUP BY 1 ORDER BY 1",
)
COMPONENTS = Section(
    "Components (first two path segments) by records about them",
    ("component", "records", "decisions", "errors", "repositories", "last record"),
    "SELECT c.component, count(*), count(*) FILTER (WHERE c.type = 'decision'),"
    " count(*) FILTER (WHERE c.type = 'error'), count(DISTINCT c.repository_id),"
    " max(c.created_at) FROM (SELECT DISTINCT r.repository_id, r.location, r.id, r.type,"
    " r.created_at, array_to_string((string_to_array(trim(leading './' from p), '/'))[1:2], '/')"
    " AS component FROM records r, unnest(r.paths) p WHERE {records}) c"
    " WHERE c.component <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50",
)
ERRORS_BY_REPOSITORY = Section(
    "Errors by repository",
    ("repository", "errors", "open", "last 30 days", "last error"),
    "SELECT repo.name, count(*), count(*) FILTER (WHERE r.status IN ('active', 'proposed')),"
    " count(*) FILTER (WHERE r.created_at >= now() - interval '30 days'), max(r.created_at)"
    " FROM records r JOIN repositories repo ON repo.id = r.repository_id"
    " WHERE r.type = 'error' AND {records} GROUP BY 1 ORDER BY 2 DESC, 1",
)
ERROR_TAGS = Section(
    "Error tags",
    ("tag", "errors", "repositories"),
    "SELECT t, count(*), count(DISTINCT r.repository_id) FROM records r, unnest(r.tags) t"
    " WHERE r.type = 'error' AND {records} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30",
)
ERROR_COMPONENTS = Section(
    "Errors by component",
    ("component", "errors"),
    "SELECT array_to_string((string_to_array(trim(leading './' from p), '/'))[1:2], '/'),"
    " count(DISTINCT (r.repository_id, r.location, r.id)) FROM records r, unnest(r.paths) p"
    " WHERE r.type = 'error' AND {records} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30",
)
RECENT_ERRORS = Section(
    "Latest errors",
    ("created", "repository", "id", "title"),
    "SELECT r.created_at, repo.name, r.id, r.title FROM records r"
    " JOIN repositories repo ON repo.id = r.repository_id WHERE r.type = 'error' AND {records}"
    " ORDER BY r.created_at DESC NULLS LAST LIMIT 20",
)
SESSIONS_BY_REPOSITORY = Section(
    "Sessions by repository and tool",
    (
        "repository",
        "tool",
        "sessions",
        "messages",
        "messages per session",
        "summarised",
        "last started",
    ),
    "SELECT repo.name, coalesce(s.tool, '(unknown)'), count(*), sum(s.message_count),"
    " round(avg(s.message_count), 1), count(*) FILTER (WHERE s.summary_id IS NOT NULL),"
    " max(s.started_at) FROM sessions s JOIN repositories repo ON repo.id = s.repository_id"
    " WHERE {sessions} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
)
SESSIONS_PER_MONTH = Section(
    "Sessions started per month",
    ("month", "sessions", "messages", "repositories"),
    "SELECT coalesce(to_char(date_trunc('month', s.started_at), 'YYYY-MM'), '(unknown)'),"
    " count(*), sum(s.message_count), count(DISTINCT s.repository_id) FROM sessions s"
    " WHERE {sessions} GROUP BY 1 ORDER BY 1",
)
LONGEST_SESSIONS = Section(
    "Longest sessions",
    ("repository", "session", "label", "messages", "started"),
    "SELECT repo.name, s.id, s.label, s.message_count, s.started_at FROM sessions s"
    " JOIN repositories repo ON repo.id = s.repository_id WHERE {sessions}"
    " ORDER BY s.message_count DESC, s.id LIMIT 20",
)
EXTRACTION = Section(
    "Sessions summarised into memories",
    (
        "repository",
        "sessions",
        "summarised",
        "summarised %",
        "records from sessions",
        "captured from commits",
        "imported",
    ),
    "SELECT repo.name, coalesce(s.sessions, 0), coalesce(s.summarised, 0),"
    " CASE WHEN coalesce(s.sessions, 0) = 0 THEN 0"
    " ELSE round(100.0 * s.summarised / s.sessions, 1) END,"
    " coalesce(r.from_sessions, 0), coalesce(r.captured, 0), coalesce(r.imported, 0)"
    " FROM repositories repo"
    " LEFT JOIN (SELECT s.repository_id, count(*) AS sessions,"
    " count(*) FILTER (WHERE s.summary_id IS NOT NULL) AS summarised FROM sessions s"
    " WHERE {sessions} GROUP BY 1) s ON s.repository_id = repo.id"
    " LEFT JOIN (SELECT r.repository_id,"
    " count(*) FILTER (WHERE r.source = 'session' OR r.session IS NOT NULL) AS from_sessions,"
    " count(*) FILTER (WHERE r.source = 'hook') AS captured,"
    " count(*) FILTER (WHERE r.source = 'import') AS imported FROM records r"
    " WHERE {records} GROUP BY 1) r ON r.repository_id = repo.id ORDER BY 1",
)
PUBLISH_RUNS = Section(
    "Latest publish runs",
    (
        "finished",
        "repository",
        "records +",
        "records -",
        "sessions changed",
        "messages +",
        "messages -",
        "seconds",
    ),
    "SELECT p.finished_at, repo.name, p.records_added, p.records_removed, p.sessions_changed,"
    " p.messages_added, p.messages_removed,"
    " round(extract(epoch FROM p.finished_at - p.started_at)::numeric, 2)"
    " FROM publish_runs p JOIN repositories repo ON repo.id = p.repository_id"
    " ORDER BY p.finished_at DESC LIMIT 20",
)

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "activity",
            "Project activity",
            "records, authors and projects per repository",
            (RECORDS_BY_REPOSITORY, BY_PROJECT, TOP_AUTHORS),
        ),
        Kind(
            "timeline",
            "Timeline",
            "records and session messages per month",
            (TIMELINE, MESSAGES_PER_MONTH),
        ),
        Kind(
            "components",
            "Component usage",
            "which paths records are about, by component",
            (COMPONENTS,),
        ),
        Kind(
            "errors",
            "Error analysis",
            "error records by repository, tag and component",
            (ERRORS_BY_REPOSITORY, ERROR_TAGS, ERROR_COMPONENTS, RECENT_ERRORS),
        ),
        Kind(
            "sessions",
            "Sessions",
            "assistant sessions and their messages",
            (SESSIONS_BY_REPOSITORY, SESSIONS_PER_MONTH, LONGEST_SESSIONS),
        ),
        Kind(
            "extraction",
            "Extraction progress",
            "how much of the sessions became memories; the publish runs",
            (EXTRACTION, PUBLISH_RUNS),
        ),
    )
}


def _window(column: str, since: datetime | None, until: datetime | None) -> tuple[str, list[Any]]:
    parts, params = ["TRUE"], []
    if since:
        parts.append(f"{column} >= %s")
        params.append(since)
    if until:
        parts.append(f"{column} <= %s")
        params.append(until)
    return " AND ".join(parts), params


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if value is None or isinstance(value, (int, float, str)):
        return value
    return float(value) if hasattr(value, "as_integer_ratio") else str(value)


def build(
    conn: Conn, name: str, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    kind = KINDS[name]
    windows = {
        "records": _window("r.created_at", since, until),
        "messages": _window("m.at", since, until),
        "sessions": _window("s.started_at", since, until),
    }
    sections = []
    for section in kind.sections:
        sql, params = section.sql, []
        # Placeholders in the order they appear in the SQL.
        for position in sorted(
            (sql.find("{" + key + "}"), key) for key in windows if "{" + key + "}" in sql
        ):
            params.extend(windows[position[1]][1])
        text = sql.format(**{key: value[0] for key, value in windows.items()})
        rows = [[_cell(v) for v in row] for row in conn.execute(text.encode(), params)]
        sections.append({"title": section.title, "columns": list(section.columns), "rows": rows})
    return {
        "report": name,
        "title": f"{kind.title} across repositories",
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "sections": sections,
    }


def _markdown_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(document: dict[str, Any]) -> str:
    lines = [f"# {document['title']}", ""]
    if document["since"] or document["until"]:
        lines += [f"From {document['since'] or 'the start'} to {document['until'] or 'now'}.", ""]
    for section in document["sections"]:
        lines += [f"## {section['title']}", ""]
        if not section["rows"]:
            lines += ["Nothing yet.", ""]
            continue
        lines.append("| " + " | ".join(section["columns"]) + " |")
        lines.append("|" + "---|" * len(section["columns"]))
        for row in section["rows"]:
            lines.append("| " + " | ".join(_markdown_cell(v) for v in row) + " |")
        lines.append("")
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "markdown": markdown,
    "json": lambda document: json.dumps(document, indent=2, ensure_ascii=False) + "\n",
}


def render(document: dict[str, Any], fmt: str) -> str:
    return RENDERERS[fmt](document)
