"""The stdio transport of `git mem mcp`: the SDK's, with every line checked first.

The SDK's own reader hands a line it cannot parse to the server as an exception, which answers
nothing: a client that sent malformed JSON, invalid UTF-8 or `params` as a string waited
forever. Here each line is read as bytes, at most `MAX_REQUEST_BYTES` of it kept (the rest of a
longer line is read and dropped, so memory stays bounded and the next line is read as usual),
decoded as strict UTF-8, parsed and checked against the JSON-RPC envelope; whatever fails gets
the JSON-RPC error the spec asks for (parse error -32700, invalid request -32600) with one line
saying what was wrong, and the server goes on reading. Only well-formed lines reach the SDK.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, BinaryIO

import anyio
import anyio.abc
import anyio.to_thread
from mcp import types
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

MAX_REQUEST_BYTES = 4 * 1024 * 1024
"""Bytes of one JSON-RPC message (one line): a save of a few megabytes of text still fits."""
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
_CHUNK = 64 * 1024


class Refused(Exception):
    """A line that gets a JSON-RPC error instead of reaching the server."""

    def __init__(self, code: int, message: str, request_id: int | str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


def read_line(stream: BinaryIO, limit: int = MAX_REQUEST_BYTES) -> tuple[bytes, int] | None:
    """The next line (without its newline) and its full length; None at the end of input.

    A line longer than `limit` is read to its end but only its first `limit` bytes are kept.
    """
    kept = bytearray()
    size = 0
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk:
            return (bytes(kept), size) if size else None
        size += len(chunk)
        if len(kept) <= limit:
            kept += chunk[: limit + 1 - len(kept)]
        if chunk.endswith(b"\n"):
            size -= 1
            return bytes(kept).removesuffix(b"\n"), size


def check(line: bytes, size: int, limit: int = MAX_REQUEST_BYTES) -> str | None:
    """The line as text if it is one well-formed JSON-RPC message; None for a blank line.

    Raises `Refused` with the error to answer."""
    if size > limit:
        raise Refused(
            INVALID_REQUEST,
            f"request too large: {size} bytes, more than the limit of {limit} bytes "
            "(save long text as a .memory/ file instead)",
            _leading_id(line),
        )
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = line[error.start]
        raise Refused(
            PARSE_ERROR, f"parse error: not valid UTF-8 (byte 0x{byte:02x} at offset {error.start})"
        ) from None
    if not text.strip():
        return None
    try:
        message = json.loads(text)
    except RecursionError:
        raise Refused(PARSE_ERROR, "parse error: JSON nested too deeply") from None
    except ValueError as error:
        raise Refused(PARSE_ERROR, f"parse error: {error}") from None
    if not isinstance(message, dict):
        kind = "a batch (array)" if isinstance(message, list) else type(message).__name__
        raise Refused(INVALID_REQUEST, f"invalid request: expected a JSON-RPC object, not {kind}")
    request_id = message.get("id")
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    try:
        types.jsonrpc_message_adapter.validate_python(message, by_name=False)
    except Exception as error:
        raise Refused(
            INVALID_REQUEST, f"invalid request: {_why(message, error)}", request_id
        ) from None
    return text


_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")\s*[,}]')


def _leading_id(line: bytes) -> int | str | None:
    """The id of a request too large to parse, when it comes before its params (as clients
    write it): so the client can tell which call failed."""
    head = line[:4096].split(b'"params"', 1)[0]
    match = _ID.search(head)
    if match is None:
        return None
    with contextlib.suppress(ValueError):
        found = json.loads(match[1])
        if isinstance(found, int | str):
            return found
    return None


def _why(message: dict[str, Any], error: Exception) -> str:
    """The most useful line of a failed envelope check."""
    if message.get("jsonrpc") != "2.0":
        return 'expected "jsonrpc": "2.0"'
    params = message.get("params")
    if "params" in message and not isinstance(params, dict):
        return f"params must be an object, not {type(params).__name__}"
    if "method" in message and not isinstance(message["method"], str):
        return "method must be a string"
    if "method" not in message and "result" not in message and "error" not in message:
        return "no method"
    first = str(error).splitlines()
    return first[2].strip() if len(first) > 2 else str(error)


def _error(refused: Refused) -> SessionMessage:
    data = types.ErrorData(code=refused.code, message=refused.message)
    return SessionMessage(types.JSONRPCError(jsonrpc="2.0", id=refused.request_id, error=data))


def _wire_in() -> BinaryIO:
    """Standard input's descriptor, moved out of fd 0 (then the null device): a child process
    (git) must never read the client's requests."""
    private = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return os.fdopen(private, "rb")


class _CheckedLines:
    """The lines `stdio_server` reads: only well-formed messages; the rest are answered here."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.write: anyio.abc.ObjectSendStream[SessionMessage] | None = None
        self.ready = anyio.Event()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        while True:
            found = await anyio.to_thread.run_sync(read_line, self.stream)
            if found is None:
                return
            try:
                text = check(*found)
            except Refused as refused:
                await self.ready.wait()
                assert self.write is not None
                await self.write.send(_error(refused))
                continue
            if text is not None:
                yield text


@asynccontextmanager
async def checked_stdio() -> AsyncIterator[tuple[Any, Any]]:
    """`stdio_server`'s streams, reading standard input through `_CheckedLines`."""
    lines = _CheckedLines(_wire_in())
    async with stdio_server(stdin=lines) as (read, write):  # type: ignore[arg-type]
        lines.write = write
        lines.ready.set()
        yield read, write
