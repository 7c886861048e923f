"""The one user-facing error class (and its flavours), mapped to exit codes in `main`, and the
log of the errors nobody expected.

Every module imports this one, the commit hooks too: at the top it imports only `sys` and
`pathlib`, and nothing of gitmem.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Exit codes (128 for a fatal error is git's own convention).
EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_FATAL = 128


class GitMemError(Exception):
    """An error the user can act on: printed as one line, never with a traceback."""

    exit_code = EXIT_FATAL


class UsageError(GitMemError):
    """Bad arguments or bad input text."""

    exit_code = EXIT_USAGE


class NotFoundError(GitMemError):
    """Nothing matched (an unknown id, a missing record)."""

    exit_code = EXIT_NOT_FOUND


class ConflictError(GitMemError):
    """Someone else changed what we were about to write."""

    exit_code = EXIT_NOT_FOUND


class RecordError(GitMemError):
    """A record that does not follow the record schema: says where (source, line) and what
    (field)."""

    exit_code = EXIT_USAGE

    def __init__(
        self, source: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")


def log_unexpected(error: BaseException, log_dir: Path | None) -> str:
    """Write the traceback somewhere the user can send us; return where.

    `log_dir`: the repository's (`store.git.log_dir()`); None: the temporary directory.
    """
    import tempfile
    import traceback
    from datetime import datetime

    if log_dir is None:
        log_dir = Path(tempfile.gettempdir())
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "gitmem-error.log"
        # backslashreplace: an argument or a message with a non-UTF-8 byte (a lone surrogate)
        # must not make the report of one error a second error.
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"--- {datetime.now().isoformat()} {' '.join(sys.argv)}\n")
            log.write("".join(traceback.format_exception(error)))
        return str(path)
    except OSError:
        return "(could not write a log)"
