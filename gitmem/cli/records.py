"""Parsers of the commands that write and look after records: init, save, edit, rm, supersede,
doctor, reindex, prune, service (show, list and search, which read them, in `reading`)."""

from __future__ import annotations

from gitmem.cli.common import (
    add_command,
    add_filters,
    add_global,
    add_record_options,
)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_init(sub: Subparsers) -> None:
    with add_command(
        sub,
        "init",
        help="set up .memory/ and git config",
        description="Create .memory/ (config.toml, README.md), set notes.rewriteRef so notes "
        "follow amend and rebase, and add a fetch refspec that brings each remote's notes into "
        "refs/notes/remotes/<remote>/mem, and set notes.displayRef so that plain `git log` "
        "shows the memories on a commit. Safe to run again; prints what it changed. Never "
        "writes remote.*.push. With --hooks, also install the git hooks (git mem hooks).",
        epilog="examples:\n  git mem init\n  git mem init --hooks\n  git mem init --no-display-ref",
        json="print the changes as JSON",
    ) as p:
        p.add_argument(
            "--hooks",
            action="store_true",
            help="also install the hook shims (git mem hooks install)",
        )
        p.add_argument(
            "--no-display-ref",
            dest="display_ref",
            action="store_false",
            help="leave notes.displayRef alone: plain `git log` then shows no memories "
            "(`git log --notes=mem` still does)",
        )


def add_save(sub: Subparsers) -> None:
    with add_command(
        sub,
        "save",
        help="save a new memory",
        description="Save a memory as a file under .memory/<type folder>/, or with --commit as "
        "a note on that commit. The text comes from -m, the arguments, stdin ('-'), or your "
        "editor (with a template for the type). A text holding a secret (an access key, a token, "
        "a private key, a password in a URL) is refused with exit 2, naming its kind and place; "
        "--redact saves it with [REDACTED:<kind>] instead.",
        epilog="examples:\n  git mem save 'The staging DB is reset every Sunday'\n"
        "  git mem save -t decision --title 'Use PostgreSQL' --tag db,adr -m 'JSONB covers it'\n"
        "  git log -1 --format=%B | git mem save -t error --commit HEAD -\n"
        "  git mem save -t decision            # opens $EDITOR with the ADR template\n"
        "  git mem save --redact -m 'Deploy key rotated; old one was AKIA...'",
        json=True,
    ) as p:
        add_global(p, "save to")
        p.add_argument("text", nargs="*", help="the memory's text; '-' reads stdin")
        p.add_argument(
            "-m",
            "--message",
            action="append",
            default=[],
            metavar="TEXT",
            help="the text (repeat for paragraphs)",
        )
        add_record_options(p)
        p.add_argument("--commit", metavar="REV", help="attach as a note to this commit instead")
        p.add_argument("--slug", help="file name part after the date (default: from the title)")
        p.add_argument(
            "--force",
            action="store_true",
            help="save even when an active memory of the same type says nearly the same "
            "(refused by default, naming it)",
        )
        p.add_argument(
            "--redact",
            action="store_true",
            help="store a detected secret as [REDACTED:<kind>] instead of refusing the save",
        )


def add_reindex(sub: Subparsers) -> None:
    with add_command(
        sub,
        "reindex",
        help="update or rebuild the search index",
        description="Bring the search index up to date now (every read command does this by "
        "itself, re-reading only what changed), or rebuild it from scratch with --full. The "
        "index lives under the git directory (gitmem/index/) and can be deleted at any time. "
        "With --sessions, the index of session messages (git mem search --sessions) too: "
        "worth running once after importing a large history, so the first search is quick.",
        epilog="examples:\n  git mem reindex\n  git mem reindex --full\n"
        "  git mem reindex --sessions",
        json="print the outcome as JSON",
    ) as p:
        p.add_argument("--full", action="store_true", help="rebuild from scratch")
        p.add_argument(
            "--sessions",
            action="store_true",
            help="also bring the index of session messages up to date (or rebuild it: --full)",
        )


def add_edit(sub: Subparsers) -> None:
    with add_command(
        sub,
        "edit",
        help="change a memory",
        description="Open a memory in your editor, or change it with options. Sets `updated`. "
        "The result is validated before anything is written; an invalid edit is kept in a file "
        "whose path is printed. A new title renames the file when its name came from the old "
        "title (with git mv when the file is tracked), so names keep saying what is inside.",
        epilog="examples:\n  git mem edit 7k3q\n  git mem edit 7k3q --set status=accepted "
        "--add-tag adr\n  echo 'New text' | git mem edit 7k3q --body -",
        json=True,
    ) as p:
        add_global(p, "edit in")
        p.add_argument("id", help="id or unique prefix")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="set a field, e.g. --set status=accepted, --set tags=a,b, "
            "--set metadata.sprint=43 (repeatable); an unknown field is refused",
        )
        p.add_argument(
            "--set-unknown",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="add or change a field outside the schema, on purpose (repeatable)",
        )
        p.add_argument(
            "--unset", action="append", default=[], metavar="FIELD", help="remove an optional field"
        )
        p.add_argument("--add-tag", action="append", default=[], metavar="TAG", help="add tags")
        p.add_argument("--remove-tag", action="append", default=[], metavar="TAG", help="drop tags")
        p.add_argument("--body", metavar="TEXT", help="replace the body; '-' reads stdin")
        p.add_argument(
            "--redact",
            action="store_true",
            help="replace every secret the memory holds by [REDACTED:<kind>] (alone: just that)",
        )


