"""`git mem supersede OLD NEW`: NEW replaces OLD."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import print_json
from gitmem.records import actions


def run(args: argparse.Namespace) -> int:
    result = actions.supersede(open_store(), args.old, args.new)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"{result.old} ({result.old_title}) is superseded by {result.new}")
    return 0
