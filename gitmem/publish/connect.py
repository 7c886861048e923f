"""Where the database is and how to reach it, with one-line errors for the usual mistakes.

The URL comes from the command line, else `GITMEM_DATABASE_URL`, else `[publish] url` in
`.memory/config.toml`, else the same key in the user's `$XDG_CONFIG_HOME/gitmem/config.toml`
(`~/.config/...`). A password belongs in the environment (a CI secret), not in a committed file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gitmem.errors import GitMemError, UsageError

if TYPE_CHECKING:
    import psycopg

ENV = "GITMEM_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT = 10  # seconds


def user_config() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "gitmem" / "config.toml"


def _configured(path: Path) -> str | None:
    import tomllib  # here: a URL given on the command line needs no config (~2 ms to import)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: {error}") from None
    table = data.get("publish")
    url = table.get("url") if isinstance(table, dict) else None
    if url is not None and not isinstance(url, str):
        raise UsageError(f"{path}: [publish] url: expected a string")
    return url


def find(given: str | None, memory_dir: Path | None) -> str | None:
    """The database URL given or configured (unchecked), None when there is none."""
    url = given or os.environ.get(ENV)
    if not url and memory_dir is not None:
        url = _configured(memory_dir / "config.toml")
    if not url:
        url = _configured(user_config())
    return url or None


def resolve(given: str | None, memory_dir: Path | None) -> str:
    """The database URL to use, checked; a usage error saying where to put one if none."""
    url = find(given, memory_dir)
    if not url:
        raise UsageError(
            f"no database: give a URL (postgresql://user:password@host/db), set {ENV}, or set "
            "[publish] url in .memory/config.toml"
        )
    check(url)
    return url


# A URL whose network location is plainly well formed (user:password@host:port, a port of at
# most five ASCII digits, no brackets, one @ at most, all ASCII: urlsplit refuses a netloc whose
# NFKC form has a separator, e.g. a fullwidth number sign U+FF03) needs no urlsplit: importing
# urllib.parse (and ipaddress with it) was ~2 ms of a one-shot `search --server`. Any other is
# checked by urlsplit, which words what is wrong.
_PLAIN = re.compile(r"[a-z]+://(?:[^@/?#\[\]]*@)?[^:@/?#\[\]]*(?::([0-9]{1,5}))?(?:[/?#].*)?", re.S)


def check(url: str) -> None:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SCHEMES:
        raise UsageError(
            f"bad database URL {shown(url)!r}: expected postgresql://user:password@host:port/db"
        )
    plain = _PLAIN.fullmatch(url) if url.isascii() else None
    if plain and int(plain.group(1) or 0) <= 65535:
        return
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as error:
        raise UsageError(f"bad database URL {shown(url)!r}: {error}") from None


def shown(url: str) -> str:
    """The URL without its password (for messages and output)."""
    return re.sub(r"(://[^:/@?#]*):[^@/?#]*@", r"\1:***@", url)


def where(url: str) -> str:
    """host[:port]/database, or the socket directory, for messages."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        host = host or query.get("host", "localhost")
        port = f":{parts.port}" if parts.port else ""
        return f"{host}{port}{parts.path or '/'}"
    except ValueError:
        return shown(url)


class Reader(Protocol):
    """What the reads (ask, schema.require) use of a connection: psycopg's, or libpq's."""

    def execute(self, query: Any, params: Any = None) -> Any: ...


@contextmanager
def reader(url: str) -> Iterator[Reader]:
    """A connection for one-shot reads: the libpq shipped with psycopg through ctypes when it
    is there (no psycopg import: most of a `search --server`'s time), else psycopg. A failed
    connection is retried with psycopg, which says why."""
    from gitmem.publish import libpq

    fast = libpq.Connection.connect(url, CONNECT_TIMEOUT, "gitmem")
    if fast is None:
        with connect(url) as conn:
            yield conn
        return
    try:
        yield fast
    finally:
        fast.close()


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """A connection in a transaction, committed when the block ends well, rolled back if not."""
    try:
        import psycopg
    except ImportError:
        raise GitMemError("publishing needs psycopg: pip install 'gitmem[postgres]'") from None
    try:
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, application_name="gitmem")
    except psycopg.ProgrammingError as error:  # the URL itself (libpq could not parse it)
        raise UsageError(f"bad database URL {shown(url)!r}: {_first_line(error)}") from None
    except psycopg.OperationalError as error:
        raise GitMemError(_why(url, error)) from None
    try:
        with conn:  # commit on success, roll back on an exception, then close
            try:
                yield conn
            except psycopg.OperationalError as error:
                raise GitMemError(
                    f"lost the database at {where(url)}: {_first_line(error)}"
                ) from None
    finally:
        conn.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    # libpq: 'connection to server at "h" (::1), port 5432 failed: FATAL:  ...'
    text = text.splitlines()[0] if text else type(error).__name__
    return re.sub(r"^connection (failed|to server [^:]*failed): ", "", text).strip()


def _why(url: str, error: BaseException) -> str:
    text = str(error)
    place = where(url)
    if "password authentication failed" in text or "no password supplied" in text:
        from urllib.parse import urlsplit

        user = urlsplit(url).username or "the default user"
        return f"PostgreSQL at {place} refused the password for {user!r}"
    if "Connection refused" in text or "No such file or directory" in text:
        return f"cannot reach PostgreSQL at {place}: connection refused (is the server running?)"
    if "does not exist" in text:
        return f"PostgreSQL at {place}: {_first_line(error).removeprefix('FATAL:').strip()}"
    if "could not translate host name" in text:
        return f"cannot reach PostgreSQL at {place}: unknown host"
    return f"cannot connect to PostgreSQL at {place}: {_first_line(error)}"
