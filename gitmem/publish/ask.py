"""Search across every published repository: records (`git mem search --server`) and session
messages (`--server --sessions`).

The query syntax is local search's: plain words are a question (any of them, ranked by the
weighted match, title > summary/tags > body, plus one point per word matched, so more matched
words come first; among the first 2,000 matching records or messages); a word also
reaches longer words it starts (prefix match); "phrases",
AND/OR/NOT, ( ), -word and field:value are strict. Field terms and the CLI filters become SQL
conditions. Records superseded, deprecated or rejected are hidden unless `include_retired`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitmem.search.engine import MARK_END, MARK_START
from gitmem.search.query import Filter
from gitmem.store.record import RETIRED_STATUSES, normalize_tag

if TYPE_CHECKING:
    from gitmem.publish.connect import Reader as Conn

FIELDS = {"type", "tag", "status", "author", "project", "source", "path", "commit", "repo"}
TOKEN = re.compile(r'-?"[^"]*"|[()]|[^\s()]+')
WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
START, STOP = "[[gm<", ">gm]]"  # ts_headline's markers, then the engine's control characters
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=25, MinWords=10, MaxFragments=1"
CANDIDATES = 2000  # messages ranked per query: the best of the first 2,000 matches
RECORD_CANDIDATES = 2000  # records likewise: a word in most records made a query seconds


@dataclass
class Query:
    """A query as SQL: a tsquery expression, its parameters, filters, and the plain words."""

    tsquery: str = ""
    params: list[Any] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    condition_params: list[Any] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # the query's tokens, as split


def _literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings: only quotes are special). Query
    pieces are inlined, not parameters: the parser reorders them (strict terms first)."""
    # % doubled: the statement also has parameters, so psycopg reads %-placeholders in it.
    return "'" + text.replace("\x00", "").replace("'", "''").replace("%", "%%") + "'"


def _word_query(word: str, params: list[Any]) -> str | None:
    parts = re.findall(r"[^\W_]+", word.lower())
    if not parts:
        return None
    # to_tsquery stems each word (english) and :* makes it a prefix; a stop word is dropped.
    return f"to_tsquery('english', {_literal(' & '.join(f'{part}:*' for part in parts))})"


def _phrase_query(phrase: str, params: list[Any]) -> str | None:
    if not WORD.search(phrase):
        return None
    return f"phraseto_tsquery('english', {_literal(phrase)})"


class _Parser:
    """Recursive descent over tokens: or := and (OR and)*; and := unary ((AND)? unary)*."""

    def __init__(self, text: str, query: Query, fields: dict[str, str]) -> None:
        self.tokens = TOKEN.findall(text)
        self.position = 0
        self.query = query
        self.fields = fields  # field name -> SQL condition taking one parameter

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token: str = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> str | None:
        expression = self.or_expression()
        while self.peek() is not None:  # a stray ")" : skip it, go on
            self.take()
            more = self.or_expression()
            expression = _join(expression, more, "&&")
        return expression

    def or_expression(self) -> str | None:
        expression = self.and_expression()
        while self.peek() == "OR":
            self.take()
            expression = _join(expression, self.and_expression(), "||")
        return expression

    def and_expression(self) -> str | None:
        """Strict items all hold; plain words are any-of. `a AND b` makes both strict."""
        items: list[tuple[str | None, bool]] = []
        joined = False
        while (token := self.peek()) is not None and token not in (")", "OR"):
            if token == "AND":
                self.take()
                if items:
                    items[-1] = (items[-1][0], False)
                joined = True
                continue
            item, is_plain = self.unary()
            items.append((item, is_plain and not joined))
            joined = False
        strict: str | None = None
        plain: str | None = None
        for item, is_plain in items:
            if is_plain:
                plain = _join(plain, item, "||")
            else:
                strict = _join(strict, item, "&&")
        return _join(strict, plain, "&&")

    def unary(self) -> tuple[str | None, bool]:
        token = self.take()
        params = self.query.params
        if token == "NOT" and self.peek() not in (None, ")", "OR"):
            inner, _ = self.unary()
            return (f"(!! {inner})" if inner else None), False
        if token == "(":
            inner = self.or_expression()
            if self.peek() == ")":
                self.take()
            return (f"({inner})" if inner else None), False
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        if body.startswith('"'):
            item = _phrase_query(body.strip('"'), params)
        else:
            name, colon, value = body.partition(":")
            if colon and value and name.lower() in self.fields:
                condition = self.fields[name.lower()]
                self.query.conditions.append(f"NOT ({condition})" if negated else condition)
                self.query.condition_params.append(_field_value(name.lower(), value))
                return None, False
            item = _word_query(body, params)
            if item and not negated:
                self.query.words.append(body)
                return item, True
        if negated:
            return (f"(!! {item})" if item else None), False
        return item, False


def _join(left: str | None, right: str | None, operator: str) -> str | None:
    if left is None:
        return right
    if right is None:
        return left
    return f"({left} {operator} {right})"


def _field_value(name: str, value: str) -> str:
    if name == "tag":
        return normalize_tag(value)
    return value.lower() if name in ("type", "status", "source", "project") else value


RECORD_FIELDS = {
    "type": "r.type = %s",
    "tag": "r.tags @> ARRAY[%s]",
    "status": "r.status = %s",
    "author": "r.author ILIKE '%%' || %s || '%%'",
    "project": "lower(r.project) = %s",
    "source": "r.source = %s",
    "path": "EXISTS (SELECT 1 FROM unnest(r.paths) p WHERE"
    " (%s || '/') LIKE rtrim(split_part(p, '*', 1), '/') || '/%%')",
    "commit": "EXISTS (SELECT 1 FROM unnest(r.commits || substr(r.location, 6)) c"
    " WHERE c <> '' AND c LIKE %s || '%%')",
    "repo": "repo.name ILIKE '%%' || %s || '%%'",
}
MESSAGE_FIELDS = {
    "role": "m.role = %s",
    "session": "m.session_id LIKE %s || '%%'",
    "repo": "repo.name ILIKE '%%' || %s || '%%'",
}
EFFECTIVE_STATUS = (
    f"CASE WHEN r.status NOT IN {tuple(RETIRED_STATUSES)!r} AND r.superseded"
    " THEN 'superseded' ELSE r.status END"
).replace('"', "'")


def parse(text: str, fields: dict[str, str]) -> Query:
    query = Query()
    parser = _Parser(text, query, fields)
    query.tokens = list(parser.tokens)
    query.tsquery = parser.parse() or ""
    return query


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
        sql = _word_query(word, params)
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
    return f"ts_headline('english', {column}, q.q, {_literal(HEADLINE)})"


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
