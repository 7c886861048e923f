"""Running the app: the policy, MCP mounted when its extra is there, uvicorn on a socket.

The socket is bound before the app is made, so a server asked for port 0 knows its real port
(the Host check needs it); uvicorn runs in a thread that `listening` stops on the way out.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from gitmem.errors import GitMemError
from gitmem.serve import app as application_module
from gitmem.serve.guard import ASGIApp, Guard, Policy, Scope, authorized, load_token, token_path
from gitmem.store import git

__all__ = ["application", "listening", "policy", "token_path", "wait"]


def policy(
    repo: git.RepoInfo, host: str, port: int, remote: bool, writes: bool, renew: bool = False
) -> Policy:
    return Policy(load_token(repo, renew=renew), host, port, remote, writes)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that say they
    # are TCP, and without it a keep-alive client waited 40 ms (Nagle against the client's
    # delayed ACK) for every answer whose body uvicorn writes after its headers.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise GitMemError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    return sock


def application(
    repo: git.RepoInfo, rules: Policy, database: str | None = None
) -> tuple[Guard, str | None]:
    """The app for `repo`, and why /mcp is missing (None when it is there). `database`: the
    published database the org API reads (gitmem/serve/org.py)."""
    from starlette.routing import Route

    from gitmem.serve import org

    extra = org.routes(database)

    def may_write(request: Any) -> str | None:
        if not rules.writes:
            return "this server is read-only: start it with git mem serve --allow-writes"
        scope: Scope = getattr(request, "scope", {})
        if not authorized({**scope, "method": "POST"}, rules):
            return "write tools need the token: Authorization: Bearer TOKEN (see git mem serve)"
        return None

    server = application_module.Server(repo, rules, database)
    try:
        from gitmem.assist import mcp_http
    except ImportError as error:
        problem = f"{error.name or error} is not installed (pip install '.[mcp]')"
        return application_module.build(server, extra), problem
    # /mcp works on the server's own warm core, under its one-at-a-time lock: a second
    # WarmRepo on the same repository would watch, refresh and keep the index open twice.
    mcp_app, lifespan = mcp_http.http_app(
        repo.work_tree or repo.git_dir, may_write, server.warm, server.lock
    )
    routes = [*extra, Route("/mcp", mcp_app, methods=["GET", "POST", "DELETE"])]
    return application_module.build(server, routes, lifespan), None


class Running:
    """uvicorn serving `app` on `sock` in a thread."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        import uvicorn

        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise GitMemError("the server did not start (see the lines above)")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@contextlib.contextmanager
def listening(app: ASGIApp, sock: socket.socket) -> Iterator[int]:
    """Serve `app` on `sock` (from `bind`) until the block ends; yields the port."""
    running = Running(app, sock)
    running.start()
    try:
        yield running.port
    finally:
        running.stop()


def wait() -> None:
    """Block until Ctrl-C; the caller's `listening` block then stops the server."""
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
