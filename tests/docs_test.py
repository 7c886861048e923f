"""Every command is documented: in the README's table and with an example in its --help."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gitmem.main import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: sub
        for name, sub in actions[0].choices.items()
        if name != "ls"  # alias of list
    }


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_command_is_in_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"`git mem {name}" in readme, f"README.md does not document `git mem {name}`"


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_command_help_has_description_and_example(name: str) -> None:
    sub = _subcommands()[name]
    text = sub.format_help()
    assert sub.description, f"`git mem {name}` has no description"
    assert re.search(r"^examples?:", text, re.MULTILINE), f"`git mem {name} -h` has no example"
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"`git mem {name} {action.option_strings[0]}` has no help"


def test_top_level_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in _subcommands():
        assert name in text


def test_readme_commands_are_the_ci_commands() -> None:
    """.ci/run runs exactly the README's test command."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL)
    assert len(blocks) >= 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci


def test_dash_h_runs_without_a_repository(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gitmem.main", "-h"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: git mem")


def test_man_page_is_current() -> None:
    """`git mem --help` runs `man git-mem`: the installed page must match the parser."""
    from gitmem.manpage import render

    checked_in = (ROOT / "man" / "git-mem.1").read_text()
    assert checked_in == render(), "run: python -m gitmem.manpage > man/git-mem.1"
