"""The Starlette application: the API routes, the pages, /mcp, and the rules around them.

Work on the repository runs in a worker thread, one request at a time (the Store and the index
are not made for concurrent use within one process), on a Store of the server's one
`records.warm.WarmRepo`: as fresh as a `git mem` command run at that moment, but paying only
for what changed since the last request (the index and the manifest stay open between them).
Every failure is an answer: a GitMemError is its one line with the status its kind means, bad
JSON and oversized bodies are 400 and 413, anything else is logged under the common dir (like
`main` does) and is a 500 that says where the log is.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gitmem.errors import GitMemError, log_unexpected
from gitmem.records.store import Store
from gitmem.records.warm import WarmRepo
from gitmem.serve import api, openapi
from gitmem.serve.answers import HEADERS, error_response, status_of
from gitmem.serve.guard import Guard, Policy, TooLarge
from gitmem.serve.params import Query
from gitmem.serve.reuse import Reuse
from gitmem.store import git

T = TypeVar("T")
STATIC = Path(__file__).parent / "static"


@dataclass
class Server:
    """What every request shares: the repository, the rules, the one warm core and the
    one-at-a-time lock (also held by the MCP endpoint's tool calls: `runner.application`)."""

    repo: git.RepoInfo
    policy: Policy
    database: str | None = None  # the published database the org API reads (serve.org)
    lock: threading.Lock = field(default_factory=threading.Lock)
    warm: WarmRepo = field(init=False)
    # The decision index and the reports, computed once per repository state (pages and API).
    reuse: Reuse = field(default_factory=Reuse)

    def __post_init__(self) -> None:
        self.warm = WarmRepo(self.repo)

    def store(self) -> Store:
        return self.warm.store(resident=True)  # (`[search] semantic` auto: on)

    def log_dir(self) -> Path:
        return self.repo.state_dir / "logs"

    async def run(self, work: Callable[[Store], T]) -> T:
        def locked() -> T:
            with self.lock:
                return work(self.store())

        return await run_in_threadpool(locked)


def _render(status: int, document: Any) -> Response:
    if isinstance(document, api.Text):
        if document.form == "html":
            return HTMLResponse(document.text, status, headers=HEADERS)
        kind = "text/markdown; charset=utf-8"
        return PlainTextResponse(document.text, status, headers=HEADERS, media_type=kind)
    return JSONResponse(document, status, headers=HEADERS)


def api_route(server: Server, endpoint: api.Endpoint) -> Route:
    async def handle(request: Request) -> Response:
        if endpoint.write and not server.policy.writes:
            return error_response(
                403, "this server is read-only: start it with git mem serve --allow-writes"
            )
        body = None
        if endpoint.body:
            try:
                raw = await request.body()
            except TooLarge as error:
                return error_response(413, str(error))
            try:
                body = json.loads(raw) if raw.strip() else None
            except (ValueError, UnicodeDecodeError) as error:
                return error_response(400, f"the request body is not JSON: {error}")
        items = request.query_params.multi_items()
        path = dict(request.path_params)

        def work(store: Store) -> tuple[int, Any]:
            return endpoint.handler(
                api.Call(store, Query(items, endpoint.params), path, body, server.reuse)
            )

        try:
            status, document = await server.run(work)
        except GitMemError as error:
            return error_response(status_of(error), str(error))
        except TooLarge as error:
            return error_response(413, str(error))
        return _render(status, document)

    return Route(openapi.PREFIX + endpoint.path, handle, methods=[endpoint.method])


def build(
    server: Server,
    extra_routes: Sequence[BaseRoute] = (),
    lifespan: Callable[[], contextlib.AbstractAsyncContextManager[None]] | None = None,
) -> Guard:
    """The whole application of `server` (its repository, under its policy). `extra_routes`
    and `lifespan`: the org API, the MCP endpoint and the lifespan its session manager needs
    (`runner.application` adds them; the MCP endpoint shares `server.warm` and `server.lock`).
    The app closes `server.warm` when it shuts down."""
    from gitmem.serve import pages

    policy = server.policy

    async def schema(request: Request) -> Response:
        return JSONResponse(openapi.document(org=server.database is not None), headers=HEADERS)

    routes: list[BaseRoute] = [
        *(api_route(server, endpoint) for endpoint in api.ENDPOINTS),
        Route(openapi.PREFIX + "/openapi.json", schema),
        *pages.routes(server),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *extra_routes,
    ]

    async def failed(request: Request, error: Exception) -> Response:
        if isinstance(error, GitMemError):
            status, message = status_of(error), str(error)
        elif isinstance(error, TooLarge):
            status, message = 413, str(error)
        elif isinstance(error, HTTPException):
            status = error.status_code
            message = {404: f"no such page: {request.url.path}", 405: "method not allowed"}.get(
                status, str(error.detail)
            )
        else:
            where = log_unexpected(error, server.log_dir())
            status, message = (
                500,
                f"unexpected {type(error).__name__}: {error} (details in {where})",
            )
        if request.url.path.startswith("/api/"):
            return error_response(status, message)
        return pages.error_page(request, status, message)

    @contextlib.asynccontextmanager
    async def lifetime(app: Starlette) -> AsyncIterator[None]:
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan():
                    yield
        finally:
            server.warm.close()

    app = Starlette(
        routes=routes,
        exception_handlers={Exception: failed, HTTPException: failed},
        lifespan=lifetime,
    )
    return Guard(app, policy)
