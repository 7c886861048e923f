"""`git mem doctor`: report every problem with its location; exit 1 if there are any."""

from __future__ import annotations

import argparse

from gitmem.capture.rules import check_config
from gitmem.commands import open_store
from gitmem.output import RED, print_json, style
from gitmem.records.doctor import check


def run(args: argparse.Namespace) -> int:
    store = open_store()
    problems, count = check(store, config_checks=[check_config])
    if args.json:
        print_json({"records": count, "problems": [p._asdict() for p in problems]})
    else:
        for problem in problems:
            where = f"{problem.location}:{problem.line}" if problem.line else problem.location
            print(f"{where}: {style(problem.message, RED)}")
        summary = (
            f"{len(problems)} problem{'s' * (len(problems) != 1)}" if problems else "no problems"
        )
        print(f"{summary} in {count} record{'s' * (count != 1)}")
    return 1 if problems else 0
