"""What a command loads, read from `-X importtime` (a list of modules, not a clock)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def gitmem_loads(
    argv: list[str], cwd: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`git mem ARGV` in a new Python under `-X importtime`, in `cwd`, with this process's
    environment plus `env`: the finished process and the modules it loaded."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gitmem.main", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    loaded = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
    return proc, loaded
