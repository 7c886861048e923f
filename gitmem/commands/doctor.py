"""`git mem doctor`: report every problem with its location; exit 1 if there are any."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gitmem.capture.rules import check_config
from gitmem.commands import open_store
from gitmem.output import RED, emit, plural, safe, style
from gitmem.records import secret_scan
from gitmem.records.doctor import check
from gitmem.records.store import Store

if TYPE_CHECKING:
    from gitmem.search.changes import Problem


def run(args: argparse.Namespace) -> int:
    store = open_store()
    if args.secrets:
        return _secrets(store, args.json)
    report = check(store, config_checks=[check_config], duplicates=args.duplicates)
    problems, count = report.problems, report.records
    summary = plural(len(problems), "problem") if problems else "no problems"
    undecided = [_undecided(report.undecided, report.clone)] if report.undecided else []
    emit(
        args.json,
        {
            "records": count,
            "problems": [p._asdict() for p in problems],
            "undecided_notes": report.undecided,
        },
        [*map(_line, problems), *undecided, f"{summary} in {plural(count, 'record')}"],
    )
    return 1 if problems else 0


def _undecided(shas: list[str], clone: str | None) -> str:
    """One line for the notes on commits a shallow or partial clone lacks: not a problem."""
    fetch = (
        "run `git fetch --unshallow`"
        if clone == "shallow"
        else "`git cat-file -e SHA` fetches one from the promisor remote"
    )
    return (
        f"cannot tell whether the commits of {plural(len(shas), 'note')} still exist: "
        f"this {clone} clone does not have them ({fetch}, then doctor again; "
        "do not prune these notes)"
    )


def _line(problem: Problem) -> str:
    where = f"{problem.location}:{problem.line}" if problem.line else problem.location
    return f"{safe(where)}: {style(safe(problem.message), RED)}"


def _secrets(store: Store, json: bool) -> int:
    """`--secrets`: every record holding a secret, and the notes' history; exit 1 if any."""
    found, count = secret_scan.scan_records(store)
    history = secret_scan.scan_notes_history(store)
    problems = [*found, *history]
    summary = plural(len(problems), "secret") if problems else "no secrets"
    lines = [
        *map(_line, problems),
        f"{summary} in {plural(count, 'record')} and the notes' history",
    ]
    advice = secret_scan.advice(problems) if problems else []
    emit(
        json,
        {"records": count, "secrets": [p._asdict() for p in problems], "advice": advice},
        [*lines, *(f"hint: {line}" for line in advice)],
    )
    return 1 if problems else 0
