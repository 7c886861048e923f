"""Starting, stopping and describing a repository's service, and whether it should run.

At most one service runs per repository: the service holds an exclusive lock on
`<state>/lock` for its whole life (the kernel drops it when the process dies, even by
SIGKILL), and a second one started at the same moment finds it taken and exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from gitmem.service import client, paths, protocol

MODES = ("auto", "on", "off")
AUTO_RECORDS = 5000  # `auto` starts a service once a repository holds more records than this
DEFAULT_IDLE = 600  # seconds without a request before the service exits
LOCK, INFO, LOG = "lock", "service.json", "service.log"


class SettingError(ValueError):
    """A service setting that is not one of its values (the message says where and what)."""


def _toml_search(work_tree: str | None) -> dict[str, Any]:
    """The `[search]` table of the work tree's `.memory/config.toml` ({} when there is none)."""
    if work_tree is None:
        return {}
    path = Path(work_tree) / ".memory" / "config.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}  # unreadable: the commands say so; the service is an optimisation
    import tomllib

    try:
        table = tomllib.loads(text).get("search", {})
    except tomllib.TOMLDecodeError:
        return {}
    return table if isinstance(table, dict) else {}


def mode(where: paths.Where) -> str:
    """auto, on or off: $GITMEM_SERVICE (this process), else git config `gitmem.service` (this
    user or machine: `git config --global gitmem.service off` turns it off everywhere), else
    `[search] service` in .memory/config.toml (the team's default), else auto."""
    value = os.environ.get("GITMEM_SERVICE")
    where_set = "$GITMEM_SERVICE"
    if not value:
        proc = subprocess.run(
            ["git", "config", "--get", "gitmem.service"],
            cwd=where.work_tree,
            capture_output=True,
            text=True,
            check=False,
        )
        value, where_set = proc.stdout.strip(), "git config gitmem.service"
    if not value:
        value = _toml_search(where.work_tree).get("service", "auto")
        where_set = ".memory/config.toml: [search] service"
    if value not in MODES:
        raise SettingError(f"{where_set} = {value!r}: expected auto, on or off")
    return str(value)


def idle_timeout(work_tree: str | None) -> float:
    """Seconds without a request before the service exits: `[search] service_idle`."""
    value = _toml_search(work_tree).get("service_idle", DEFAULT_IDLE)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SettingError(
            f".memory/config.toml: [search] service_idle = {value!r}: expected seconds (> 0)"
        )
    return float(value)


def lock_path(common_dir: str) -> Path:
    return Path(paths.state_dir(common_dir), LOCK)


def take_lock(common_dir: str) -> int | None:
    """The service lock's descriptor, held; None when another process holds it."""
    state = Path(paths.private_dir(paths.state_dir(common_dir)))
    fd = os.open(state / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def running(common_dir: str) -> bool:
    """Whether a service holds the repository's lock (alive, answering or not)."""
    if not lock_path(common_dir).exists():
        return False
    fd = take_lock(common_dir)
    if fd is None:
        return True
    os.close(fd)
    return False


def spawn(where: paths.Where) -> subprocess.Popen[bytes] | None:
    """Start the service in the background (its own session, output to its log); None when
    one runs already. Never waits for it."""
    if running(where.common_dir):
        return None
    state = Path(paths.private_dir(paths.state_dir(where.common_dir)))
    log_fd = os.open(state / LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with open(log_fd, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gitmem.daemon", where.git_dir, where.work_tree],
            cwd="/",  # `-m` imports from the working directory: never a repository's
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # not the terminal's: no ^C or hang-up reaches it
            close_fds=True,
        )


def after_in_process(outcome: client.Outcome, records: int | None) -> None:
    """Start the service after a command answered in process, when none runs and the
    settings want one (`auto`: more than AUTO_RECORDS records). Never fails the command.

    A small repository costs no git process: only $GITMEM_SERVICE and the file can say `on`
    for it; git config is read when a service is about to start (and may say `off`)."""
    if not outcome.start or outcome.where is None:
        return
    try:
        large = records is not None and records > AUTO_RECORDS
        if not large and _cheap_mode(outcome.where) != "on":
            return
        wanted = mode(outcome.where)
        if wanted == "off" or (not large and wanted != "on"):
            return
        spawn(outcome.where)
    except (OSError, SettingError):
        return  # the command's answer stands; `git mem service status` says what is wrong


def _cheap_mode(where: paths.Where) -> object:
    """The mode $GITMEM_SERVICE or .memory/config.toml set, without asking git."""
    return os.environ.get("GITMEM_SERVICE") or _toml_search(where.work_tree).get("service")


def ask(common_dir: str, kind: str, seconds: float = 5.0) -> dict[str, Any] | None:
    """The service's answer to a control request (status, stop); None when none answers."""
    path = paths.socket_path(common_dir)
    if not paths.trusted_socket(path):
        return None
    try:
        reply, _ = client.exchange(path, protocol.header(kind=kind), seconds)
    except (OSError, protocol.ProtocolError):
        return None
    return reply


def info(common_dir: str) -> dict[str, Any] | None:
    """What the service wrote about itself when it started (pid, socket, ...)."""
    try:
        data = json.loads(Path(paths.state_dir(common_dir), INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def wait_until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


def stop(common_dir: str, seconds: float = 10.0) -> bool:
    """Stop the repository's service; False when none ran. Asks it over the socket, and sends
    SIGTERM to the pid it recorded when it does not answer but still holds the lock."""
    if not running(common_dir):
        return False
    if ask(common_dir, "stop") is None:
        described = info(common_dir) or {}
        pid = described.get("pid")
        if isinstance(pid, int) and running(common_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not running(common_dir), seconds):
        raise TimeoutError(f"the service did not stop within {seconds:.0f} s")
    return True
