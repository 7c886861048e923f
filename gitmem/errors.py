"""The one user-facing error class (and its flavours), mapped to exit codes in `main`."""

from __future__ import annotations

# Exit codes, DESIGN §6 (git's own convention for fatal errors).
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
    """A record that does not follow DESIGN §2: says where (source, line) and what (field)."""

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
