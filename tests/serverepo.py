"""A repository with something in every view, and `git mem serve` running on it as a real
process on a free port (shared by the API and the browser tests; one server per module)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import _isolate, git, make_repo, write_record

GIT_MEM = Path(sys.executable).parent / "git-mem"
XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_TAG = "<svg onload=alert(4)>"  # a facet, a chip, a timeline row
XSS_AUTHOR = "<img src=y onerror=alert(5)>"
XSS_BODY = "[x](javascript:alert(1)) and <script>alert(2)</script> <b onclick=alert(3)>b</b>\n"


class Served(NamedTuple):
    root: Path
    url: str  # http://127.0.0.1:PORT
    token: str
    process: subprocess.Popen[str]


def build(root: Path) -> None:
    """Decisions in a supersedes chain (SQLite -> PostgreSQL), a fact on the same paths (with
    an author and a project), the XSS record (title, tag, author, body), one ended session
    whose transcript talks about vacuum, and a deploy of HEAD."""
    make_repo(root)
    write_record(
        root,
        "decisions/2026-01-10-use-sqlite.md",
        "sq1tedb00001",
        type="decision",
        title="Use SQLite for the catalog",
        created="2026-01-10T09:00:00+00:00",
        status="superseded",
        tags="[database]",
        paths="[src/db/]",
        body="SQLite is enough while we are small.\n",
    )
    write_record(
        root,
        "decisions/2026-02-01-use-postgres.md",
        "pgsqdb000002",
        type="decision",
        title="Use PostgreSQL for the catalog",
        created="2026-02-01T09:00:00+00:00",
        status="accepted",
        tags="[database]",
        paths="[src/db/]",
        supersedes="[sq1tedb00001]",
        links="[vacfact00003]",
        body="JSONB covers the **flexible** parts.\n\n- one\n- two\n",
    )
    write_record(
        root,
        "facts/2026-02-03-vacuum.md",
        "vacfact00003",
        type="fact",
        title="Autovacuum must run nightly",
        created="2026-02-03T09:00:00+00:00",
        tags="[database, ops]",
        paths="[src/db/pool.py]",
        author="Ada Lovelace <ada@example.com>",
        project="catalog",
        body="Without it the catalog table bloats.\n",
    )
    write_record(
        root,
        "facts/2026-02-04-xss.md",
        "xssxssxss001",
        type="fact",
        title=repr(XSS_TITLE),
        created="2026-02-04T09:00:00+00:00",
        tags=f"[{XSS_TAG!r}]",
        author=repr(XSS_AUTHOR),
        body=XSS_BODY,
    )
    run(root, "session", "start", "--label", "catalog slowness")
    run(root, "session", "log", "why is the catalog slow")
    run(root, "session", "log", "--role", "assistant", "autovacuum was off on the catalog table")
    run(root, "session", "end", "--summary", "Found the vacuum problem")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "memories", cwd=root)
    run(root, "deploy", "--env", "production", "--version", "1.4.0")


def run(root: Path, *args: str) -> str:
    proc = subprocess.run(
        [str(GIT_MEM), *args], cwd=root, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@contextlib.contextmanager
def serving(root: Path, *args: str) -> Iterator[Served]:
    """`git mem serve --port 0 ARGS` in `root`, until the block ends."""
    process = subprocess.Popen(
        [str(GIT_MEM), "serve", "--port", "0", *args],
        cwd=root,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while not any(line.startswith("writes:") for line in lines):
        line = process.stderr.readline()
        if not line:
            process.wait(5)
            raise AssertionError("serve did not start: " + "".join(lines))
        lines.append(line)
        assert time.monotonic() < deadline, lines
    text = "".join(lines)
    url = re.search(r"at (http://\S+)/ ", text)
    token = re.search(r"token: (\S+)", text)
    assert url and token, text
    try:
        yield Served(root, url[1], token[1], process)
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("serve")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, base / "home")
        root = base / "repo"
        build(root)
        with serving(root, "--allow-writes") as server:
            yield server
