"""Parsers of `git mem checkpoint` and its actions: save, list, show, diff, resume, prune."""

from __future__ import annotations

from gitmem.cli.common import add_command

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def _add_checkpoint_save(actions: Subparsers) -> None:
    with add_command(
        actions,
        "save",
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
        json="print the checkpoint as JSON",
    ) as p:
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
            "--done",
            action="append",
            default=[],
            metavar="ITEM",
            help="a finished item (repeatable)",
        )
        p.add_argument(
            "--todo", action="append", default=[], metavar="ITEM", help="an open item (repeatable)"
        )


def _add_checkpoint_list(actions: Subparsers) -> None:
    with add_command(
        actions,
        "list",
        help="list checkpoints",
        description="List checkpoint names and their checkpoints, newest first: timestamp, "
        "stage, file count, size and notes. Exit 1 when there are none.",
        epilog="examples:\n  git mem checkpoint list\n  git mem checkpoint list --name parser "
        "--json",
        json="print the checkpoints as JSON",
    ) as p:
        p.add_argument("--name", help="only this checkpoint name")


def _add_checkpoint_show(actions: Subparsers) -> None:
    with add_command(
        actions,
        "show",
        help="show one checkpoint",
        description="Show a checkpoint's summary: stage, notes, scope, progress, totals and "
        "every file with its size and word count. NAME is the newest checkpoint of that name, "
        "NAME~N the one N before it, NAME@TIMESTAMP the one taken then (a unique prefix such "
        "as NAME@2026-11-22T01 will do).",
        epilog="examples:\n  git mem checkpoint show parser\n  git mem checkpoint show "
        "parser~2\n  git mem checkpoint show parser@2026-11-22T01:05 --json",
        json="print the metadata as JSON",
    ) as p:
        p.add_argument("spec", metavar="NAME[@TIMESTAMP|~N]", help="which checkpoint")


def _add_checkpoint_diff(actions: Subparsers) -> None:
    with add_command(
        actions,
        "diff",
        help="compare two checkpoints",
        description="List the files added (A), removed (D) and changed (M) from checkpoint A to "
        "checkpoint B, with word-count deltas (binary files have none). A and B may be "
        "checkpoints of different names.",
        epilog="examples:\n  git mem checkpoint diff parser~1 parser\n  git mem checkpoint "
        "diff parser@2026-11-20 parser-v2 --json",
        json="print the changes as JSON",
    ) as p:
        p.add_argument("old", metavar="A", help="the earlier checkpoint (NAME[@TIMESTAMP|~N])")
        p.add_argument("new", metavar="B", help="the later checkpoint")


def _add_checkpoint_resume(actions: Subparsers) -> None:
    with add_command(
        actions,
        "resume",
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
        json="print the files and outcome as JSON",
    ) as p:
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


def _add_checkpoint_prune(actions: Subparsers) -> None:
    with add_command(
        actions,
        "prune",
        help="drop old checkpoints by a retention policy",
        description="Keep a checkpoint when any rule keeps it: one of the last N (--keep-last), "
        "newer than DAYS (--older-than), or of a named stage (--keep-stage); drop the rest. The "
        "survivors are re-chained with their trees, messages, authors and dates unchanged and the "
        "ref is moved by compare-and-swap (an emptied chain's ref is deleted). No other ref is "
        "touched. Prints what each rule kept and dropped, and how to undo until git gc.",
        epilog="examples:\n  git mem checkpoint prune --older-than 30 --keep-stage final "
        "--dry-run\n  git mem checkpoint prune --name parser --keep-last 5\n"
        "  git mem checkpoint prune --keep-last 3 --older-than 7 --json",
        json="print the verdicts as JSON",
    ) as p:
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
            "-n",
            "--dry-run",
            action="store_true",
            help="print what would be dropped, write nothing",
        )


def add_checkpoint(sub: Subparsers) -> None:
    with add_command(
        sub,
        "checkpoint",
        help="snapshot, list, compare and restore work in progress",
        description="Checkpoints are save points for long work: snapshots of files kept as "
        "commit chains on refs/gitmem/checkpoints/NAME, out of the way of your branches, index "
        "and stash. Run 'git mem checkpoint ACTION -h' for an action's options.",
        epilog="examples:\n  git mem checkpoint save --name parser --stage draft\n"
        "  git mem checkpoint list\n  git mem checkpoint show parser~1\n"
        "  git mem checkpoint diff parser~1 parser\n"
        "  git mem checkpoint resume --name parser --latest --dry-run\n"
        "  git mem checkpoint prune --older-than 30 --keep-stage final",
    ) as p:
        actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
        _add_checkpoint_save(actions)
        _add_checkpoint_list(actions)
        _add_checkpoint_show(actions)
        _add_checkpoint_diff(actions)
        _add_checkpoint_resume(actions)
        _add_checkpoint_prune(actions)
