"""Usage errors: a mistyped command or choice names the nearest ones, as git does."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("argv", "last_line"),
    [
        (
            ["serach"],
            "git-mem: error: argument COMMAND: invalid choice: 'serach' (did you mean 'search' "
            "or 'service'?)",
        ),
        (
            ["lst"],
            "git-mem: error: argument COMMAND: invalid choice: 'lst' "
            + "(did you mean 'list' or 'ls'?)",
        ),
        (
            ["session", "shwo"],
            "git-mem: error: argument ACTION: invalid choice: 'shwo' (did you mean 'show'?)",
        ),
        (
            ["report", "--format", "mdown", "activity"],
            "git-mem: error: argument --format: invalid choice: 'mdown' (did you mean 'markdown'?)",
        ),
    ],
)
def test_a_mistyped_choice_names_the_nearest(
    g, repo: Path, argv: list[str], last_line: str
) -> None:
    proc = g.git_mem(*argv, cwd=repo)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.splitlines()[0].startswith("usage: git mem")
    assert proc.stderr.splitlines()[-1] == last_line


def test_nothing_near_keeps_the_whole_list(g, repo: Path) -> None:
    proc = g.git_mem("xyzzy", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith(
        "git-mem: error: argument COMMAND: invalid choice: 'xyzzy' (choose from 'init', 'save',"
    )
