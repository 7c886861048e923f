"""A one-shot `show`, `list` or `search` ends its process itself once its output is written
(`main.exit_now`, no interpreter teardown): its whole output still arrives, in order, with its
exit code and error message; a reader that leaves early is not an error; the index it built is
committed. It also collects garbage less often (`main.one_shot_collections`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import VENV_BIN, git_mem, write_record


@pytest.fixture(autouse=True)
def buffered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output buffered as users have it: what is left in the buffer must still be written."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)


RECORDS = 200
LONG = " and".join(" a long title" for _ in range(12))  # 200 rows of --json: > 64 KB


def records(repo: Path) -> list[str]:
    ids = [f"ex{n:010d}" for n in range(RECORDS)]  # Crockford: no i, l, o, u
    for n, record_id in enumerate(ids):
        body = f"Record {n} of the exit test, about otters.\n" + "Filler text. " * 40
        write_record(repo, f"facts/r{n}.md", record_id, title=f"Otter {n}{LONG}", body=body)
    return ids


def test_the_whole_output_arrives_with_the_exit_code(repo: Path) -> None:
    ids = records(repo)
    found = git_mem("list", cwd=repo)  # a line at a time: the last ones still buffered
    assert (found.returncode, found.stderr) == (0, "")
    assert sorted(line.split()[0] for line in found.stdout.splitlines()) == ids
    as_json = git_mem("list", "--json", cwd=repo)
    assert sorted(row["id"] for row in json.loads(as_json.stdout)["records"]) == ids
    assert len(as_json.stdout) > 64 * 1024  # more than a pipe holds (a reader leaving: below)
    searched = git_mem("search", "otters", "--ids", "--limit", "200", cwd=repo)
    assert (searched.returncode, sorted(searched.stdout.split())) == (0, ids)
    again = git_mem("search", "otters", "--ids", "--limit", "200", cwd=repo)
    assert again.stdout == searched.stdout
    missing = git_mem("show", "zzzzzz", cwd=repo)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "git-mem: error: no memory with an id starting 'zzzzzz'\n"


def test_a_reader_that_leaves_early_is_no_error(repo: Path) -> None:
    records(repo)
    assert git_mem("list", cwd=repo).returncode == 0  # the index built
    proc = subprocess.Popen(
        [str(VENV_BIN / "git-mem"), "list", "--json"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b'{\n  "count'
    proc.stdout.close()  # `| head -c 10`
    err = proc.stderr.read()
    assert (proc.wait(), err) == (0, b"")


def test_what_a_one_shot_read_wrote_is_committed(repo: Path, mem: Any) -> None:
    """The index a one-shot `list` built (it ended without closing the manifest) is the one
    the next read uses: up to date, every record in it."""
    records(repo)
    assert git_mem("list", "--limit", "1", cwd=repo).returncode == 0
    result = mem("reindex", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["records"] == RECORDS


PROBE = """
import gc, sys
from gitmem import main
main.exit_now = lambda code: sys.exit(code)  # to print below
try:
    main.main()
finally:
    print(gc.get_threshold(), file=sys.stderr)
"""


def test_a_one_shot_read_collects_garbage_less_often(repo: Path) -> None:
    """Its imports would trigger ~100 collections (`main.one_shot_collections`); a writer, and
    `main.main` called with arguments (the service, tests), keep Python's default."""
    records(repo)

    def threshold(*argv: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, *argv], cwd=repo, capture_output=True, text=True
        )
        return proc.stderr.splitlines()[-1]

    assert threshold("list", "--limit", "1") == "(100000, 10, 10)"
    assert threshold("search", "otters") == "(100000, 10, 10)"
    assert threshold("save", "-t", "fact", "-m", "Otters hold hands") == "(700, 10, 10)"


IN_PROCESS = "import sys; from gitmem.main import main; sys.exit(main(sys.argv[1:]))"


def closed_run(command: list[str], cwd: Path, closed: int) -> tuple[int, str]:
    """`command` run with descriptor `closed` (1 or 2) closed: its exit code and what it
    wrote on the other one."""
    other = subprocess.PIPE
    proc = subprocess.run(
        command,
        cwd=cwd,
        stdout=other if closed == 2 else None,
        stderr=other if closed == 1 else None,
        text=True,
        preexec_fn=lambda: os.close(closed),
    )
    return proc.returncode, (proc.stderr if closed == 1 else proc.stdout)


@pytest.mark.parametrize(
    ("closed", "argv"),
    [
        (1, ["show", "zzzzzz"]),
        (1, ["search", "nosuchwordanywhere"]),
        (1, ["list", "--json"]),
        (2, ["show", "zzzzzz"]),
    ],
)
def test_a_closed_output_stream_ends_as_the_interpreter_would(
    repo: Path, closed: int, argv: list[str]
) -> None:
    """`git-mem ARGS >&-` (or `2>&-`: a cron job, a daemon that closed its descriptors):
    Python has no sys.stdout (sys.stderr) then. `exit_now` ends the process with the
    command's exit code and output, as the interpreter's own exit does (`main.main` given
    its arguments, which never calls `exit_now`), and adds no traceback of its own."""
    records(repo)
    assert git_mem("list", "--limit", "1", cwd=repo).returncode == 0  # the index built
    one_shot = closed_run([str(VENV_BIN / "git-mem"), *argv], repo, closed)
    in_process = closed_run([sys.executable, "-c", IN_PROCESS, *argv], repo, closed)
    assert "Traceback" not in one_shot[1]
    assert one_shot == in_process


@pytest.mark.parametrize("closed", [1, 2])
def test_a_closed_output_stream_is_written_to_nowhere_as_git_does(repo: Path, closed: int) -> None:
    """As git (`git log >&-` exits 0): the closed descriptor is opened on /dev/null before
    anything runs (`early.standard_streams`), so a command succeeds and says nothing more than
    it would; a save with its output closed still saves."""
    records(repo)
    for command in ([str(VENV_BIN / "git-mem")], [sys.executable, "-c", IN_PROCESS]):
        code, said = closed_run([*command, "list", "--limit", "2"], repo, closed)
        assert code == 0
        # (stdout closed: stderr says nothing; stderr closed: stdout has the two rows)
        assert len(said.splitlines()) == (0 if closed == 1 else 2), said
    code, said = closed_run(
        [str(VENV_BIN / "git-mem"), "save", "-t", "fact", "-m", "Otters sleep afloat"],
        repo,
        closed,
    )
    assert code == 0
    assert "Otters sleep afloat" in git_mem("list", cwd=repo).stdout
    if closed == 2:
        assert said.startswith("saved ")
