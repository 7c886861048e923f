"""The web UI: server-rendered pages (Jinja2, autoescaped), readable without JavaScript.

Every view is a plain GET with its state in the query string, so its URL is its permalink.
`static/app.js` only adds search-as-you-type (it fetches `/?q=...&fragment=1`, the results
part of the same page) and keyboard navigation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from gitmem.errors import GitMemError, UsageError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.engine import words
from gitmem.search.query import Filter, effective_status
from gitmem.serve import markdown
from gitmem.serve.answers import HEADERS, Runner, status_of
from gitmem.serve.params import FILTERS, Query
from gitmem.serve.reuse import Reuse

if TYPE_CHECKING:
    from jinja2 import Environment


TEMPLATES = Path(__file__).parent / "templates"
FACETS = ("type", "tag", "status", "author", "path")
SEARCH_PARAMS = ("q", "scope", *FILTERS, "fragment")  # every filter of `git mem search`
# What the search page looks in: the records, the messages of the session transcripts, or
# both in one ranking (`git mem search`, `--sessions`, `--everything`).
SCOPES = {"records": "memories", "sessions": "conversations", "all": "both"}
SHOWN = 50  # results on the search page
NEARBY = 20  # records on the same paths shown on a record page
# At most this many candidates (the newest records under the folders above its paths) are read
# for them: a page stays fast in a repository where most records sit under `src/`; the search
# page's path filter (linked) lists every one.
NEARBY_BUDGET = 2000
TIMELINE_PAGE = 100  # events on a page of the timeline
DECISIONS_PAGE = 100  # decisions on a page of the decision index (the counts cover all)


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    env.filters["markdown"] = markdown.render
    env.filters["snippet"] = markdown.snippet
    return env


def page(name: str, code: int = 200, **values: Any) -> HTMLResponse:
    html = environment().get_template(name).render(**values)
    return HTMLResponse(html, code, headers=HEADERS)


def error_page(request: Request, status: int, message: str) -> Response:
    return page("error.html", status, title=f"{status}", message=message)


def with_param(values: dict[str, list[str]], name: str, value: str) -> str:
    """The search URL with one more facet value (a permalink of the narrowed view)."""
    merged = {key: list(vals) for key, vals in values.items() if key != "fragment"}
    if value not in merged.setdefault(name, []):
        merged[name].append(value)
    return "/?" + urlencode([(k, v) for k, vals in merged.items() for v in vals])


def facets(rows: Sequence[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in rows:
        counts["type"][str(row.get("type"))] += 1
        counts["status"][str(row.get("status"))] += 1
        if row.get("author"):
            counts["author"][str(row["author"])] += 1
        counts["tag"].update(row.get("tags", []))
        counts["path"].update(row.get("paths", []))
    return {name: c.most_common(8) for name, c in counts.items() if c}


def search_view(store: Store, items: list[tuple[str, str]]) -> dict[str, Any]:
    query = Query(items, SEARCH_PARAMS)
    text = (query.one("q") or "").strip()
    scope = query.choice("scope", tuple(SCOPES))
    flt = query.filter(store)
    results: list[dict[str, Any]] = []
    note = ""
    if text and words(text):
        found, results = _found(store, query, flt, text, scope)
        if not results:
            note = f"no {SCOPES[scope] if scope != 'all' else 'memories or conversations'} "
            note += f"match {text!r}"
            if found is not None and found.hidden == "retired":
                note += "; superseded, deprecated or rejected ones do: tick “include retired”"
            elif found is not None and found.suggestion:
                note += f"; did you mean {found.suggestion!r}?"
    else:
        results = [{"row": row, "snippet": ""} for row in finder.records(store, flt, SHOWN)]
    values = query.values
    return {
        "q": text,
        "scope": scope,
        "scopes": SCOPES,
        "results": results,
        "note": note,
        "facets": facets([r["row"] for r in results if "row" in r]),
        "chosen": {n: query.many(n) for n in FILTERS if n != "all" and query.many(n)},
        "all": query.flag("all"),
        "link": lambda name, value: with_param(values, name, value),
        "fragment": query.flag("fragment"),
    }


def _found(
    store: Store, query: Query, flt: Filter, text: str, scope: str
) -> tuple[finder.Found | None, list[dict[str, Any]]]:
    """The hits of `scope`: a record as {row, snippet}, a message as {message, label,
    snippet} (its session's label: the page names the conversation)."""
    from gitmem.sessions import search as conversations
    from gitmem.sessions import sessions

    if scope == "records":
        found = finder.search(store, flt, text, limit=SHOWN)
        return found, [{"row": hit.row, "snippet": hit.snippet} for hit in found.hits]
    if scope == "sessions":
        given = sorted(name for name in FILTERS if query.values.get(name) and name != "all")
        if given:
            raise UsageError(f"{', '.join(given)} filter memories: not in conversations")
        hits = conversations.search(store.repo, text, limit=SHOWN)
        mixed = [conversations.Mixed(None, hit, hit.score) for hit in hits]
        records: finder.Found | None = None
    else:
        both = conversations.everything(store, flt, text, limit=SHOWN)
        mixed, records = both.hits, both.records
    labels = {info.id: info.label for info in sessions.listing(store)} if mixed else {}
    results: list[dict[str, Any]] = []
    for item in mixed:
        if item.record is not None:
            results.append({"row": item.record.row, "snippet": item.record.snippet})
        elif item.message is not None:
            message = item.message.message
            label = labels.get(message.session) or message.session
            results.append({"message": message, "label": label, "snippet": item.message.snippet})
    return records, results


def record_view(store: Store, prefix: str) -> dict[str, Any]:
    """A record and what surrounds it, in lookups rather than a read of every record: the
    records it names (supersedes, links) by id, what else touches its paths through the index;
    only a record that something supersedes reads the rows of the records that supersede
    (`finder.superseding`) to find what does."""
    stored = store.get(prefix)
    memory = stored.memory
    fields = {k: v for k, v in memory.to_json().items() if k != "body"}
    superseded = store.catalog().superseded
    newer: list[dict[str, Any]] = []
    if memory.id in superseded:
        every = Filter(include_retired=True, include_unmerged=True)
        newer = [
            r for r in finder.superseding(store, every) if memory.id in r.get("supersedes", [])
        ]
    named = finder.rows_by_id(store, [*memory.supersedes, *memory.links])
    older = [named.get(i, {"id": i, "title": "(not here)"}) for i in memory.supersedes]
    links = [named.get(i, {"id": i, "title": "(not here)"}) for i in memory.links]
    nearby: list[dict[str, Any]] = []
    complete = True
    if memory.paths:
        flt = Filter(paths=list(memory.paths))
        nearby, complete = finder.about_paths(store, flt, NEARBY, memory.id, NEARBY_BUDGET)
    return {
        "memory": memory,
        "fields": fields,
        "location": stored.location,
        "newer": newer,
        "older": older,
        "links": links,
        "nearby": nearby,
        "nearby_complete": complete,
        "nearby_all": "/?" + urlencode([("path", path) for path in memory.paths]),
        "transcript": memory.session or None,
        "status": effective_status({"id": memory.id, "status": memory.status}, superseded),
    }


def report_doc(store: Store, name: str, reuse: Reuse) -> dict[str, Any]:
    """Report `name` over all time, kept per repository state as the API keeps it (one copy
    for /decisions, /reports/NAME and /api/v1/reports/NAME)."""
    from gitmem.reports.data import Window
    from gitmem.serve.api import kept_report

    return kept_report(reuse, store, name, Window())


def report_body(doc: dict[str, Any]) -> tuple[str, str]:
    """A report's title and its HTML (escaped by the report renderer, charts inline) for the
    app's own page, so it has the navigation and the themes; records link to their pages."""
    from gitmem.reports import html
    from gitmem.reports.blocks import Link
    from gitmem.reports.report import KINDS

    def href(link: Link) -> str:
        return f"/records/{quote(link.record)}" if link.record else link.href

    kind = KINDS[doc["report"]]
    return kind.title, html.fragment(kind.title, kind.layout(doc), href)


def decisions_view(store: Store, items: list[tuple[str, str]], reuse: Reuse) -> dict[str, Any]:
    """A page of the decision index, newest first; the index itself (every decision, its
    status, the counts) is computed once per repository state (`reuse`)."""
    query = Query(items, ("offset", "limit"))
    offset = query.number("offset", 0, 0, 10**9)
    limit = query.number("limit", DECISIONS_PAGE, 1, 1000)
    doc = report_doc(store, "decisions", reuse)
    listed = doc["decisions"]  # oldest first
    end = max(0, len(listed) - offset)
    shown = listed[max(0, end - limit) : end][::-1]

    def at(start: int) -> str:
        given = [("limit", str(limit))] if limit != DECISIONS_PAGE else []
        return "/decisions?" + urlencode([*given, ("offset", str(start))])

    return {
        "doc": doc,
        "decisions": shown,
        "first": offset + 1,
        "newer": at(max(0, offset - limit)) if offset else None,
        "older": at(offset + limit) if offset + limit < len(listed) else None,
    }


def timeline_view(store: Store, items: list[tuple[str, str]]) -> dict[str, Any]:
    """Records, deploys and sessions on one axis, newest first, a page at a time; `type`
    keeps some kinds. Records are read newest first only as far as the page needs."""
    from gitmem.reports.data import deploy_of
    from gitmem.sessions import sessions

    query = Query(items, ("type", "offset", "limit"))
    kinds = query.many("type")
    offset = query.number("offset", 0, 0, 10**9)
    limit = query.number("limit", TIMELINE_PAGE, 1, 1000)
    wanted = offset + limit + 1  # one more: is there an older page?
    superseded = store.catalog().superseded
    events: list[dict[str, Any]] = []
    record_kinds = [kind for kind in kinds if kind != "session"]
    if not kinds or record_kinds:
        types = sorted({"episodic" if kind == "deploy" else kind for kind in record_kinds})
        for row in finder.newest(store, Filter(types=types, include_retired=True)):
            deploy = deploy_of(row)
            kind = "deploy" if deploy else str(row.get("type"))
            if kinds and kind not in kinds:
                continue
            shown = {**row, "status": effective_status(row, superseded)}
            events.append(
                {"when": row.get("created") or "", "kind": kind, "record": shown, "deploy": deploy}
            )
            if len(events) >= wanted:
                break
    if not kinds or "session" in kinds:
        for info in sessions.listing(store):
            events.append({"when": info.started or "", "kind": "session", "session": info})
    events.sort(key=lambda e: e["when"], reverse=True)
    every = sorted({*store.config.type_names, "deploy", "session"})

    def at(start: int) -> str:
        given = [("type", kind) for kind in kinds]
        given += [("limit", str(limit))] if limit != TIMELINE_PAGE else []
        return "/timeline?" + urlencode([*given, ("offset", str(start))])

    more = len(events) > offset + limit
    return {
        "events": events[offset : offset + limit],
        "kinds": kinds,
        "every": every,
        "newer": at(max(0, offset - limit)) if offset else None,
        "older": at(offset + limit) if more else None,
    }


def transcript_view(store: Store, prefix: str, items: list[tuple[str, str]]) -> dict[str, Any]:
    from gitmem.sessions import sessions

    query = Query(items, ("q",))
    text = (query.one("q") or "").strip()
    info, messages = sessions.show(store, prefix)
    wanted = [w.lower() for w in words(text)] if text else []
    pattern = re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE) if wanted else None
    shown, hits = [], 0
    for index, message in enumerate(messages, 1):  # from 1, as search hits number them
        hit = bool(pattern and pattern.search(message.content))
        hits += hit
        shown.append({"index": index, "message": message, "hit": hits if hit else 0})
    return {"info": info, "messages": shown, "q": text, "hits": hits}


