"""Running `git mem` as real processes against a real index service, and comparing its answers
with the in-process ones."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Answer:
    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return self.out.decode()


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Answer:
    proc = subprocess.run(
        ["git", "mem", *args], cwd=cwd, capture_output=True, env={**os.environ, **(env or {})}
    )
    return Answer(proc.returncode, proc.stdout, proc.stderr)


def on_terminal(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Answer:
    """`git mem ARGS` with stdout and stderr on one pseudo-terminal (as a person sees it)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        ["git", "mem", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm", **(env or {})},
    )
    os.close(follower)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's last writer closed it
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return Answer(proc.wait(), bytes(seen), b"")


def gm(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    answer = run(cwd, *args, env=env)
    assert answer.code == 0, answer.err.decode()
    return answer.text


def status(cwd: Path) -> dict[str, object]:
    return json.loads(run(cwd, "service", "status", "--json").out)


def served(cwd: Path) -> int:
    described = status(cwd)
    assert described["running"], described
    requests = described["requests"]
    assert isinstance(requests, int)
    return requests


def common_dir(cwd: Path) -> Path:
    out = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(out.strip())


def service_pid(cwd: Path) -> int:
    info = json.loads((common_dir(cwd) / "gitmem" / "service" / "service.json").read_text())
    pid = info["pid"]
    assert isinstance(pid, int)
    return pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (the test's own child) counts as gone.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
        return state != "Z"
    return False


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


OFF = {"GITMEM_SERVICE": "off"}


def assert_same(cwd: Path, *args: str, terminal: bool = False) -> Answer:
    """`git mem ARGS` answered by the service (its request count goes up by one) is
    byte-identical to the in-process answer; the answer."""
    runner = on_terminal if terminal else run
    alone = runner(cwd, *args, env=OFF)
    before = served(cwd)
    warm = runner(cwd, *args)
    assert served(cwd) == before + 1, f"the service did not answer {args}"
    assert warm == alone, (args, warm, alone)
    assert b"Traceback" not in warm.err + warm.out
    return warm