def add_rm(sub: Subparsers) -> None:
    with add_command(
        sub,
        "rm",
        help="remove a memory",
        description="Remove a memory: delete its file, or take it out of its note (the note "
        "goes when it is empty). A prefix matching several memories is refused, and so is a "
        "file holding work no commit has (untracked, or changed since the last commit) unless "
        "--force. Records whose links/supersedes still name it are listed; --clean-links "
        "takes it out of them.",
        epilog="examples:\n  git mem rm 7k3q\n  git mem rm 7k3q --clean-links\n"
        "  git mem rm 7k3q --force          # an uncommitted file, gone for good",
        json=True,
    ) as p:
        add_global(p, "remove from")
        p.add_argument("id", help="id or unique prefix")
        p.add_argument(
            "--force",
            action="store_true",
            help="remove a file even though it holds uncommitted work (it is lost for good)",
        )
        p.add_argument(
            "--clean-links",
            action="store_true",
            help="also remove its id from the links/supersedes of the records naming it",
        )


def add_supersede(sub: Subparsers) -> None:
    with add_command(
        sub,
        "supersede",
        help="replace one memory by another",
        description="Mark OLD superseded by NEW: OLD gets status superseded, NEW "
        "lists OLD in supersedes.",
        epilog="example:\n  git mem supersede 7k3q 9x2m",
        json=True,
    ) as p:
        add_global(p, "supersede in")
        p.add_argument("old", help="the memory being replaced")
        p.add_argument("new", help="the memory replacing it")


def add_doctor(sub: Subparsers) -> None:
    with add_command(
        sub,
        "doctor",
        help="check every memory",
        description="Check every record (schema, duplicate ids, dangling links and supersedes, "
        "files in the wrong type folder, records over a limit or behind a symlink leading out "
        "of the work tree, notes on missing objects) and the git setup (notes.rewriteRef, "
        "fetch refspecs). Exit 1 if anything is wrong. In a shallow or partial clone a note on "
        "a commit the clone lacks is not a problem: doctor says it cannot tell whether that "
        "commit exists. With --secrets, look instead for secrets (keys, tokens, passwords) in "
        "every record, files and notes, and in the earlier versions of notes that "
        "refs/notes/mem's history keeps, and say how to remove them.",
        epilog="examples:\n  git mem doctor\n  git mem doctor --duplicates --json\n"
        "  git mem doctor --secrets --json",
        json="print the problems as JSON",
    ) as p:
        p.add_argument(
            "--secrets",
            action="store_true",
            help="scan every record and the notes' history for secrets (exit 1 if any)",
        )
        p.add_argument(
            "--duplicates",
            action="store_true",
            help="also report active memories of one type whose titles and texts are nearly "
            "the same (each pair once, with the supersede that keeps the newer)",
        )


def add_prune(sub: Subparsers) -> None:
    with add_command(
        sub,
        "prune",
        help="retire stale memories (status: deprecated)",
        description="Retire the memories nothing has changed since --older-than AGE (`updated`, "
        "else `created`) among those the filters select: each gets status: deprecated and "
        "`updated`, so it leaves search, lists and context packs but stays in its file or note "
        "and in history; `git mem edit ID --set status=active` brings one back, and `list "
        "--all` still shows them. Nothing is deleted, deploy records are never pruned, and "
        "prune refuses to run with no criterion at all. Exit 1 when nothing matches.",
        epilog="examples:\n  git mem prune --older-than '1 year' --type episodic --dry-run\n"
        "  git mem prune --older-than 180d --tag sprint-42\n"
        "  git mem prune --status proposed --older-than 90d --json",
        json="print what was (or would be) retired as JSON",
    ) as p:
        add_global(p, "prune")
        p.add_argument(
            "--older-than",
            metavar="AGE",
            help="only memories unchanged since then: '6 months', 90d, 2w, or a date",
        )
        p.add_argument(
            "-n",
            "--dry-run",
            action="store_true",
            help="list what would be retired, change nothing",
        )
        add_filters(p)


def add_service(sub: Subparsers) -> None:
    with add_command(
        sub,
        "service",
        help="start, stop or inspect the warm index service",
        description="The warm index service: one background process per repository that keeps "
        "the index open and answers search, list, show and context over a Unix socket (mode "
        "0600), so that a read costs what changed rather than the repository's size. It is "
        "never required: any command answers in process when it is not running or fails. With "
        "[search] service = auto (the default) it starts by itself after a read in a repository "
        "of more than 5000 records; on starts it for any size; off never uses it (.memory/"
        "config.toml; git config gitmem.service, the user's choice, overrides it; "
        "GITMEM_SERVICE=off for one process). It exits after [search] service_idle seconds "
        "without a request (default 600), when the repository is moved or deleted, and on "
        "stop. Its lock, log and pid live in .git/gitmem/service/. status exits 1 when no "
        "service runs.",
        epilog="examples:\n  git mem service start\n  git mem service status --json\n"
        "  git mem service stop\n  git config gitmem.service off",
        json=True,
    ) as p:
        p.add_argument("action", choices=["start", "stop", "status"], help="what to do")