def routes(server: Runner) -> list[Route]:
    reuse = server.reuse

    async def home(request: Request) -> Response:
        items = request.query_params.multi_items()
        view = await server.run(lambda store: search_view(store, items))
        return page("results.html" if view["fragment"] else "search.html", **view)

    async def record(request: Request) -> Response:
        prefix = request.path_params["id"]
        view = await server.run(lambda store: record_view(store, prefix))
        if view["memory"].id != prefix:  # a prefix: the permalink is the whole id
            return RedirectResponse(f"/records/{view['memory'].id}", 302)
        return page("record.html", **view)

    async def decisions(request: Request) -> Response:
        items = request.query_params.multi_items()
        view = await server.run(lambda store: decisions_view(store, items, reuse))
        return page("decisions.html", **view)

    async def timeline(request: Request) -> Response:
        items = request.query_params.multi_items()
        view = await server.run(lambda store: timeline_view(store, items))
        return page("timeline.html", **view)

    async def reports(request: Request) -> Response:
        from gitmem.reports.report import KINDS

        return page("reports.html", kinds=KINDS)

    async def report(request: Request) -> Response:
        name = request.path_params["kind"]
        title, body = await server.run(
            lambda store: reuse.get(
                store, ("report page", name), lambda s: report_body(report_doc(s, name, reuse))
            )
        )
        return page("report.html", title=title, body=body, kind=name)

    async def session_list(request: Request) -> Response:
        from gitmem.sessions import sessions

        found = await server.run(sessions.listing)
        return page("sessions.html", sessions=found)

    async def transcript(request: Request) -> Response:
        prefix, items = request.path_params["id"], request.query_params.multi_items()
        view = await server.run(lambda store: transcript_view(store, prefix, items))
        return page("transcript.html", **view)

    async def deploys(request: Request) -> Response:
        return RedirectResponse("/reports/deploys", 302)

    views = {
        "/": home,
        "/records/{id}": record,
        "/decisions": decisions,
        "/timeline": timeline,
        "/reports": reports,
        "/reports/{kind}": report,
        "/deploys": deploys,
        "/sessions": session_list,
        "/sessions/{id}": transcript,
    }
    return [Route(path, answering(view)) for path, view in views.items()]


def answering(view: Callable[[Request], Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """`view`, with a GitMemError (an unknown id, a bad filter) shown as an error page."""

    async def guarded(request: Request) -> Response:
        try:
            return await view(request)
        except GitMemError as error:
            return error_page(request, status_of(error), str(error))

    return guarded
