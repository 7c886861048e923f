"""Search across every published repository: records (`git mem search --server`) and session
messages (`--server --sessions`).

The query syntax is local search's: plain words are a question (any of them, ranked by the
weighted match, title > summary/tags > body, plus one point per word matched, so more matched
words come first; among the first 2,000 matching records or messages); a word also
reaches longer words it starts (prefix match); "phrases",
AND/OR/NOT, ( ), -word and field:value are strict (parsed into SQL by `tsquery`). Field terms
and the CLI filters become SQL conditions. Records superseded, deprecated or rejected are hidden
unless `include_retired`. Here: the ranking queries, their hits, and the JSON they print as.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitmem.publish.tsquery import MESSAGE_FIELDS, RECORD_FIELDS, Query, literal, parse, word_query
from gitmem.search.engine import MARK_END, MARK_START
from gitmem.search.query import Filter
from gitmem.store.record import RETIRED_STATUSES, normalize_tag

if TYPE_CHECKING:
    from gitmem.publish.connect import Reader as Conn

START, STOP = "[[gm<", ">gm]]"  # ts_headline's markers, then the engine's control characters
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=25, MinWords=10, MaxFragments=1"
CANDIDATES = 2000  # messages ranked per query: the best of the first 2,000 matches
RECORD_CANDIDATES = 2000  # records likewise: a word in most records made a query seconds

EFFECTIVE_STATUS = (
    f"CASE WHEN r.status NOT IN {tuple(RETIRED_STATUSES)!r} AND r.superseded"
    " THEN 'superseded' ELSE r.status END"
).replace('"', "'")


def _filter_conditions(flt: Filter, conditions: list[str], params: list[Any]) -> None:
    def any_of(sql: str, values: list[str]) -> None:
        if values:
            conditions.append("(" + " OR ".join([sql] * len(values)) + ")")
            params.extend(values)

    any_of("r.type = %s", flt.types)
    for tag in flt.tags:
        conditions.append("r.tags @> ARRAY[%s]")
        params.append(normalize_tag(tag))
    any_of(f"{EFFECTIVE_STATUS} = %s", flt.statuses)
    any_of("r.author ILIKE '%%' || %s || '%%'", flt.authors)
    any_of("r.source = %s", flt.sources)
    any_of("lower(r.project) = %s", [p.lower() for p in flt.projects])
    any_of(RECORD_FIELDS["path"], [p.removeprefix("./").rstrip("/") for p in flt.paths])
    any_of(RECORD_FIELDS["commit"], flt.commits)
    if flt.since:
        conditions.append("r.created_at >= %s")
        params.append(flt.since)
    if flt.until:
        conditions.append("r.created_at <= %s")
        params.append(flt.until)
    if not flt.include_retired and not flt.statuses:
        conditions.append(f"r.status NOT IN {tuple(RETIRED_STATUSES)!r}".replace('"', "'"))
        conditions.append("NOT r.superseded")


@dataclass
class Hit:
    """A record found across repositories, its rank and its marked passage."""

    # Every dataclass on the search path has a docstring: without one, `dataclass` computes
    # one with `inspect.signature`, and importing inspect (ast, dis, tokenize) was ~5 ms of a
    # one-shot `search --server`'s CPU (gitmem.store.lazy keeps it out otherwise).
    score: float
    repository: str
    row: dict[str, Any]
    snippet: str


def _marks(snippet: str | None) -> str:
    text = " ".join((snippet or "").split())
    return text.replace(START, MARK_START).replace(STOP, MARK_END)


def _coordination(query: Query, column: str) -> tuple[str, list[Any]]:
    """One point per plain word matched: more matched words first. A query of one word: every
    candidate matched it, the point is a constant (each test reads the row's tsvector again,
    from TOAST for a long record: a third of the query's time)."""
    params: list[Any] = []
    if len(query.words) == 1 and query.tokens == query.words:
        return "1", params
    parts = []
    for word in query.words:
        sql = word_query(word, params)
        if sql:
            parts.append(f"(CASE WHEN {column} @@ {sql} THEN 1 ELSE 0 END)")
    return (" + ".join(parts) or "0"), params


def _matches(column: str, query: Query) -> str:
    """The match condition, its tsquery written out rather than read from the `q` CTE: a
    constant the planner folds and weighs with the column's statistics (a word in a quarter
    of all messages is found by reading the table, not by a bitmap of every match: 35 ms
    became 3). The ranking and the headline read it from `q`."""
    return f"{column} @@ ({query.tsquery})" if query.tsquery else "TRUE"


def records(conn: Conn, text: str, flt: Filter, *, limit: int, newest: bool = False) -> list[Hit]:
    query = parse(text, RECORD_FIELDS)
    conditions, params = list(query.conditions), list(query.condition_params)
    _filter_conditions(flt, conditions, params)
    tsquery = query.tsquery or "''::tsquery"
    coordination, coordination_params = _coordination(query, "r.tsv")
    where = " AND ".join([_matches("r.tsv", query), *conditions])
    order = "created_at DESC NULLS LAST, id" if newest else "score DESC, created_at DESC, id"
    outer = ", ".join(f"top.{part}" for part in order.split(", "))
    cap = "" if newest or not query.tsquery else f"LIMIT {RECORD_CANDIDATES}"
    # The wide columns ride along: the sort keeps only `limit` rows (a top-N heapsort), and
    # only the shown ones are read whole. Joining them back by key after the ranking planned
    # and opened every partition's index a second time (most of a one-shot search's query).
    sql = (
        f"WITH q AS (SELECT {tsquery} AS q), c AS ("
        f" SELECT repo.name, r.fields, r.location, r.body, r.id, r.created_at,"
        f" ts_rank_cd('{{0.1, 0.4, 0.7, 1.0}}', r.tsv, q.q) + {coordination} AS score"
        f" FROM records r JOIN repositories repo ON repo.id = r.repository_id, q"
        f" WHERE {where} {cap}),"
        f" top AS (SELECT * FROM c ORDER BY {order} LIMIT %s)"
        f" SELECT top.name, top.fields, top.location, {_headline(query, 'top.body')}, top.score"
        f" FROM top, q ORDER BY {outer}"
    )
    rows = conn.execute(sql, [*query.params, *coordination_params, *params, limit]).fetchall()
    hits = []
    for repository, fields, location, snippet, score in rows:
        row = {**fields, "location": location}
        hits.append(Hit(float(score), repository, row, _marks(snippet)))
    return hits


def _headline(query: Query, column: str) -> str:
    """The best passage of `column`, matched words marked, computed in the query that chose
    the hits (only for those shown; a second query was a second plan and round trip)."""
    if not query.tsquery:
        return f"left({column}, 160)"
    return f"ts_headline('english', {column}, q.q, {literal(HEADLINE)})"


@dataclass
class MessageHit:
    """A session message found across repositories, its rank and its marked passage."""

    score: float
    repository: str
    session: str
    hash: str
    role: str
    timestamp: str | None
    snippet: str


def messages(
    conn: Conn,
    text: str,
    *,
    limit: int,
    newest: bool = False,
    since: Any = None,
    until: Any = None,
) -> list[MessageHit]:
    """Session messages across repositories. Ranked among the first CANDIDATES matches (a
    common word matches hundreds of thousands of messages; ranking them all is seconds)."""
    query = parse(text, MESSAGE_FIELDS)
    conditions, params = list(query.conditions), list(query.condition_params)
    if since:
        conditions.append("m.at >= %s")
        params.append(since)
    if until:
        conditions.append("m.at <= %s")
        params.append(until)
    tsquery = query.tsquery or "''::tsquery"
    where = " AND ".join([_matches("m.tsv", query), *conditions])
    coordination, coordination_params = _coordination(query, "m.tsv")
    if newest or not query.tsquery:
        cap, order = f"ORDER BY m.at DESC NULLS LAST LIMIT {limit}", "at DESC NULLS LAST, hash"
    else:
        cap, order = f"LIMIT {CANDIDATES}", "score DESC, at DESC NULLS LAST, hash"
    outer = ", ".join(f"top.{part}" for part in order.split(", "))
    # The wide columns ride along (see `records`).
    sql = (
        f"WITH q AS (SELECT {tsquery} AS q), c AS ("
        f" SELECT repo.name, m.session_id, m.hash, m.role, m.timestamp, m.content, m.at,"
        f" ts_rank_cd(m.tsv, q.q) + {coordination} AS score"
        f" FROM session_messages m JOIN repositories repo ON repo.id = m.repository_id, q"
        f" WHERE {where} {cap}),"
        f" top AS (SELECT * FROM c ORDER BY {order} LIMIT %s)"
        f" SELECT top.name, top.session_id, top.hash, top.role, top.timestamp,"
        f" {_headline(query, 'top.content')}, top.score FROM top, q ORDER BY {outer}"
    )
    rows = conn.execute(sql, [*query.params, *coordination_params, *params, limit]).fetchall()
    return [
        MessageHit(float(row[6]), row[0], row[1], row[2], row[3], row[4], _marks(row[5]))
        for row in rows
    ]


def plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def records_json(hits: list[Hit], text: str) -> dict[str, Any]:
    """The document `search --server --json` prints and the org API answers."""
    return {
        "query": text,
        "count": len(hits),
        "hits": [
            {
                "score": round(hit.score, 4),
                "repository": hit.repository,
                "id": hit.row["id"],
                "type": hit.row["type"],
                "title": hit.row["title"],
                "location": hit.row["location"],
                "snippet": plain(hit.snippet),
                "record": hit.row,
            }
            for hit in hits
        ],
    }


def messages_json(found: list[MessageHit], text: str) -> dict[str, Any]:
    """The document `search --server --sessions --json` prints and the org API answers."""
    return {
        "query": text,
        "count": len(found),
        "hits": [
            {
                "score": round(hit.score, 4),
                "repository": hit.repository,
                "session": hit.session,
                "hash": hit.hash,
                "role": hit.role,
                "timestamp": hit.timestamp,
                "snippet": plain(hit.snippet),
            }
            for hit in found
        ],
    }
