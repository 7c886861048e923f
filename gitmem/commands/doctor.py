"""`git mem doctor`: report every problem with its location; exit 1 if there are any."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gitmem.capture.rules import check_config
from gitmem.commands import open_store
from gitmem.output import RED, emit, plural, safe, style
from gitmem.records.doctor import check

if TYPE_CHECKING:
    from gitmem.search.changes import Problem


def run(args: argparse.Namespace) -> int:
    store = open_store()
    problems, count = check(store, config_checks=[check_config], duplicates=args.duplicates)
    summary = plural(len(problems), "problem") if problems else "no problems"
    emit(
        args.json,
        {"records": count, "problems": [p._asdict() for p in problems]},
        [*map(_line, problems), f"{summary} in {plural(count, 'record')}"],
    )
    return 1 if problems else 0


def _line(problem: Problem) -> str:
    where = f"{problem.location}:{problem.line}" if problem.line else problem.location
    return f"{safe(where)}: {style(safe(problem.message), RED)}"
