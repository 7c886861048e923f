"""The MCP server of `mcp_server` over the SDK's streamable-HTTP transport, as an ASGI app.

`git mem serve` mounts it at /mcp. The transport's own Host/Origin checks are left off: the
server in front of it (`gitmem.serve.guard`) applies its rules to every route, this one
included. Write tools run only when `may_write` accepts the HTTP request behind the call (the
bearer token, and a server started with --allow-writes).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager

from gitmem.assist.mcp_server import WriteCheck, server
from gitmem.records.warm import WarmRepo

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


def http_app(
    start: Path,
    may_write: WriteCheck,
    warm: WarmRepo | None = None,
    serial: threading.Lock | None = None,
) -> tuple[ASGIApp, Callable[[], contextlib.AbstractAsyncContextManager[None]]]:
    """The ASGI app answering MCP requests, and the lifespan it must run inside (the session
    manager's task group). `warm`, `serial`: the WarmRepo and the one-at-a-time lock of the
    server it is mounted in, shared rather than a second warm core on the same repository."""
    tools = server(start, may_write, warm, serial)
    manager = StreamableHTTPSessionManager(app=tools, json_response=True)
    app: ASGIApp = StreamableHTTPASGIApp(manager)  # an object, so a Route mounts it as ASGI

    @contextlib.asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        async with manager.run():
            yield

    return app, lifespan
