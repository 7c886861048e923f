"""`git mem completion SHELL`: print the shell completion script."""

from __future__ import annotations

import argparse

from gitmem.cli.completion import script
from gitmem.main import build_parser


def run(args: argparse.Namespace) -> int:
    print(script(build_parser(), args.shell), end="")
    return 0
