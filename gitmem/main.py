"""`git mem`: argparse wiring only — parse, run one command, map errors to exit codes."""

from __future__ import annotations

import importlib
import os
import sys

from gitmem import __version__, early

# Nothing else at module level: a read command asks the index service first (standard library
# only, `gitmem.service.client`), and when it answers, this process imports no more than that
# (argparse, the parsers, the error and output modules load in `_in_process`).
TYPE_CHECKING = False  # not `typing`'s (~2 ms on the service's path)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn

    from gitmem.service.paths import Where

# Each command's name, in help order, and where its parser is added: the function in
# gitmem/cli/ (module.function), imported only for the command invoked (or for --help).
SUBCOMMANDS = {
    "init": "records.add_init",
    "save": "records.add_save",
    "show": "reading.add_show",
    "list": "reading.add_list",
    "search": "reading.add_search",
    "edit": "records.add_edit",
    "rm": "records.add_rm",
    "supersede": "records.add_supersede",
    "doctor": "records.add_doctor",
    "reindex": "records.add_reindex",
    "service": "records.add_service",
    "prune": "records.add_prune",
    "hooks": "git_integration.add_hooks",
    "hook": "git_integration.add_hook",
    "sync": "git_integration.add_sync",
    "capture": "git_integration.add_capture",
    "backup": "git_integration.add_backup",
    "checkpoint": "checkpoints.add_checkpoint",
    "deploy": "team.add_deploy",
    "report": "team.add_report",
    "session": "sessions.add_session",
    "import": "assistants.add_import",
    "export": "assistants.add_export",
    "context": "assistants.add_context",
    "pr": "team.add_pr",
    "publish": "team.add_publish",
    "mcp": "assistants.add_mcp",
    "assistant": "assistants.add_assistant",
    "completion": "git_integration.add_completion",
    "serve": "assistants.add_serve",
}
# Subcommands whose module name differs (`import` is a Python keyword).
MODULES = {"import": "import_"}
# The commands that read `.memory/` first (`commands.open_store(reading=True)`): git is asked
# what changed as soon as they start, before their parser and store load.
READS_WORK_TREE = early.READS_WORK_TREE
ALIASES = {"ls": "list"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (for speed: ~5 ms at start-up) just one command's."""
    from gitmem.cli.common import Parser, formatter

    parser: argparse.ArgumentParser = Parser(  # its subparsers are Parsers too
        prog="git mem",
        formatter_class=formatter,
        description="gitmem: a project's memory — decisions, facts, fixes, procedures — kept in "
        "its git repository (.memory/ files and notes on refs/notes/mem).",
        epilog="examples:\n  git mem init\n  git mem save -t decision -m 'Use PostgreSQL: JSONB "
        "covers the flexible parts'\n  git mem list --type decision\n  git mem show 7k3q\n\n"
        "Run 'git mem COMMAND -h' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"gitmem {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name, where in SUBCOMMANDS.items():
        if only is None or name == only:
            module, function = where.split(".")
            getattr(importlib.import_module(f"gitmem.cli.{module}"), function)(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand argv names, when it is plain to see (the first word, a known name)."""
    first = argv[0] if argv else None
    name = ALIASES.get(first or "", first)
    return name if name in SUBCOMMANDS else None


def _query_after_options(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """`search` argv with the query words last, after `--`: `-word` excludes a word there.

    A word is anything that is not one of search's options or an option's value, so
    `git mem search postgres -mongodb --type decision` needs no quoting.
    """
    import argparse

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        argv[0]
    ]
    takes_value = {
        option: action.nargs != 0 for action in sub._actions for option in action.option_strings
    }
    optional_value = {o for a in sub._actions if a.nargs == "?" for o in a.option_strings}
    options: list[str] = []
    words: list[str] = []
    rest = list(argv[1:])
    while rest:
        token = rest.pop(0)
        if token == "--":
            words.extend(rest)
            break
        name = token.split("=", 1)[0]
        if name.startswith("--") and name not in takes_value:  # argparse's abbreviations
            longer = [option for option in takes_value if option.startswith(name)]
            name = longer[0] if len(longer) == 1 else name
        short_value = token[:2] in takes_value and takes_value[token[:2]] and token[2:].isdigit()
        if name in takes_value or short_value:
            options.append(token)
            value = None
            # An optional value (`--server [URL]`) is taken only when it is a URL.
            wanted = rest and (name not in optional_value or "://" in rest[0])
            if takes_value.get(name) and "=" not in token and not short_value and wanted:
                value = rest.pop(0)  # missing: argparse says so
            options.extend([value] if value is not None else [])
        else:
            words.append(token)
    return [argv[0], *options, "--", *words]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` (else the process's arguments); its exit code. As the process's
    entry point (no `argv`), a read command answered in process ends the process itself
    (`exit_now`)."""
    entry = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    early.standard_streams()  # (done already for a console script, by gitmem/__init__)
    if entry and argv and argv[0] in READS_WORK_TREE:
        one_shot_collections()
    _forget_git(keep_early=entry)  # what `gitmem.early` started for this process's command
    # A running index service answers read commands (gitmem.service: standard library only;
    # `git mem -h` and the hooks pay nothing); on any failure the process answers.
    from gitmem.service import READ_COMMANDS

    if not argv or argv[0] not in READ_COMMANDS:
        return _in_process(argv)
    from gitmem.service import client

    served = client.answer(argv)
    if served.code is not None:
        early.forget()
        return served.code
    _start_git(argv, served.where)
    code = _in_process(argv)
    if served.start:  # no service runs: start one for a large repository (`auto`)
        from gitmem.service import control

        records = importlib.import_module("gitmem.commands").opened_records()
        control.after_in_process(served, records)
    if entry and argv[0] in READS_WORK_TREE:
        exit_now(code)
    return code


# A one-shot read's garbage collector: a collection every 100,000 new objects, not 700. Its
# imports alone (Whoosh's, ~60,000 objects that live as long as the process) otherwise trigger
# ~100 collections, a few of them of everything: ~4 ms of a `search` at 10k records, ~2 ms of
# a `list`. Cycles are still collected, so a read that rebuilds the index stays bounded.
ONE_SHOT_THRESHOLD = (100_000, 10, 10)


def one_shot_collections() -> None:
    import gc

    gc.set_threshold(*ONE_SHOT_THRESHOLD)


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once its output is written, without the interpreter's
    teardown: after a one-shot `search` it frees every module and object one by one, ~5 ms of
    a `list` and ~9 ms of a `search` at 10k records (more than the query), for nothing. Only
    after a read command: it leaves no file open for writing (its index and manifest updates
    are committed, their locks are the kernel's to release) and registers no `atexit`."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed (`>&-`): nothing to flush
            continue
        try:
            stream.flush()
        except BrokenPipeError:  # `git mem list | head`: the reader left; not an error
            pass
        except (OSError, ValueError):  # closed or failing: as the interpreter's exit says
            code = code or 120
    os._exit(code)


def _start_git(argv: list[str], where: Where | None) -> None:
    """For a command that reads `.memory/` in this repository: start the git processes it will
    wait for (`git diff-files`, a stat of every tracked file, and `rev-parse`) now, while this
    process imports the parser, the store and the index. The repository is the one the service
    client finds without git; the command takes the answers only if git's own discovery agrees
    (`store.git.discover`, `search.worktree.start`)."""
    from gitmem.service import paths

    if not early.reads_work_tree(argv):
        return
    if where is None:
        try:
            where = paths.find_repository(os.getcwd())
        except OSError:
            return
    if where is None:
        return
    from gitmem.search import worktree
    from gitmem.store import git

    worktree.start_early(where, argv)
    git.start_discovery()


def _forget_git(keep_early: bool = False) -> None:
    """Git processes an earlier command in this process started and never asked (it failed
    first) must not answer this one: they may predate a change. (`keep_early`: the process has
    run no command yet; what `gitmem.early` started is for this one.)"""
    if not keep_early:
        early.forget()
    for name in ("gitmem.search.worktree", "gitmem.store.git"):
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, "forget" if name.endswith("worktree") else "forget_discovery")()


def _in_process(argv: list[str]) -> int:
    from gitmem.cli import plain_argv
    from gitmem.errors import EXIT_FATAL, GitMemError, log_unexpected
    from gitmem.output import error as say_error

    # `show ID`, `list`, `search WORDS`: their namespace without argparse (~4 ms).
    args: Any = plain_argv.parsed(argv)
    if args is None:
        command = _command_in(argv)
        parser = build_parser(command)
        if command == "search":
            argv = _query_after_options(parser, argv)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
    name = ALIASES.get(args.command, args.command)
    module = importlib.import_module(f"gitmem.commands.{MODULES.get(name, name)}")
    try:
        if getattr(args, "personal", False):
            return _in_personal_memory(name, lambda: int(module.run(args)))
        code: int = module.run(args)
        return code
    except GitMemError as error:
        say_error(str(error))  # shown `safe`: an error may quote a record or the user's input
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `git mem list | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:
        from gitmem.store import git  # only now that something has gone wrong

        where = log_unexpected(error, git.log_dir())
        say_error(f"unexpected {type(error).__name__}: {error} (details in {where})")
        return EXIT_FATAL


# `--global` commands that write: the personal repository is created for them, and what they
# change is committed there at once (nobody runs git in it by hand).
PERSONAL_WRITERS = {"save", "edit", "rm", "supersede", "prune"}


def _in_personal_memory(name: str, run: Callable[[], int]) -> int:
    """Run a command in the personal memory repository (`--global`): from its top level, as if
    it had been started there; then commit what a writing command changed."""
    from gitmem.store import personal

    repo = personal.open_repo(create=name in PERSONAL_WRITERS)
    assert repo.work_tree is not None
    here = os.getcwd()
    os.chdir(repo.work_tree)
    try:
        code = run()
        if name in PERSONAL_WRITERS and code == 0:
            personal.commit(repo, f"git mem {name}")
        return code
    finally:
        os.chdir(here)


if __name__ == "__main__":
    sys.exit(main())
