"""`git mem hooks install | uninstall | status`: the git hook shims in this repository."""

from __future__ import annotations

import argparse

from gitmem.capture import hooks
from gitmem.output import BOLD, GREEN, RED, YELLOW, emit, style, warn
from gitmem.store import git

_COLOURS = {"installed": GREEN, "chained": GREEN, "foreign": YELLOW, "missing": RED}


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    if args.action == "status":
        states = hooks.status(repo, args.hooks)
        directory = hooks.hooks_dir(repo)
        emit(
            args.json,
            {"hooks_dir": str(directory), "hooks": [s.to_json() for s in states]},
            [style(f"hooks directory: {hooks.shown(directory)}", BOLD), *map(_line, states)],
        )
        return 0
    act = hooks.install if args.action == "install" else hooks.uninstall
    changes = act(repo, args.hooks)
    if args.action == "install":
        note = hooks.shared_dir_note(repo, hooks.hooks_dir(repo))
        if note:
            warn(note)
    emit(
        args.json,
        {"changes": [c._asdict() for c in changes]},
        "\n".join(c.message for c in changes),
    )
    return 0


def _line(state: hooks.HookState) -> str:
    label = style(f"{state.state:<9}", _COLOURS[state.state])
    detail = f" ({state.detail})" if state.detail else ""
    return f"{state.name:<13} {label} {hooks.shown(state.path)}{detail}"
