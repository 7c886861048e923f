"""Who may ask what: the bearer token, Host and Origin checks, and the request size cap.

The rules, in the order `Guard` applies them to every HTTP request:

- a body larger than `MAX_BODY` is refused (413) before it is read, also when it comes without
  a Content-Length (counted while it streams);
- on a loopback server the Host header must name the loopback address the server listens on
  (a DNS-rebinding page reaches 127.0.0.1 under its own host name, and is refused);
- an Origin header, when sent, must be the server's own (a page elsewhere cannot read or write);
- a server bound to another address (`--allow-remote`) wants the token on every request;
- a request that changes something (any method but GET, HEAD, OPTIONS) wants the token in an
  `Authorization: Bearer` header. Browsers never add that header to a cross-site request by
  themselves, and no CORS headers are sent, so a form or script on another site cannot write
  (CSRF). The web UI itself never writes. Those that change the memory also need the server
  started with `--allow-writes` (checked by the route, which knows what it does).

The token lives in `<git-common-dir>/gitmem/serve-token` (mode 0600), made on first start and
kept, so scripts can read it; `--new-token` replaces it.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from gitmem.store import git
from gitmem.store.files import atomic_write

MAX_BODY = 1024 * 1024  # bytes: a record is a page of Markdown; a megabyte is generous
TOKEN_FILE = "serve-token"
COOKIE = "gitmem_token"  # remote servers: a browser that opened ?token=... once
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK = ("127.0.0.1", "localhost", "::1")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def token_path(repo: git.RepoInfo) -> Path:
    return repo.state_dir / TOKEN_FILE


def load_token(repo: git.RepoInfo, *, renew: bool = False) -> str:
    """The server's bearer token: the one kept in the common dir, or a new one written there
    readable by its owner only."""
    path = token_path(repo)
    if not renew:
        try:
            token = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            token = ""
        if len(token) >= 32:
            os.chmod(path, 0o600)  # someone loosened it: the token is a password
            return token
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = os.umask(0o077)  # the temporary file is born 0600 too
    try:
        atomic_write(path, (token + "\n").encode("ascii"))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return token


@dataclass(frozen=True)
class Policy:
    token: str
    host: str  # the address the server listens on
    port: int
    remote: bool  # --allow-remote: the token on every request
    writes: bool  # --allow-writes

    def allowed_hosts(self) -> set[str]:
        if self.host in LOOPBACK:
            names = [*LOOPBACK[:2], "[::1]"]
        else:
            names = [f"[{self.host}]" if ":" in self.host else self.host]
        return {f"{name}:{self.port}" for name in names} | (
            set(names) if self.port == 80 else set()
        )

    def valid(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(
            presented.encode("utf-8", "surrogateescape"), self.token.encode("ascii")
        )


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def bearer(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer ...` header."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    kind, _, token = value.partition(" ")
    return token.strip() if kind.lower() == "bearer" else None


def cookie_token(scope: Scope) -> str | None:
    for part in (header(scope, b"cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def authorized(scope: Scope, policy: Policy) -> bool:
    """Does this request carry the token (the header; for reads also the browser's cookie)?"""
    if policy.valid(bearer(scope)):
        return True
    return scope.get("method", "GET") in SAFE_METHODS and policy.valid(cookie_token(scope))


async def refuse(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": message, "status": status}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


class TooLarge(Exception):
    pass


class Guard:
    """The ASGI middleware that applies the rules above before any route sees a request."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.policy.remote and scope.get("method") == "GET":
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
            if given and self.policy.valid(given[0]):
                # A browser opening the printed ?token= link: keep it in a cookie that only
                # this site gets (and never on a cross-site request) and drop it from the URL.
                cookie = f"{COOKIE}={given[0]}; Path=/; HttpOnly; SameSite=Strict"
                headers = [(b"location", scope.get("path", "/").encode("latin-1") or b"/")]
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                await send({"type": "http.response.start", "status": 303, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        problem = self.check(scope)
        if problem is not None:
            status, message = problem
            extra = [(b"www-authenticate", b'Bearer realm="gitmem"')] if status == 401 else []
            await refuse(send, status, message, extra)
            return
        await self.app(scope, self.capped(receive), send)

    def check(self, scope: Scope) -> tuple[int, str] | None:
        policy = self.policy
        length = header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return 413, f"the request body is larger than {MAX_BODY} bytes"
        host = (header(scope, b"host") or "").lower()
        if not policy.remote and host not in policy.allowed_hosts():
            return 421, f"unexpected Host {host!r}: open http://127.0.0.1:{policy.port}/"
        origin = header(scope, b"origin")
        scheme = scope.get("scheme", "http")
        if origin is not None and origin.lower() != f"{scheme}://{host}":
            return 403, f"requests from {origin!r} are not allowed: this server takes its own"
        method = scope.get("method", "GET")
        if policy.remote and not authorized(scope, policy):
            return 401, "this server wants its token on every request: Authorization: Bearer TOKEN"
        # (Which of these change the memory, and so need --allow-writes too, the route knows:
        # `app` checks that.)
        api = scope.get("path", "").startswith("/api/")
        if method not in SAFE_METHODS and api and not policy.valid(bearer(scope)):
            what = "a wrong token" if bearer(scope) else "no token"
            return 401, f"{what}: writes need Authorization: Bearer TOKEN (see git mem serve)"
        return None

    @staticmethod
    def capped(receive: Receive) -> Receive:
        """`receive`, refusing a body that grows past MAX_BODY without saying its length."""
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY:
                    raise TooLarge(f"the request body is larger than {MAX_BODY} bytes")
            return message

        return limited
