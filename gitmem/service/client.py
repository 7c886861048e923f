"""Asking the repository's service to answer a read command, before anything else is imported.

`answer(argv)` returns the service's exit code after writing its output, or None: then the
caller answers in process, as if there were no service. It returns None on every failure — no
service, a stale socket, another version, a service that dies mid-request or does not answer in
time — and writes nothing until the whole answer has arrived, so output is never doubled or
cut. It never caches: the service runs the command afresh for each request.
"""

from __future__ import annotations

import os
import sys

from gitmem.early import IN_PROCESS_OPTIONS
from gitmem.service import READ_COMMANDS, paths

TYPE_CHECKING = False  # not `typing`'s: the client imports no more than it needs
if TYPE_CHECKING:
    from typing import Any

# `protocol` (json, socket: ~5 ms) is imported only for a command worth asking: every other
# command, the commit hook among them, pays for no more than this module.

# Which options of READ_COMMANDS the service leaves to the process (--global, --server,
# --repos, ...) it decides from the parsed arguments, and says so. Options never worth a round
# trip: `gitmem.early.IN_PROCESS_OPTIONS`.
DEFAULT_TIMEOUT = 30.0  # seconds for a whole answer; a slower one is answered in process


class Outcome:
    """What the service did with a command: `code` is its exit code (None: answer in
    process); `start` says no service runs for `where`, so one may be started afterwards."""

    __slots__ = ("code", "start", "where")

    def __init__(
        self, code: int | None, where: paths.Where | None = None, start: bool = False
    ) -> None:
        self.code, self.where, self.start = code, where, start

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Outcome) and (self.code, self.where, self.start) == (
            other.code,
            other.where,
            other.start,
        )

    __hash__ = None  # type: ignore[assignment]


def timeout() -> float:
    try:
        return float(os.environ.get("GITMEM_SERVICE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def eligible(argv: list[str]) -> bool:
    """Whether `argv` may be a read command the service answers (it checks the rest)."""
    if not argv or argv[0] not in READ_COMMANDS or os.environ.get("GITMEM_SERVICE") == "off":
        return False
    words = argv[: argv.index("--")] if "--" in argv else argv
    return not any(word.split("=", 1)[0] in IN_PROCESS_OPTIONS for word in words)


def answer(argv: list[str]) -> Outcome:
    """Have the service answer `argv` (see the module's docstring)."""
    if not eligible(argv):
        return Outcome(None)
    try:
        cwd = os.getcwd()
    except OSError:
        return Outcome(None)
    where = paths.find_repository(cwd)
    if where is None:
        return Outcome(None)
    path = paths.socket_path(where.common_dir)
    if not paths.trusted_socket(path):
        return Outcome(None, where, start=True)
    from gitmem.service import protocol

    streams = [getattr(stream, "buffer", None) for stream in (sys.stdout, sys.stderr)]
    if None in streams:
        return Outcome(None, where)
    request = protocol.header(
        kind="run",
        argv=argv,
        cwd=cwd,
        git_dir=where.git_dir,
        common_dir=where.common_dir,
        env={name: os.environ.get(name) for name in protocol.PER_REQUEST_ENV},
        shared=protocol.shared_env(),
        tty=[sys.stdout.isatty(), sys.stderr.isatty()],
        encoding=[[s.encoding, s.errors or "strict"] for s in (sys.stdout, sys.stderr)],
    )
    try:
        reply, chunks = exchange(path, request, timeout())
    except ConnectionRefusedError:  # a socket left by a service that died
        return Outcome(None, where, start=True)
    except KeyboardInterrupt:  # ^C while waiting: nothing was printed; as in process
        return Outcome(130, where)
    except (OSError, protocol.ProtocolError):
        return Outcome(None, where)
    if reply.get("status") != "answered" or not isinstance(reply.get("code"), int):
        return Outcome(None, where)
    return Outcome(_write(chunks, streams, reply["code"]), where)


def exchange(
    path: str, request: dict[str, Any], seconds: float
) -> tuple[dict[str, Any], list[tuple[int, bytes]]]:
    """Send `request` to the service at `path`; its answer's header and output chunks. Raises
    OSError (no service, a timeout) or ProtocolError (another version, a cut answer)."""
    # `_socket`, not `socket`: socket.py builds its IntEnums at import (~3 ms of a served read)
    from _socket import AF_UNIX, SOCK_STREAM, socket

    from gitmem.service import protocol

    sock = socket(AF_UNIX, SOCK_STREAM)
    try:
        sock.settimeout(seconds)
        sock.connect(path)
        protocol.send_json(sock, request)
        reply = protocol.receive_json(sock)
        if not protocol.compatible(reply):
            raise protocol.ProtocolError("the service speaks another version")
        streams = reply.get("chunks", [])
        if not isinstance(streams, list) or not all(s in (1, 2) for s in streams):
            raise protocol.ProtocolError("an answer without its chunks")
        chunks = [(stream, protocol.receive(sock)) for stream in streams]
        if reply.get("status") == "answered" and protocol.receive(sock) != b"end":
            raise protocol.ProtocolError("an answer without its end")
    finally:
        sock.close()
    return reply, chunks


def _write(chunks: list[tuple[int, bytes]], streams: list[Any], code: int) -> int:
    """The answer's output, in the order the command wrote it; its exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    for stream, data in chunks:
        target = streams[stream - 1]
        try:
            target.write(data)
            target.flush()
        except BrokenPipeError:
            if stream == 1:  # `git mem list | head`: the reader left; as in process, not an error
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                return 0
    return code
