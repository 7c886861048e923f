"""A read-only PostgreSQL client for the one-shot `--server` reads, over the libpq that psycopg's
binary distribution ships (psycopg_binary.libs/), called through ctypes.

Why: importing psycopg costs ~200 ms of CPU (its adapters, asyncio, logging, importlib.metadata)
where the whole `git mem search --server` aims at 100 ms; loading libpq itself costs a few.
This speaks only what the reads need: a query with parameters (%s placeholders, as psycopg),
rows of text converted by column type (bool, integers, floats, json, text). Everything else
(publish, the reports, the server) uses psycopg. When this libpq is not there (psycopg's C or
pure-Python implementation) or a connection fails, callers go through psycopg instead, which
also words the connection errors (connect.reader).
"""

from __future__ import annotations

import ctypes
import json
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gitmem.errors import GitMemError

CONNECTION_OK = 0
COMMAND_OK, TUPLES_OK = 1, 2
PLACEHOLDER = re.compile(r"%%|%s")

_lib: ctypes.CDLL | None = None


def _array(values: Sequence[Any]) -> str:
    """A one-dimensional array literal, every element quoted."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            items.append(f'"{text}"')
    return "{" + ",".join(items) + "}"


def _param(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, datetime | date):
        return value.isoformat().encode()
    if isinstance(value, list | tuple):
        return _array(value).encode()
    return str(value).replace("\x00", "").encode("utf-8", "surrogateescape")


def _boolean(text: str) -> bool:
    return text == "t"


CONVERT: dict[int, Callable[[str], Any]] = {
    16: _boolean,
    20: int,
    21: int,
    23: int,
    26: int,
    700: float,
    701: float,
    1700: float,
    114: json.loads,
    3802: json.loads,
}


def library() -> ctypes.CDLL | None:
    """psycopg_binary's libpq, loaded once; None when it is not installed."""
    global _lib
    if _lib is not None:
        return _lib
    from importlib.util import find_spec

    try:
        spec = find_spec("psycopg_binary")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    found = sorted((Path(spec.origin).parent.parent / "psycopg_binary.libs").glob("libpq-*.so*"))
    if not found:
        return None
    try:
        lib = ctypes.CDLL(str(found[0]))
    except OSError:
        return None
    p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    strings = ctypes.POINTER(ctypes.c_char_p)
    for name, args, result in (
        ("PQconnectdbParams", [strings, strings, i], p),
        ("PQstatus", [p], i),
        ("PQerrorMessage", [p], s),
        ("PQfinish", [p], None),
        ("PQexecParams", [p, s, i, p, strings, p, p, i], p),
        ("PQresultStatus", [p], i),
        ("PQresultErrorMessage", [p], s),
        ("PQntuples", [p], i),
        ("PQnfields", [p], i),
        ("PQftype", [p, i], ctypes.c_uint),
        ("PQgetisnull", [p, i, i], i),
        ("PQgetvalue", [p, i, i], s),
        ("PQclear", [p], None),
    ):
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    _lib = lib
    return lib


class Rows:
    """A query's rows, as psycopg's cursor gives them (fetchone, fetchall, iteration)."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)


class Connection:
    """One libpq connection (autocommit: the reads need no transaction). `connect` returns None
    when the server cannot be reached as asked: the caller retries with psycopg for its
    wording of why."""

    def __init__(self, lib: ctypes.CDLL, handle: int) -> None:
        self._lib = lib
        self._handle: int | None = handle

    @classmethod
    def connect(cls, url: str, timeout: int, application: str) -> Connection | None:
        lib = library()
        if lib is None:
            return None
        keys = [b"dbname", b"connect_timeout", b"application_name", b"client_encoding", None]
        values = [url.encode(), str(timeout).encode(), application.encode(), b"UTF8", None]
        handle = lib.PQconnectdbParams(
            (ctypes.c_char_p * 5)(*keys), (ctypes.c_char_p * 5)(*values), 1
        )
        if not handle:
            return None
        if lib.PQstatus(handle) != CONNECTION_OK:
            lib.PQfinish(handle)
            return None
        return cls(lib, handle)

    def execute(self, query: str | bytes, params: Sequence[Any] | None = None) -> Rows:
        if self._handle is None:
            raise GitMemError("the database connection is closed")
        sql = query.decode() if isinstance(query, bytes) else query
        count = 0

        def placeholder(match: re.Match[str]) -> str:
            nonlocal count
            if match.group() == "%%":
                return "%"
            count += 1
            return f"${count}"

        sql = PLACEHOLDER.sub(placeholder, sql)
        values = [_param(v) for v in (params or [])]
        if count != len(values):
            raise GitMemError(f"query has {count} placeholders for {len(values)} parameters")
        array = (ctypes.c_char_p * max(1, len(values)))(*values)
        lib = self._lib
        result = lib.PQexecParams(
            self._handle, sql.encode("utf-8"), len(values), None, array, None, None, 0
        )
        if not result:
            raise GitMemError(f"lost the database: {self._error()}")
        try:
            status = lib.PQresultStatus(result)
            if status not in (COMMAND_OK, TUPLES_OK):
                message = (lib.PQresultErrorMessage(result) or b"").decode("utf-8", "replace")
                raise GitMemError(f"the database refused a query: {message.strip()}")
            rows: list[tuple[Any, ...]] = []
            if status == TUPLES_OK:
                fields = lib.PQnfields(result)
                converters = [CONVERT.get(lib.PQftype(result, c), str) for c in range(fields)]
                for r in range(lib.PQntuples(result)):
                    row: list[Any] = []
                    for c, convert in enumerate(converters):
                        if lib.PQgetisnull(result, r, c):
                            row.append(None)
                        else:
                            row.append(convert(lib.PQgetvalue(result, r, c).decode("utf-8")))
                    rows.append(tuple(row))
            return Rows(rows, len(rows))
        finally:
            lib.PQclear(result)

    def _error(self) -> str:
        message = self._lib.PQerrorMessage(self._handle) if self._handle else b""
        return (message or b"").decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self._handle is not None:
            self._lib.PQfinish(self._handle)
            self._handle = None
