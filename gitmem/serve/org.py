"""The organisation API: `/api/v1/org/search` and `/api/v1/org/reports/{kind}` answer from the
PostgreSQL database `git mem publish` fills, across every repository published there, with the
documents `git mem search --server --json` and `git mem report --server KIND --json` print.

Separate paths rather than a `server=1` flag on `/search` and `/reports`: their filters, report
kinds and answers differ (a repository column, paths and commits as given), and a client can
tell from the path which memory answered. Present when `git mem serve` has a database
(`--database URL`, GITMEM_DATABASE_URL or `[publish] url`); without one they answer 404 saying
how to give one. Each request opens its own connection in a worker thread (psycopg), outside the
repository's one-at-a-time lock: it reads the database only. The connection is made when a
request comes, so a server whose database is down still starts, and the request says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gitmem.errors import GitMemError, NotFoundError, UsageError
from gitmem.publish import reports  # light: its psycopg is imported where a query runs
from gitmem.search.query import FILTER_OPTIONS, Filter
from gitmem.serve.answers import HEADERS, error_response, status_of
from gitmem.serve.params import Query

PREFIX = "/api/v1/org"
SEARCH_PARAMS = ("q", "scope", "limit", "sort", *FILTER_OPTIONS, "all")
REPORT_PARAMS = ("format", "since", "until")
RECORD_ONLY = tuple(name for name in SEARCH_PARAMS[4:] if name not in ("since", "until"))
NO_DATABASE = (
    "this server has no database: start git mem serve with --database URL, or set "
    "GITMEM_DATABASE_URL or [publish] url in .memory/config.toml"
)


@dataclass(frozen=True)
class Operation:
    """An org path as the OpenAPI document lists it (`openapi.document(org=True)`)."""

    path: str  # under /api/v1
    name: str  # its operationId
    summary: str
    answer: str  # what a 200 holds
    params: tuple[str, ...]
    meaning: Mapping[str, str] = field(default_factory=dict)  # where MEANING does not fit


OPERATIONS = (
    Operation(
        "/org/search",
        "org_search",
        "ranked search across every repository published to the database",
        "the document `git mem search --server --json` prints (each hit names its repository)",
        SEARCH_PARAMS,
        {
            "scope": "records (default) or sessions (transcript messages)",
            "path": "records about this path, as given (repeatable)",
            "commit": "records of this commit: a full or abbreviated sha, as given (repeatable)",
            "all": "include retired records (true/false)",
        },
    ),
    Operation(
        "/org/reports/{kind}",
        "org_report",
        "a report across every published repository: " + ", ".join(reports.KINDS),
        "the document `git mem report --server KIND --json` prints, or its Markdown",
        REPORT_PARAMS,
        {"format": "json (default) or markdown"},
    ),
)


def _filter(query: Query) -> Filter:
    """The record filters, paths and commits as given (the database holds many repositories)."""
    return query.filter_of(query.many("path"), query.many("commit"), unmerged=False)


def search(url: str, query: Query) -> dict[str, Any]:
    from gitmem.publish import ask, connect, schema

    text = query.one("q") or ""
    scope = query.choice("scope", ("records", "sessions"))
    limit = query.number("limit", 10, 1, 100)
    newest = query.choice("sort", ("relevance", "newest")) == "newest"
    if scope == "sessions":
        given = [name for name in RECORD_ONLY if query.values.get(name)]
        if given:
            raise UsageError(f"{', '.join(given)} filter records: not with scope=sessions")
    flt = _filter(query)
    with connect.connect(url) as conn:
        schema.require(conn, connect.where(url))
        if scope == "sessions":
            found = ask.messages(
                conn,
                text,
                limit=limit,
                newest=newest,
                since=flt.since,
                until=flt.until,
            )
            return ask.messages_json(found, text)
        return ask.records_json(ask.records(conn, text, flt, limit=limit, newest=newest), text)


def report(url: str, kind: str, query: Query) -> tuple[str, Any]:
    """(format, the document or its Markdown)."""
    from gitmem.publish import connect, schema

    if kind not in reports.KINDS:
        raise NotFoundError(f"no report {kind!r} across repositories: {', '.join(reports.KINDS)}")
    form = query.choice("format", ("json", "markdown"))
    since, until = query.when("since"), query.when("until")
    with connect.connect(url) as conn:
        schema.require(conn, connect.where(url))
        document = reports.build(conn, kind, since, until)
    return form, document if form == "json" else reports.render(document, "markdown")


def _answer(form: str, document: Any) -> Response:
    if form == "markdown":
        kind = "text/markdown; charset=utf-8"
        return PlainTextResponse(document, headers=HEADERS, media_type=kind)
    return JSONResponse(document, headers=HEADERS)


def routes(url: str | None) -> list[Route]:
    """The org routes, answering from the database at `url` (None: 404 saying how)."""

    async def answer(request: Request, allowed: tuple[str, ...], work: Callable[..., Any]) -> Any:
        if url is None:
            return error_response(404, NO_DATABASE)
        try:
            query = Query(request.query_params.multi_items(), allowed)
            form, document = await run_in_threadpool(work, url, query)
        except GitMemError as error:
            return error_response(status_of(error), str(error))
        return _answer(form, document)

    async def search_route(request: Request) -> Response:
        result: Response = await answer(request, SEARCH_PARAMS, lambda u, q: ("json", search(u, q)))
        return result

    async def report_route(request: Request) -> Response:
        kind = request.path_params["kind"]
        result: Response = await answer(request, REPORT_PARAMS, lambda u, q: report(u, kind, q))
        return result

    return [
        Route(f"{PREFIX}/search", search_route, methods=["GET"]),
        Route(f"{PREFIX}/reports/{{kind}}", report_route, methods=["GET"]),
    ]
