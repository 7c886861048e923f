"""The service's wire protocol: length-prefixed frames over a Unix socket.

A frame is a 4-byte big-endian length and that many bytes. A request is one frame of JSON; an
answer is one frame of JSON (its header), followed, for an answered command, by one frame per
chunk of output it announces, in the order the command wrote them (stdout and stderr
interleave as they would on a terminal). Both sides put `PROTOCOL` and the gitmem version in
every header and refuse a mismatch: a service left running across an upgrade is never asked.
"""

from __future__ import annotations

import json
import os
import struct

from gitmem import __version__

TYPE_CHECKING = False  # not `typing`'s: the client imports no more than it needs
if TYPE_CHECKING:
    from _socket import socket  # socket.socket's base: the client skips socket.py (~3 ms)
    from typing import Any

PROTOCOL = 1
MAX_FRAME = 64 << 20  # a command's output is far smaller; more means a confused peer

# The environment a command's output depends on, set for each request in the service.
PER_REQUEST_ENV = ("NO_COLOR", "TERM", "COLUMNS", "LINES")
# The environment the service must share with the client to give the same answer (where git
# and gitmem find settings, which git runs, how text and dates are read): a service started
# with other values declines.
SHARED_ENV = (
    "HOME",
    "PATH",
    "TZ",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "LC_TIME",
    "LC_MESSAGES",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "PYTHONIOENCODING",
    "PYTHONUTF8",
)
# What may differ between a client and the service: the service's own knobs, and what git's
# dispatch adds (`git mem` has GIT_EXEC_PATH, the `git-mem` and `gitmem` scripts do not).
OWN_ENV = ("GITMEM_SERVICE", "GITMEM_SERVICE_TIMEOUT", "GITMEM_SERVICE_FAULT", "GIT_EXEC_PATH")


class ProtocolError(Exception):
    """The peer closed the connection early or sent what this protocol does not read."""


def shared_env() -> dict[str, str]:
    """This process's values of what the answer depends on (every GIT_ and GITMEM_ variable
    but the service's own knobs)."""
    shared = {
        name: value
        for name, value in os.environ.items()
        if name in SHARED_ENV or (name.startswith(("GIT_", "GITMEM_")) and name not in OWN_ENV)
    }
    # git's dispatch puts its exec path first on PATH; the scripts run without it.
    exec_path = os.environ.get("GIT_EXEC_PATH")
    if exec_path and shared.get("PATH", "").startswith(exec_path + os.pathsep):
        shared["PATH"] = shared["PATH"][len(exec_path) + 1 :]
    return shared


def header(**fields: Any) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "version": __version__, **fields}


def compatible(message: dict[str, Any]) -> bool:
    return message.get("protocol") == PROTOCOL and message.get("version") == __version__


def send(sock: socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def send_json(sock: socket, message: dict[str, Any]) -> None:
    send(sock, json.dumps(message).encode("utf-8"))


def receive(sock: socket) -> bytes:
    (size,) = struct.unpack(">I", _exactly(sock, 4))
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes")
    return _exactly(sock, size)


def receive_json(sock: socket) -> dict[str, Any]:
    try:
        message = json.loads(receive(sock))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(str(error)) from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame that is not a JSON object")
    return message


def _exactly(sock: socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ProtocolError("the connection closed before a whole frame")
        data += chunk
    return bytes(data)
