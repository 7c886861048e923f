"""`git mem hooks install | uninstall | status`: the git hook shims in this repository."""

from __future__ import annotations

import argparse

from gitmem.capture import hooks
from gitmem.output import BOLD, GREEN, RED, YELLOW, print_json, style, warn
from gitmem.store import git

_COLOURS = {"installed": GREEN, "chained": GREEN, "foreign": YELLOW, "missing": RED}


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    if args.action == "status":
        states = hooks.status(repo, args.hooks)
        if args.json:
            directory = hooks.hooks_dir(repo)
            print_json({"hooks_dir": str(directory), "hooks": [s.to_json() for s in states]})
            return 0
        print(style(f"hooks directory: {hooks.shown(hooks.hooks_dir(repo))}", BOLD))
        for state in states:
            label = style(f"{state.state:<9}", _COLOURS[state.state])
            detail = f" ({state.detail})" if state.detail else ""
            print(f"{state.name:<13} {label} {hooks.shown(state.path)}{detail}")
        return 0
    act = hooks.install if args.action == "install" else hooks.uninstall
    changes = act(repo, args.hooks)
    if args.action == "install":
        note = hooks.shared_dir_note(repo, hooks.hooks_dir(repo))
        if note:
            warn(note)
    if args.json:
        print_json({"changes": [c._asdict() for c in changes]})
    else:
        print("\n".join(c.message for c in changes))
    return 0
