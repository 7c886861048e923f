"""`git mem supersede OLD NEW`: NEW replaces OLD."""

from __future__ import annotations

import argparse

from gitmem.commands import open_store
from gitmem.output import emit, safe
from gitmem.records import actions


def run(args: argparse.Namespace) -> int:
    result = actions.supersede(open_store(), args.old, args.new)
    emit(
        args.json,
        result.to_json(),
        safe(f"{result.old} ({result.old_title}) is superseded by {result.new}"),
    )
    return 0
