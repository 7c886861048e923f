"""Killing real `git mem` processes at random points, and checking what they leave behind.

`hammer` runs one write command again and again as a subprocess in its own process group
(git children included) and sends SIGKILL to the group after a random delay: a crash, a power
cut or an OOM kill as the process sees it. A run that exits 0 before the kill is acknowledged;
the caller checks every acknowledged write is there afterwards.

The default size fits CI (a few runs per write path); `GITMEM_FAULT_RUNS=N` runs N per path
and `GITMEM_FAULT_SEED=S` replays a seed (the seed of each test is printed when it fails).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNS = int(os.environ.get("GITMEM_FAULT_RUNS", "2"))
SEED = int(os.environ.get("GITMEM_FAULT_SEED", str(random.SystemRandom().randrange(10**6))))


@dataclass
class Run:
    index: int
    acked: bool
    killed: bool
    code: int | None
    out: str
    err: str


@dataclass
class Hammer:
    """The runs of one write path, in order."""

    seed: int
    runs: list[Run] = field(default_factory=list)

    @property
    def acked(self) -> list[Run]:
        return [run for run in self.runs if run.acked]

    @property
    def killed(self) -> int:
        return sum(run.killed for run in self.runs)


def git_mem_proc(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["git", "mem", *args],
        cwd=cwd,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group: the kill takes its git children too
    )


def hammer(
    cwd: Path,
    argv: Callable[[int], list[str]],
    runs: int = RUNS,
    seed: int = SEED,
    before: Callable[[int], None] | None = None,
) -> Hammer:
    """Run `git mem argv(i)` `runs` times, killing each after a random delay.

    The first run is never killed: it measures how long the command takes, and the kills are
    spread over 0 to 1.2 times that (some land before the write, some during, a few after).
    `before(i)` prepares run i (unkilled)."""
    rng = random.Random(seed)
    result = Hammer(seed)
    typical = 0.0
    for index in range(runs + 1):
        if before is not None:
            before(index)
        started = time.monotonic()
        proc = git_mem_proc(argv(index), cwd)
        delay = None if index == 0 else rng.uniform(0.0, typical * 1.2)
        killed = False
        try:
            out, err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            with_group(proc.pid)
            out, err = proc.communicate()
            killed = True
        if index == 0:
            typical = time.monotonic() - started
            assert proc.returncode == 0, f"seed {seed}: the unkilled run failed: {err}"
        acked = not killed and proc.returncode == 0
        assert "Traceback" not in err, f"seed {seed}, run {index}: {err}"
        result.runs.append(Run(index, acked, killed, proc.returncode, out, err))
    return result


def with_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished just now
        os.killpg(pid, signal.SIGKILL)


def run_ok(args: list[str], cwd: Path, seed: int) -> str:
    """`git mem ARGS` unkilled: it must succeed without a traceback (the next command works)."""
    proc = subprocess.run(["git", "mem", *args], cwd=cwd, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, f"seed {seed}: {proc.stderr}"
    assert proc.returncode == 0, f"seed {seed}: git mem {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def records(cwd: Path, seed: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(run_ok(["list", "--json", "--all"], cwd, seed))[
        "records"
    ]
    return found


def fsck_strict(cwd: Path, seed: int) -> None:
    proc = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 0, f"seed {seed}: {proc.stderr}"
    assert "error" not in proc.stderr and "warning" not in proc.stderr, (
        f"seed {seed}: {proc.stderr}"
    )
