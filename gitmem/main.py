"""`git mem`: argparse wiring only — parse, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitmem import __version__
from gitmem.errors import EXIT_FATAL, GitMemError

FILTER_HELP = """\
filters (all may be repeated; repeats of one filter are OR-ed, different filters AND-ed):
  --type decision         --tag database        --status accepted
  --author jane           --source hook         --project backend
  --since '2 weeks ago'   --until 2026-11-01    --path src/db/   --commit HEAD~3
"""


if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument(
        "--type", action="append", default=[], metavar="TYPE", help="only records of this type"
    )
    group.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="only records carrying this tag (repeat: all of them)",
    )
    group.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="STATUS",
        help="only records with this status (shows retired ones too)",
    )
    group.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="TEXT",
        help="author name or email contains TEXT",
    )
    group.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="SOURCE",
        help="captured by: cli, hook, ci, mcp, import, session",
    )
    group.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="NAME",
        help="only records of this project",
    )
    group.add_argument("--since", metavar="WHEN", help="created at or after (date or '3 days ago')")
    group.add_argument("--until", metavar="WHEN", help="created at or before")
    group.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="about this file or directory (matches recorded globs and dirs)",
    )
    group.add_argument(
        "--commit",
        action="append",
        default=[],
        metavar="REV",
        help="about this commit (noted on it or listing it in commits)",
    )
    group.add_argument(
        "-a",
        "--all",
        action="store_true",
        help="include superseded, deprecated and rejected records",
    )


def _add_record_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-t",
        "--type",
        default="fact",
        help="fact (default), decision, code, error, procedural, episodic, user, "
        "or a type from .memory/config.toml",
    )
    parser.add_argument("--title", help="one line; default: the first line of the text")
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="a tag; repeat it or give a comma list (a,b)",
    )
    parser.add_argument(
        "--status", help="active (default), proposed, accepted, superseded, deprecated, rejected"
    )
    parser.add_argument("--summary", help="a one-line summary")
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="a file, directory/ or glob this memory is about (repeatable)",
    )
    parser.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="ID",
        help="a related memory (id or unique prefix; repeatable)",
    )
    parser.add_argument(
        "--supersedes",
        action="append",
        default=[],
        metavar="ID",
        help="a memory this one replaces; it is marked superseded (repeatable)",
    )
    parser.add_argument("--project", help="group memories across repositories")
    parser.add_argument(
        "--meta",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="free-form metadata (repeatable), e.g. --meta sprint=42",
    )
    parser.add_argument("--tool", help="the assistant or tool that produced it")


def _add_init(sub: Subparsers) -> None:
    p = sub.add_parser(
        "init",
        formatter_class=_formatter,
        help="set up .memory/ and git config",
        description="Create .memory/ (config.toml, README.md), set notes.rewriteRef so notes "
        "follow amend and rebase, and add a fetch refspec that brings each remote's notes into "
        "refs/notes/remotes/<remote>/mem. Safe to run again; prints what it changed. Never "
        "writes remote.*.push. With --hooks, also install the git hooks (git mem hooks).",
        epilog="examples:\n  git mem init\n  git mem init --hooks",
    )
    p.add_argument(
        "--hooks", action="store_true", help="also install the hook shims (git mem hooks install)"
    )
    p.add_argument("--json", action="store_true", help="print the changes as JSON")


def _add_save(sub: Subparsers) -> None:
    p = sub.add_parser(
        "save",
        formatter_class=_formatter,
        help="save a new memory",
        description="Save a memory as a file under .memory/<type folder>/, or with --commit as "
        "a note on that commit. The text comes from -m, the arguments, stdin ('-'), or your "
        "editor (with a template for the type).",
        epilog="examples:\n  git mem save 'The staging DB is reset every Sunday'\n"
        "  git mem save -t decision --title 'Use PostgreSQL' --tag db,adr -m 'JSONB covers it'\n"
        "  git log -1 --format=%B | git mem save -t error --commit HEAD -\n"
        "  git mem save -t decision            # opens $EDITOR with the ADR template",
    )
    p.add_argument("text", nargs="*", help="the memory's text; '-' reads stdin")
    p.add_argument(
        "-m",
        "--message",
        action="append",
        default=[],
        metavar="TEXT",
        help="the text (repeat for paragraphs)",
    )
    _add_record_options(p)
    p.add_argument("--commit", metavar="REV", help="attach as a note to this commit instead")
    p.add_argument("--slug", help="file name part after the date (default: from the title)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_show(sub: Subparsers) -> None:
    p = sub.add_parser(
        "show",
        formatter_class=_formatter,
        help="show one memory",
        description="Show a memory by id or unique prefix (4+ characters).",
        epilog="examples:\n  git mem show 7k3q\n  git mem show 7k3q9x2m4pva --raw",
    )
    p.add_argument("id", help="id or unique prefix")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--raw", action="store_true", help="the exact stored text")
    fmt.add_argument("--json", action="store_true", help="all fields and the body as JSON")


def _add_list(sub: Subparsers) -> None:
    p = sub.add_parser(
        "list",
        aliases=["ls"],
        formatter_class=_formatter,
        help="list memories",
        description="List memories newest first, one line each: id, date, type, title, tags, "
        "where it lives. Superseded, deprecated and rejected ones are hidden unless --all.",
        epilog="examples:\n  git mem list --type decision --since '1 month ago'\n"
        "  git mem list --path src/db/ --json",
    )
    _add_filters(p)
    p.add_argument("-n", "--limit", type=int, metavar="N", help="at most N records")
    p.add_argument("--json", action="store_true", help="print the records as JSON")


def _add_search(sub: Subparsers) -> None:
    p = sub.add_parser(
        "search",
        formatter_class=_formatter,
        help="ranked full-text search",
        description="Search every memory (files and notes) by relevance: a title match "
        "outranks a body match, tags count, words are stemmed (deploying finds deployment). "
        "Superseded, deprecated and rejected records are hidden unless --all, and rank below "
        "active ones. Exit 1 when nothing matches (with a suggestion if a word looks "
        "misspelled).\n\n"
        "query syntax:\n"
        "  words                 all of them, in the title, summary, body or tags\n"
        '  "exact phrase"        the words next to each other\n'
        "  a OR b, a AND b, NOT a, -a, ( )\n"
        "  field:value           type, tag, status, author, project, source, path, commit\n"
        "                        (commit:abc123 matches a prefix; path:src/db a directory)\n"
        "A query the syntax cannot read (an unbalanced quote, a lone ':') is searched as "
        "plain words.\n\n" + FILTER_HELP,
        epilog="examples:\n  git mem search postgres migration\n"
        "  git mem search '\"connection pool\" -redis' --type decision\n"
        "  git mem search 'tag:deploy OR tag:ci' --since '1 month ago' --json\n"
        "  git mem search flaky test --ids --limit 3",
    )
    p.add_argument("query", nargs="+", help="what to look for (see query syntax)")
    _add_filters(p)
    p.add_argument(
        "-n", "--limit", type=int, default=10, metavar="N", help="at most N hits (default 10)"
    )
    p.add_argument(
        "--sort",
        choices=["relevance", "newest"],
        default="relevance",
        help="order of the hits (default relevance)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json", action="store_true", help="hits as JSON: score, id, type, snippet, fields"
    )
    out.add_argument("--ids", action="store_true", help="only the ids, one per line")


def _add_reindex(sub: Subparsers) -> None:
    p = sub.add_parser(
        "reindex",
        formatter_class=_formatter,
        help="update or rebuild the search index",
        description="Bring the search index up to date now (every read command does this by "
        "itself, re-reading only what changed), or rebuild it from scratch with --full. The "
        "index lives under the git directory (gitmem/index/) and can be deleted at any time.",
        epilog="examples:\n  git mem reindex\n  git mem reindex --full",
    )
    p.add_argument("--full", action="store_true", help="rebuild from scratch")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


def _add_edit(sub: Subparsers) -> None:
    p = sub.add_parser(
        "edit",
        formatter_class=_formatter,
        help="change a memory",
        description="Open a memory in your editor, or change it with options. Sets `updated`. "
        "The result is validated before anything is written; an invalid edit is kept in a file "
        "whose path is printed.",
        epilog="examples:\n  git mem edit 7k3q\n  git mem edit 7k3q --set status=accepted "
        "--add-tag adr\n  echo 'New text' | git mem edit 7k3q --body -",
    )
    p.add_argument("id", help="id or unique prefix")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="set a field, e.g. --set status=accepted, --set tags=a,b, --set metadata.sprint=43 "
        "(repeatable)",
    )
    p.add_argument(
        "--unset", action="append", default=[], metavar="FIELD", help="remove an optional field"
    )
    p.add_argument("--add-tag", action="append", default=[], metavar="TAG", help="add tags")
    p.add_argument("--remove-tag", action="append", default=[], metavar="TAG", help="drop tags")
    p.add_argument("--body", metavar="TEXT", help="replace the body; '-' reads stdin")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_rm(sub: Subparsers) -> None:
    p = sub.add_parser(
        "rm",
        formatter_class=_formatter,
        help="remove a memory",
        description="Remove a memory: delete its file, or take it out of its note (the note "
        "goes when it is empty). A prefix matching several memories is refused.",
        epilog="example:\n  git mem rm 7k3q",
    )
    p.add_argument("id", help="id or unique prefix")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_supersede(sub: Subparsers) -> None:
    p = sub.add_parser(
        "supersede",
        formatter_class=_formatter,
        help="replace one memory by another",
        description="Mark OLD superseded by NEW: OLD gets status superseded, NEW "
        "lists OLD in supersedes.",
        epilog="example:\n  git mem supersede 7k3q 9x2m",
    )
    p.add_argument("old", help="the memory being replaced")
    p.add_argument("new", help="the memory replacing it")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_doctor(sub: Subparsers) -> None:
    p = sub.add_parser(
        "doctor",
        formatter_class=_formatter,
        help="check every memory",
        description="Check every record (schema, duplicate ids, dangling links and supersedes, "
        "files in the wrong type folder, notes on missing objects) and the git setup "
        "(notes.rewriteRef, fetch refspecs). Exit 1 if anything is wrong.",
        epilog="example:\n  git mem doctor",
    )
    p.add_argument("--json", action="store_true", help="print the problems as JSON")


def _add_hooks(sub: Subparsers) -> None:
    p = sub.add_parser(
        "hooks",
        formatter_class=_formatter,
        help="install, remove or inspect the git hooks",
        description="Install the hook shims (pre-commit: check memory files; post-commit and "
        "post-rewrite: capture decisions from commit messages) into the directory git runs hooks "
        "from (core.hooksPath honoured, shared by linked worktrees). A hook that is already there "
        "is kept as HOOK.before-gitmem and runs first; uninstall puts it back. Installing again "
        "changes nothing. status says, per hook: installed, chained (runs the kept hook first), "
        "foreign (someone else's hook, gitmem's not installed) or missing.",
        epilog="examples:\n  git mem hooks install\n  git mem hooks install post-commit "
        "post-rewrite\n  git mem hooks status --json\n  git mem hooks uninstall",
    )
    p.add_argument("action", choices=["install", "uninstall", "status"], help="what to do")
    p.add_argument(
        "hooks",
        nargs="*",
        metavar="HOOK",
        help="pre-commit, post-commit, post-rewrite (default: all three)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_hook(sub: Subparsers) -> None:
    p = sub.add_parser(
        "hook",
        formatter_class=_formatter,
        help="run one hook (what the shims call)",
        description="Plumbing for the hook shims and the pre-commit framework. pre-commit checks "
        "memory files (the FILES given, else the staged .memory/ files as staged): valid records, "
        "no credentials; exit 1 with one line per problem. post-commit captures decisions from "
        "the commit just made; post-rewrite (ARGS: amend or rebase, old/new pairs on stdin) moves "
        "captured memories to the rewritten commits. Capture hooks never fail a commit: any "
        "problem is one line on stderr, details in the log under .git/gitmem/logs/.",
        epilog="examples:\n  git mem hook pre-commit .memory/decisions/2026-11-20-use-postgresql.md"
        "\n  git mem hook post-commit\n  git mem hook post-rewrite amend < pairs.txt",
    )
    p.add_argument(
        "name", choices=["pre-commit", "post-commit", "post-rewrite"], help="the hook to run"
    )
    p.add_argument(
        "args", nargs="*", metavar="ARG", help="the hook's arguments (FILES for pre-commit)"
    )


def _add_sync(sub: Subparsers) -> None:
    p = sub.add_parser(
        "sync",
        formatter_class=_formatter,
        help="share notes with a remote",
        description="Fetch the remote's refs/notes/mem into refs/notes/remotes/<remote>/mem, "
        "merge it into refs/notes/mem record by record (added on either side: kept; removed on "
        "one side only: removed; changed on both: the newer one wins and the other stays in the "
        "notes history), then push refs/notes/mem, never forced; a push that loses a race is "
        "fetched, merged and retried. Never touches remote.*.push, so a plain `git push` still "
        "pushes your branch.",
        epilog="examples:\n  git mem sync\n  git mem sync upstream --no-push\n"
        "  git mem sync --json",
    )
    p.add_argument(
        "remote", nargs="?", help="the remote (default: the branch's upstream remote, or origin)"
    )
    p.add_argument(
        "--no-push", action="store_true", help="fetch and merge only; leave the remote as it is"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="also fetch and push checkpoints (refs/gitmem/checkpoints/*) and session "
        "transcripts (refs/gitmem/sessions), never forced",
    )
    p.add_argument("--json", action="store_true", help="print the counts and conflicts as JSON")


def _add_backup(sub: Subparsers) -> None:
    p = sub.add_parser(
        "backup",
        formatter_class=_formatter,
        help="back up or restore the whole memory as one git bundle",
        description="A backup is one git bundle holding refs/notes/mem, every refs/gitmem/* ref "
        "(checkpoints, sessions) and the branch holding .memory/. Run 'git mem backup ACTION -h' "
        "for an action's options.",
        epilog="examples:\n  git mem backup create\n  git mem backup verify memory.bundle\n"
        "  git mem backup restore memory.bundle --dry-run",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        formatter_class=_formatter,
        help="write a backup bundle",
        description="Write one git bundle with refs/notes/mem, every refs/gitmem/* ref and the "
        "branch holding .memory/ (default: the current branch), under a temporary name; check "
        "every object in it, then give it its name. Prints its size and counts (refs, records in "
        "notes, checkpoints). Never overwrites an existing file.",
        epilog="examples:\n  git mem backup create\n"
        "  git mem backup create /backups/memory.bundle --branch main",
    )
    create.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="where to write it (default: gitmem-backup-<repo>-<UTC time>.bundle here)",
    )
    create.add_argument(
        "--branch", metavar="BRANCH", help="the branch holding .memory/ (default: the current one)"
    )
    create.add_argument("--json", action="store_true", help="print the size and counts as JSON")
    verify = actions.add_parser(
        "verify",
        formatter_class=_formatter,
        help="check a backup bundle",
        description="Check a bundle completely (every object, every ref) without restoring "
        "anything; print its size and counts. A truncated file or one that is not a bundle is a "
        "one-line error. Works outside a repository too.",
        epilog="example:\n  git mem backup verify memory.bundle",
    )
    verify.add_argument("file", metavar="FILE", help="the bundle")
    verify.add_argument("--json", action="store_true", help="print the size and counts as JSON")
    restore = actions.add_parser(
        "restore",
        formatter_class=_formatter,
        help="bring a backup's memory back",
        description="Check the bundle, then bring its memory back without overwriting newer local "
        "state: notes are merged record by record as `git mem sync` does; checkpoint chains, "
        "other refs/gitmem/* refs and the branch are created or fast-forwarded; a diverged one "
        "keeps both tips (the bundle's as NAME-restored-<sha>), and a checked-out branch is "
        "never moved. A bad bundle is refused before anything is written.",
        epilog="examples:\n  git mem backup restore memory.bundle --dry-run\n"
        "  git mem backup restore memory.bundle --json",
    )
    restore.add_argument("file", metavar="FILE", help="the bundle")
    restore.add_argument(
        "-n", "--dry-run", action="store_true", help="say what would change, write nothing"
    )
    restore.add_argument("--json", action="store_true", help="print the outcome as JSON")


def _add_capture(sub: Subparsers) -> None:
    p = sub.add_parser(
        "capture",
        formatter_class=_formatter,
        help="capture memories from existing commit messages",
        description="Run the capture rules (trailers such as Decision:, Memory-Type:, and the "
        "decision and bug-fix patterns of .memory/config.toml [capture]) over existing history "
        "and attach what they find as notes, as the post-commit hook would have. Idempotent: "
        "records already there (same id, or a captured record of the same type and title on "
        "the commit) are counted, not written again.",
        epilog="examples:\n  git mem capture                 # all of HEAD's history\n"
        "  git mem capture v1.0..main --dry-run\n  git mem capture origin/main --json",
    )
    p.add_argument(
        "revs",
        nargs="*",
        metavar="REV-RANGE",
        help="commits to scan, as for git log (default: HEAD)",
    )
    p.add_argument(
        "-n", "--dry-run", action="store_true", help="print what would be captured, write nothing"
    )
    p.add_argument("--json", action="store_true", help="print the counts and records as JSON")


def _add_deploy(sub: Subparsers) -> None:
    import textwrap

    from gitmem import ci_env  # no imports of its own beyond the standard library

    p = sub.add_parser(
        "deploy",
        formatter_class=_formatter,
        help="record a deployment on the deployed commit (for CI)",
        description=textwrap.fill(
            "Record a deployment as an episodic record in a note on the deployed commit "
            "(refs/notes/mem): a `deploy:` mapping with the environment, status, url, version and "
            "what the CI says about the run, tags `deploy` and the environment. Works in a shallow "
            "clone, on a detached HEAD and without user.email (it then writes as the CI, e.g. "
            "`github-actions <ci@github-actions>`). A record of a known CI run has an id derived "
            "from commit, env, status and run, so a retried job records it once. Nothing is "
            "written when an option is refused. With --push the notes are synced with the "
            "remote (fetch, merge by id, push; retried when other jobs push at the same time).",
            79,
        )
        + "\n\n"
        + ci_env.variables_help(),
        epilog="examples:\n  git mem deploy --env production\n"
        "  git mem deploy --env staging --status failure --message 'migration timed out'\n"
        "  git mem deploy --env production --version v1.4.2 --url https://app.example.com "
        "--push\n  git mem deploy --env production --status rolled-back --commit v1.4.1 --json",
    )
    p.add_argument(
        "--env", required=True, metavar="ENV", help="the environment, free text (e.g. production)"
    )
    p.add_argument(
        "--status",
        default="success",
        choices=["success", "failure", "started", "rolled-back"],
        metavar="STATUS",
        help="success (default), failure, started or rolled-back",
    )
    p.add_argument(
        "--commit", default="HEAD", metavar="REV", help="the deployed commit (default HEAD)"
    )
    p.add_argument("--url", help="where the deployment can be reached")
    p.add_argument("--version", metavar="V", help="the version deployed, e.g. v1.4.2")
    p.add_argument("-m", "--message", metavar="TEXT", help="notes on the deployment (the body)")
    p.add_argument(
        "--duration",
        type=int,
        metavar="SECONDS",
        help="how long it took (default: from the CI where it says when the job started)",
    )
    p.add_argument(
        "--push", action="store_true", help="sync the notes with the remote after recording"
    )
    p.add_argument(
        "--remote",
        metavar="NAME",
        help="the remote for --push (default: the upstream's remote, else origin)",
    )
    p.add_argument("--json", action="store_true", help="print the record (and push) as JSON")


def _add_checkpoint_save(actions: Subparsers) -> None:
    p = actions.add_parser(
        "save",
        formatter_class=_formatter,
        help="snapshot files as a new checkpoint",
        description="Snapshot the working tree (tracked and untracked files, .gitignore'd ones "
        "excluded), or only --files, or everything under --context DIR, as a commit on "
        "refs/gitmem/checkpoints/NAME whose parent is the previous checkpoint of that name. "
        "The commit message holds the metadata as JSON: stage, notes, progress, the HEAD it was "
        "taken on, and per file its size, mtime, sha256 and word count (none for binary files). "
        "Your HEAD, branch, index, stash and working tree are not touched.",
        epilog="examples:\n  git mem checkpoint save --name parser --stage draft "
        "--notes 'lexer done'\n  git mem checkpoint save --name parser --files src/lexer.py "
        "src/parser.py --todo 'error recovery'\n  git mem checkpoint save --name course "
        "--context lessons/ --metadata '{\"week\": 3}'",
    )
    p.add_argument("--name", required=True, help="the checkpoint name (letters, digits, . _ -)")
    p.add_argument("--stage", help="where the work stands, e.g. draft, review, final")
    p.add_argument("--notes", metavar="TEXT", help="free text kept with the checkpoint")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument(
        "--files",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="only these files or directories (named files are taken even if ignored)",
    )
    scope.add_argument("--context", metavar="DIR", help="only everything under DIR")
    p.add_argument("--metadata", metavar="JSON", help="a JSON object kept with the checkpoint")
    p.add_argument(
        "--done", action="append", default=[], metavar="ITEM", help="a finished item (repeatable)"
    )
    p.add_argument(
        "--todo", action="append", default=[], metavar="ITEM", help="an open item (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="print the checkpoint as JSON")


def _add_checkpoint_list(actions: Subparsers) -> None:
    p = actions.add_parser(
        "list",
        formatter_class=_formatter,
        help="list checkpoints",
        description="List checkpoint names and their checkpoints, newest first: timestamp, "
        "stage, file count, size and notes. Exit 1 when there are none.",
        epilog="examples:\n  git mem checkpoint list\n  git mem checkpoint list --name parser "
        "--json",
    )
    p.add_argument("--name", help="only this checkpoint name")
    p.add_argument("--json", action="store_true", help="print the checkpoints as JSON")


def _add_checkpoint_show(actions: Subparsers) -> None:
    p = actions.add_parser(
        "show",
        formatter_class=_formatter,
        help="show one checkpoint",
        description="Show a checkpoint's summary: stage, notes, scope, progress, totals and "
        "every file with its size and word count. NAME is the newest checkpoint of that name, "
        "NAME~N the one N before it, NAME@TIMESTAMP the one taken then (a unique prefix such "
        "as NAME@2026-11-22T01 will do).",
        epilog="examples:\n  git mem checkpoint show parser\n  git mem checkpoint show "
        "parser~2\n  git mem checkpoint show parser@2026-11-22T01:05 --json",
    )
    p.add_argument("spec", metavar="NAME[@TIMESTAMP|~N]", help="which checkpoint")
    p.add_argument("--json", action="store_true", help="print the metadata as JSON")


def _add_checkpoint_diff(actions: Subparsers) -> None:
    p = actions.add_parser(
        "diff",
        formatter_class=_formatter,
        help="compare two checkpoints",
        description="List the files added (A), removed (D) and changed (M) from checkpoint A to "
        "checkpoint B, with word-count deltas (binary files have none). A and B may be "
        "checkpoints of different names.",
        epilog="examples:\n  git mem checkpoint diff parser~1 parser\n  git mem checkpoint "
        "diff parser@2026-11-20 parser-v2 --json",
    )
    p.add_argument("old", metavar="A", help="the earlier checkpoint (NAME[@TIMESTAMP|~N])")
    p.add_argument("new", metavar="B", help="the later checkpoint")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")


def _add_checkpoint_resume(actions: Subparsers) -> None:
    p = actions.add_parser(
        "resume",
        formatter_class=_formatter,
        help="restore a checkpoint's files",
        description="Write a checkpoint's files back into the working tree (or --target DIR, "
        "created if missing). Nothing is written if any path of the snapshot could land outside "
        "the target (absolute, '..', .git, through or onto a symlink pointing out). Files that "
        "differ from the checkpoint and hold work git cannot give back (modified, staged, "
        "untracked, ignored) are named and left alone unless --force. Files not in the "
        "checkpoint are never deleted. Every written file is verified against the sha256 in the "
        "metadata; a file whose blob is missing here (shallow or partial clone) is named, the "
        "rest restored, and the exit code is 1.",
        epilog="examples:\n  git mem checkpoint resume --name parser --latest --dry-run\n"
        "  git mem checkpoint resume --name parser --timestamp 2026-11-22T01 --report resume.md"
        "\n  git mem checkpoint resume --name parser --at 3f2a9c1 --target /tmp/parser-old",
    )
    p.add_argument("--name", required=True, help="the checkpoint name")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--latest", action="store_true", help="the newest checkpoint of NAME")
    which.add_argument(
        "--timestamp", metavar="T", help="the checkpoint taken at T (exact or a unique prefix)"
    )
    which.add_argument("--at", metavar="REV", help="the checkpoint commit REV (sha or prefix)")
    p.add_argument(
        "-n", "--dry-run", action="store_true", help="print what would change, write nothing"
    )
    p.add_argument("--target", metavar="DIR", help="restore into DIR instead of the work tree")
    p.add_argument(
        "--no-verify", action="store_true", help="skip the sha256 check of restored files"
    )
    p.add_argument("--report", metavar="FILE", help="write a Markdown report of the restore")
    p.add_argument(
        "--force", action="store_true", help="overwrite files with uncommitted changes too"
    )
    p.add_argument("--json", action="store_true", help="print the files and outcome as JSON")


def _add_checkpoint_prune(actions: Subparsers) -> None:
    p = actions.add_parser(
        "prune",
        formatter_class=_formatter,
        help="drop old checkpoints by a retention policy",
        description="Keep a checkpoint when any rule keeps it: one of the last N (--keep-last), "
        "newer than DAYS (--older-than), or of a named stage (--keep-stage); drop the rest. The "
        "survivors are re-chained with their trees, messages, authors and dates unchanged and the "
        "ref is moved by compare-and-swap (an emptied chain's ref is deleted). No other ref is "
        "touched. Prints what each rule kept and dropped, and how to undo until git gc.",
        epilog="examples:\n  git mem checkpoint prune --older-than 30 --keep-stage final "
        "--dry-run\n  git mem checkpoint prune --name parser --keep-last 5\n"
        "  git mem checkpoint prune --keep-last 3 --older-than 7 --json",
    )
    p.add_argument("--name", help="only this checkpoint name (default: every name)")
    p.add_argument("--keep-last", type=int, metavar="N", help="keep the newest N of each chain")
    p.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="drop only checkpoints older than DAYS (keep everything newer)",
    )
    p.add_argument(
        "--keep-stage",
        action="append",
        default=[],
        metavar="STAGE",
        help="keep checkpoints of this stage (repeatable)",
    )
    p.add_argument(
        "-n", "--dry-run", action="store_true", help="print what would be dropped, write nothing"
    )
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")


def _add_checkpoint(sub: Subparsers) -> None:
    p = sub.add_parser(
        "checkpoint",
        formatter_class=_formatter,
        help="snapshot, list, compare and restore work in progress",
        description="Checkpoints are save points for long work: snapshots of files kept as "
        "commit chains on refs/gitmem/checkpoints/NAME, out of the way of your branches, index "
        "and stash. Run 'git mem checkpoint ACTION -h' for an action's options.",
        epilog="examples:\n  git mem checkpoint save --name parser --stage draft\n"
        "  git mem checkpoint list\n  git mem checkpoint show parser~1\n"
        "  git mem checkpoint diff parser~1 parser\n"
        "  git mem checkpoint resume --name parser --latest --dry-run\n"
        "  git mem checkpoint prune --older-than 30 --keep-stage final",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add_checkpoint_save(actions)
    _add_checkpoint_list(actions)
    _add_checkpoint_show(actions)
    _add_checkpoint_diff(actions)
    _add_checkpoint_resume(actions)
    _add_checkpoint_prune(actions)


def _add_report(sub: Subparsers) -> None:
    p = sub.add_parser(
        "report",
        formatter_class=_formatter,
        help="reports: deploys (DORA), decisions, activity, errors, timeline",
        description="Reports over every record (superseded ones too):\n"
        "  deploys    per environment: deploy counts, the four DORA measures (deployment\n"
        "             frequency, lead time for changes, change failure rate, time to\n"
        "             restore) and the latest deploy\n"
        "  decisions  an ADR-style index: status, date, author, supersedes chains, tags\n"
        "  activity   records per week by type and author; most active tags and paths\n"
        "  errors     error records grouped by tag and path, recurring ones first\n"
        "  timeline   everything, oldest first\n"
        "Markdown (default), one stable JSON document, or one self-contained HTML page with "
        "inline SVG charts. An empty repository gives an empty report.",
        epilog="examples:\n  git mem report deploys --env production --since '90 days ago'\n"
        "  git mem report decisions > docs/decisions.md\n"
        "  git mem report activity --format html -o activity.html\n"
        "  git mem report timeline --format json",
    )
    p.add_argument(
        "kind",
        choices=["deploys", "decisions", "activity", "errors", "timeline"],
        help="which report",
    )
    p.add_argument(
        "--format",
        choices=["markdown", "json", "html"],
        default="markdown",
        help="markdown (default), json or html",
    )
    p.add_argument(
        "--since", metavar="WHEN", help="records created at or after (date or '3 days ago')"
    )
    p.add_argument("--until", metavar="WHEN", help="records created at or before")
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="ENV",
        help="deploys: only this environment (repeatable)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE, not stdout")


def _add_mcp(sub: Subparsers) -> None:
    sub.add_parser(
        "mcp",
        formatter_class=_formatter,
        help="serve memories to AI assistants over MCP (stdio)",
        description="Run a Model Context Protocol server on stdin/stdout for this repository, "
        "so an AI assistant can search, read, save and update its memories. Tools: save, "
        "search, show, list, update, delete, supersede, context, session_start, session_log, "
        "session_end, sessions; resource: gitmem://context (the context pack). Records "
        "written through it get source: mcp and the client's name as tool. Needs the mcp "
        "extra: pip install 'gitmem[mcp]'. An MCP client starts it; it is not run by hand.",
        epilog="examples:\n  claude mcp add gitmem -- git-mem mcp\n"
        '  {"mcpServers": {"gitmem": {"command": "git-mem", "args": ["mcp"]}}}',
    )


def _add_session(sub: Subparsers) -> None:
    p = sub.add_parser(
        "session",
        formatter_class=_formatter,
        help="log an assistant's session: transcript and summary",
        description="A session is one conversation of an assistant (or a person) with the "
        "project. `start` makes one active in this worktree, `log` appends messages (a local "
        "file under the git common dir, no git write), `end` writes the transcript as JSONL "
        "into refs/gitmem/sessions and a summary as an episodic record in .memory/sessions/, "
        "linked to the records saved meanwhile (they carry `session: ID`). `git mem sync --all` "
        "shares the transcripts. A session never ended (a crash) stays active, or unfinished "
        "once parked: `status` shows it, `end ID` or `resume ID` picks it up later. "
        "Run 'git mem session ACTION -h' for an action's options.",
        epilog="examples:\n  git mem session start --label 'fix flaky sync test' --tool "
        "claude-code\n  git mem session log 'why does sync retry forever?'\n"
        "  git mem session log --role assistant - < answer.txt\n"
        "  git mem session end --summary 'Bounded the push retry; see decision 7k3q'\n"
        "  git mem session list\n  git mem session show 9ab2",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser(
        "start",
        formatter_class=_formatter,
        help="start a session in this worktree",
        description="Start a session and make it the active one of this worktree. Records "
        "saved while it is active carry `session: ID`. Refused (exit 2) while another session "
        "is active here, unless --replace, which parks that one as unfinished.",
        epilog="examples:\n  git mem session start\n  git mem session start --label "
        "'parser refactor' --tool claude-code --json",
    )
    a.add_argument("--label", metavar="L", help="a short name for the session")
    a.add_argument("--tool", metavar="NAME", help="the assistant or tool, e.g. claude-code")
    a.add_argument(
        "--replace",
        action="store_true",
        help="park the active session as unfinished and start a new one",
    )
    a.add_argument("--json", action="store_true", help="print the session as JSON")

    a = actions.add_parser(
        "log",
        formatter_class=_formatter,
        help="append a message to the active session",
        description="Append one message to the active session's local log (one appended line; "
        "no git write). TEXT is the arguments joined by spaces, or '-' to read standard input.",
        epilog="examples:\n  git mem session log 'how is the index kept fresh?'\n"
        "  git mem session log --role assistant - < reply.md",
    )
    a.add_argument(
        "--role",
        choices=("user", "assistant", "tool"),
        default="user",
        help="who said it (default: user)",
    )
    a.add_argument("text", nargs="*", metavar="TEXT", help="the message, or '-' for stdin")
    a.add_argument("--json", action="store_true", help="print the logged message as JSON")

    a = actions.add_parser(
        "end",
        formatter_class=_formatter,
        help="end a session: write its transcript and summary",
        description="End the active session (or the unfinished session ID): the transcript "
        "goes into refs/gitmem/sessions as <ID>.jsonl, the summary into .memory/sessions/ as an "
        "episodic record (source: session, tag session) linked to the records saved during the "
        "session. Without --summary a short summary is generated (message counts, time span, "
        "first user message) and says it was generated. Safe to run again after a crash.",
        epilog="examples:\n  git mem session end --summary 'Moved the index to FileStorage'"
        "\n  git mem session end --summary - < summary.md\n  git mem session end 9ab2 --json",
    )
    a.add_argument("id", nargs="?", metavar="ID", help="an unfinished session (default: active)")
    a.add_argument("--summary", metavar="TEXT", help="the summary, or '-' to read stdin")
    a.add_argument("--json", action="store_true", help="print what was written as JSON")

    a = actions.add_parser(
        "status",
        formatter_class=_formatter,
        help="show the active session and unfinished ones",
        description="Show the session active in this worktree and the unfinished sessions "
        "(parked, crashed in a worktree since removed). Exit 1 when none is active here.",
        epilog="examples:\n  git mem session status\n  git mem session status --json",
    )
    a.add_argument("--json", action="store_true", help="print the sessions as JSON")

    a = actions.add_parser(
        "resume",
        formatter_class=_formatter,
        help="make an unfinished session active here",
        description="Make an unfinished session (parked with start --replace, or left by a "
        "crashed process in a removed worktree) the active session of this worktree.",
        epilog="examples:\n  git mem session resume 9ab2",
    )
    a.add_argument("id", metavar="ID", help="the session id (a unique prefix of 4 or more)")
    a.add_argument("--json", action="store_true", help="print the session as JSON")

    a = actions.add_parser(
        "list",
        formatter_class=_formatter,
        help="list sessions",
        description="List sessions, newest first: active and unfinished ones here, ended and "
        "imported ones from refs/gitmem/sessions, with their message counts. Exit 1 when none.",
        epilog="examples:\n  git mem session list\n  git mem session list --json",
    )
    a.add_argument("--json", action="store_true", help="print the sessions as JSON")

    a = actions.add_parser(
        "show",
        formatter_class=_formatter,
        help="show a session's summary and transcript",
        description="Show a session: its header, its summary record (when it is here) and "
        "every message of its transcript.",
        epilog="examples:\n  git mem session show 9ab2\n  git mem session show 9ab2 --json",
    )
    a.add_argument("id", metavar="ID", help="the session id (a unique prefix of 4 or more)")
    a.add_argument("--json", action="store_true", help="print the session as JSON")


def _add_import(sub: Subparsers) -> None:
    p = sub.add_parser(
        "import",
        formatter_class=_formatter,
        help="import conversations as session transcripts",
        description="Import conversations into refs/gitmem/sessions as session transcripts: "
        "Claude Code transcript JSONL (~/.claude/projects/<dir>/<session>.jsonl; one session per "
        "sessionId; tool calls and results as text, thinking left out), a generic JSONL of "
        "{role, content, timestamp} messages (one session per file), or a generic JSON export "
        "(a list of messages, an object with messages, or a list of conversations, ChatGPT "
        "mapping trees included). A directory stands for the .jsonl and .json files below it. "
        "Session ids are derived from the source, and messages deduplicated by hash, so "
        "importing a file again adds nothing. Malformed lines are named as FILE:LINE, skipped, "
        "and the rest imported (exit 0; exit 1 when there was no message at all). One commit "
        "for the whole run.",
        epilog="examples:\n  git mem import ~/.claude/projects/-home-me-proj/\n"
        "  git mem import chat.jsonl --label 'design review'\n"
        "  git mem import export.json --format json --dry-run --json",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="files or directories to import")
    p.add_argument(
        "--format",
        choices=("auto", "claude-code", "jsonl", "json"),
        default="auto",
        help="the input format (default: auto, detected per file)",
    )
    p.add_argument("--label", metavar="L", help="label every imported session L")
    p.add_argument(
        "-n", "--dry-run", action="store_true", help="count what would be imported, write nothing"
    )
    p.add_argument("--json", action="store_true", help="print the counts and problems as JSON")


def _add_context(sub: Subparsers) -> None:
    p = sub.add_parser(
        "context",
        formatter_class=_formatter,
        help="a context pack for an assistant's session",
        description="Print the project's memory as a Markdown context pack for the start of an "
        "assistant's session, most useful first and cut to a budget of tokens (estimated as "
        "characters / 4, the whole output included): active decisions, facts, user "
        "preferences, procedures, the last session summaries, errors and patterns, then the "
        "ids left out ('more: git mem show ID'). --query and --path move the records they "
        "match to the top of each section. The same repository state gives the same bytes.",
        epilog="examples:\n  git mem context\n  git mem context --budget 500 --path src/db/\n"
        "  git mem context --query 'postgres migration' --json",
    )
    p.add_argument(
        "--budget",
        type=int,
        default=2000,
        metavar="N",
        help="at most N tokens (characters / 4; default 2000)",
    )
    p.add_argument(
        "--query",
        action="append",
        default=[],
        metavar="TEXT",
        help="put what this search finds first (repeatable; git mem search syntax)",
    )
    p.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="put what concerns this file, directory or glob first (repeatable)",
    )
    p.add_argument(
        "--format", choices=["markdown", "json"], default="markdown", help="default: markdown"
    )
    p.add_argument("--json", action="store_true", help="the same as --format json")


def _add_pr(sub: Subparsers) -> None:
    p = sub.add_parser(
        "pr",
        formatter_class=_formatter,
        help="what a reviewer should know about a branch, as Markdown",
        description="Between the merge base of BASE and HEAD: the .memory/ files added, changed "
        "(with status changes such as proposed -> accepted), renamed and removed; the records "
        "captured in notes on the branch's commits; and the existing memories relevant to the "
        "diff, each with its reason: records whose paths (files, dir/ prefixes, globs with **) "
        "match a changed file, then the best search hits for the changed files' names and the "
        "branch's commit subjects. Superseded, deprecated and rejected records are left out. "
        "The output is Markdown to paste into or post as a pull-request comment; it starts with "
        "the marker <!-- gitmem-pr --> so a bot can find and update its comment. BASE defaults "
        "to the remote's default branch (refs/remotes/<remote>/HEAD), else main, else master.",
        epilog="examples:\n  git mem pr\n  git mem pr origin/main feature --limit 5\n"
        "  git mem pr --json\n  git mem pr --link-base "
        '"https://github.com/OWNER/REPO/blob/$(git rev-parse HEAD)/" > comment.md',
    )
    p.add_argument(
        "base", nargs="?", metavar="BASE", help="the branch merged into (default: detected)"
    )
    p.add_argument("head", nargs="?", metavar="HEAD", help="the branch to review (default: HEAD)")
    p.add_argument(
        "-n",
        "--limit",
        type=int,
        default=10,
        metavar="N",
        help="at most N relevant existing memories (default 10)",
    )
    p.add_argument(
        "--remote", metavar="NAME", help="whose default branch is BASE (default: upstream, origin)"
    )
    p.add_argument(
        "--link-base",
        metavar="URL",
        help="prefix for links to memory files (default: none, links relative to the top level)",
    )
    p.add_argument("--json", action="store_true", help="print the review as JSON")


SUBCOMMANDS = {
    "init": _add_init,
    "save": _add_save,
    "show": _add_show,
    "list": _add_list,
    "search": _add_search,
    "edit": _add_edit,
    "rm": _add_rm,
    "supersede": _add_supersede,
    "doctor": _add_doctor,
    "reindex": _add_reindex,
    "hooks": _add_hooks,
    "hook": _add_hook,
    "sync": _add_sync,
    "capture": _add_capture,
    "backup": _add_backup,
    "checkpoint": _add_checkpoint,
    "deploy": _add_deploy,
    "report": _add_report,
    "session": _add_session,
    "import": _add_import,
    "context": _add_context,
    "pr": _add_pr,
    "mcp": _add_mcp,
}
# Subcommands whose module name differs (`import` is a Python keyword).
MODULES = {"import": "import_"}
ALIASES = {"ls": "list"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (for speed: ~5 ms at start-up) just one command's."""
    parser = argparse.ArgumentParser(
        prog="git mem",
        formatter_class=_formatter,
        description="gitmem: a project's memory — decisions, facts, fixes, procedures — kept in "
        "its git repository (.memory/ files and notes on refs/notes/mem).",
        epilog="examples:\n  git mem init\n  git mem save -t decision -m 'Use PostgreSQL: JSONB "
        "covers the flexible parts'\n  git mem list --type decision\n  git mem show 7k3q\n\n"
        "Run 'git mem COMMAND -h' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"gitmem {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name, add in SUBCOMMANDS.items():
        if only is None or name == only:
            add(sub)
    return parser


def _log_unexpected(error: BaseException) -> str:
    """Write the traceback somewhere the user can send us; return where."""
    import tempfile
    import traceback
    from datetime import datetime

    try:
        from gitmem import git

        log_dir = git.discover().state_dir / "logs"
    except Exception:
        log_dir = __import__("pathlib").Path(tempfile.gettempdir())
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "gitmem-error.log"
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat()} {' '.join(sys.argv)}\n")
            log.write("".join(traceback.format_exception(error)))
        return str(path)
    except OSError:
        return "(could not write a log)"


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
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        argv[0]
    ]
    takes_value = {
        option: action.nargs != 0 for action in sub._actions for option in action.option_strings
    }
    options: list[str] = []
    words: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if token == "--":
            words.extend(tokens)
            break
        name = token.split("=", 1)[0]
        if name.startswith("--") and name not in takes_value:  # argparse's abbreviations
            longer = [option for option in takes_value if option.startswith(name)]
            name = longer[0] if len(longer) == 1 else name
        short_value = token[:2] in takes_value and takes_value[token[:2]] and token[2:].isdigit()
        if name in takes_value or short_value:
            options.append(token)
            value = None
            if takes_value.get(name) and "=" not in token and not short_value:
                value = next(tokens, None)  # missing: argparse says so
            options.extend([value] if value is not None else [])
        else:
            words.append(token)
    return [argv[0], *options, "--", *words]


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
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
        code: int = module.run(args)
        return code
    except GitMemError as error:
        print(f"git-mem: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `git mem list | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:
        where = _log_unexpected(error)
        print(
            f"git-mem: error: unexpected {type(error).__name__}: {error} (details in {where})",
            file=sys.stderr,
        )
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
