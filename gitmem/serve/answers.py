"""What every response shares: the security headers, and GitMemError as an HTTP status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from starlette.responses import JSONResponse

from gitmem.errors import ConflictError, GitMemError, NotFoundError

if TYPE_CHECKING:
    from gitmem.records.store import Store
    from gitmem.serve.reuse import Reuse

T = TypeVar("T")


class Runner(Protocol):
    """Runs work on a fresh Store in a worker thread, one request at a time (`app.Server`)."""

    reuse: Reuse  # views computed once per repository state

    def run(self, work: Callable[[Store], T]) -> Awaitable[T]: ...


HEADERS = {
    # No inline or foreign script can run, whatever a record manages to put in a page; the
    # reports' inline <style> and SVG stay allowed. No framing (clickjacking), no sniffing.
    "content-security-policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def status_of(error: GitMemError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    return 400 if error.exit_code == 2 else 422


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status, headers=HEADERS)
