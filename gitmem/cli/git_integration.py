"""Parsers of the commands that work with git: hooks, hook, sync, backup, capture and completion
(checkpoint, with its actions, in `checkpoints`)."""

from __future__ import annotations

from gitmem.cli.common import add_command, add_global

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_hooks(sub: Subparsers) -> None:
    with add_command(
        sub,
        "hooks",
        help="install, remove or inspect the git hooks",
        description="Install the hook shims (pre-commit: check memory files; post-commit and "
        "post-rewrite: capture decisions from commit messages) into the directory git runs hooks "
        "from (core.hooksPath honoured, shared by linked worktrees). A hook that is already there "
        "is kept as HOOK.before-gitmem and runs first; uninstall puts it back. Installing again "
        "changes nothing. status says, per hook: installed, chained (runs the kept hook first), "
        "foreign (someone else's hook, gitmem's not installed) or missing.",
        epilog="examples:\n  git mem hooks install\n  git mem hooks install post-commit "
        "post-rewrite\n  git mem hooks status --json\n  git mem hooks uninstall",
        json=True,
    ) as p:
        p.add_argument("action", choices=["install", "uninstall", "status"], help="what to do")
        p.add_argument(
            "hooks",
            nargs="*",
            metavar="HOOK",
            help="pre-commit, post-commit, post-rewrite (default: all three)",
        )


def add_hook(sub: Subparsers) -> None:
    with add_command(
        sub,
        "hook",
        help="run one hook (what the shims call)",
        description="Plumbing for the hook shims and the pre-commit framework. pre-commit checks "
        "memory files (the FILES given, else the staged .memory/ files as staged): valid records, "
        "no credentials; exit 1 with one line per problem. post-commit captures decisions from "
        "the commit just made; post-rewrite (ARGS: amend or rebase, old/new pairs on stdin) moves "
        "captured memories to the rewritten commits. Capture hooks never fail a commit: any "
        "problem is one line on stderr, details in the log under .git/gitmem/logs/.",
        epilog="examples:\n  git mem hook pre-commit .memory/decisions/2026-11-20-use-postgresql.md"
        "\n  git mem hook post-commit\n  git mem hook post-rewrite amend < pairs.txt",
    ) as p:
        p.add_argument(
            "name", choices=["pre-commit", "post-commit", "post-rewrite"], help="the hook to run"
        )
        p.add_argument(
            "args", nargs="*", metavar="ARG", help="the hook's arguments (FILES for pre-commit)"
        )


def add_sync(sub: Subparsers) -> None:
    with add_command(
        sub,
        "sync",
        help="share notes with a remote",
        description="Fetch the remote's refs/notes/mem into refs/notes/remotes/<remote>/mem, "
        "merge it into refs/notes/mem record by record (added on either side: kept; removed on "
        "one side only: removed; changed on both: the newer one wins and the other stays in the "
        "notes history), then push refs/notes/mem, never forced; a push that loses a race is "
        "fetched, merged and retried. Never touches remote.*.push, so a plain `git push` still "
        "pushes your branch.",
        epilog="examples:\n  git mem sync\n  git mem sync upstream --no-push\n"
        "  git mem sync --json\n  git mem sync --global",
        json="print the counts and conflicts as JSON",
    ) as p:
        add_global(
            p,
            "sync (its branch too: rebased on the remote's, then pushed, never forced)",
        )
        p.add_argument(
            "remote",
            nargs="?",
            help="the remote (default: the branch's upstream remote, or origin)",
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


def add_backup(sub: Subparsers) -> None:
    with add_command(
        sub,
        "backup",
        help="back up or restore the whole memory as one git bundle",
        description="A backup is one git bundle holding refs/notes/mem, every refs/gitmem/* ref "
        "(checkpoints, sessions) and the branch holding .memory/. Run 'git mem backup ACTION -h' "
        "for an action's options.",
        epilog="examples:\n  git mem backup create\n  git mem backup verify memory.bundle\n"
        "  git mem backup restore memory.bundle --dry-run",
    ) as p:
        actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    with add_command(
        actions,
        "create",
        help="write a backup bundle",
        description="Write one git bundle with refs/notes/mem, every refs/gitmem/* ref and the "
        "branch holding .memory/ (default: the current branch), under a temporary name; check "
        "every object in it, then give it its name. Prints its size and counts (refs, records in "
        "notes, checkpoints). Never overwrites an existing file.",
        epilog="examples:\n  git mem backup create\n"
        "  git mem backup create /backups/memory.bundle --branch main",
        json="print the size and counts as JSON",
    ) as create:
        create.add_argument(
            "file",
            nargs="?",
            metavar="FILE",
            help="where to write it (default: gitmem-backup-<repo>-<UTC time>.bundle in "
            "<git-common-dir>/gitmem/backups/, or in the current directory when that is "
            "outside the work tree)",
        )
        create.add_argument(
            "--branch",
            metavar="BRANCH",
            help="the branch holding .memory/ (default: the current one)",
        )
    with add_command(
        actions,
        "verify",
        help="check a backup bundle",
        description="Check a bundle completely (every object, every ref) without restoring "
        "anything; print its size and counts. A truncated file or one that is not a bundle is a "
        "one-line error. Works outside a repository too.",
        epilog="example:\n  git mem backup verify memory.bundle",
        json="print the size and counts as JSON",
    ) as verify:
        verify.add_argument("file", metavar="FILE", help="the bundle")
    with add_command(
        actions,
        "restore",
        help="bring a backup's memory back",
        description="Check the bundle, then bring its memory back without overwriting newer local "
        "state: notes are merged record by record as `git mem sync` does; checkpoint chains, "
        "other refs/gitmem/* refs and the branch holding .memory/ are created or fast-forwarded; "
        "a diverged one keeps both tips (the bundle's as NAME-restored-<sha>), and a checked-out "
        "branch is never moved. Any other ref in the bundle (another branch, a tag) is listed and "
        "left out unless --refs names it. A bad bundle, or anything that is not a regular file, "
        "is refused before anything is written.",
        epilog="examples:\n  git mem backup restore memory.bundle --dry-run\n"
        "  git mem backup restore memory.bundle --json\n"
        "  git mem backup restore memory.bundle --branch main --refs 'refs/heads/release'",
        json="print the outcome as JSON",
    ) as restore:
        restore.add_argument("file", metavar="FILE", help="the bundle")
        restore.add_argument(
            "-n", "--dry-run", action="store_true", help="say what would change, write nothing"
        )
        restore.add_argument(
            "--branch",
            metavar="BRANCH",
            help="the branch holding .memory/ that is restored (default: the current one)",
        )
        restore.add_argument(
            "--refs",
            metavar="PATTERN",
            action="append",
            default=[],
            help="also restore the bundle's refs matching this glob over full ref names "
            "(refs/heads/release, 'refs/tags/*'); repeatable",
        )


def add_capture(sub: Subparsers) -> None:
    with add_command(
        sub,
        "capture",
        help="capture memories from existing commit messages",
        description="Run the capture rules (trailers such as Decision:, Memory-Type:, and the "
        "decision and bug-fix patterns of .memory/config.toml [capture]) over existing history "
        "and attach what they find as notes, as the post-commit hook would have. Idempotent: "
        "records already there (same id, or a captured record of the same type and title on "
        "the commit) are counted, not written again. Only commit messages and changed paths are "
        "read, never file contents, so a blobless or partial clone fetches nothing.",
        epilog="examples:\n  git mem capture                 # all of HEAD's history\n"
        "  git mem capture v1.0..main --dry-run\n  git mem capture origin/main --json\n"
        "  git mem capture --explain HEAD~5..HEAD   # which rule fired, or why none did",
        json="print the counts and records as JSON",
    ) as p:
        p.add_argument(
            "revs",
            nargs="*",
            metavar="REV-RANGE",
            help="commits to scan, as for git log (default: HEAD)",
        )
        p.add_argument(
            "-n",
            "--dry-run",
            action="store_true",
            help="print what would be captured, write nothing",
        )
        p.add_argument(
            "--explain",
            action="store_true",
            help="per commit, which rule fired or why none did (default: HEAD only); "
            "writes nothing",
        )


def add_completion(sub: Subparsers) -> None:
    from gitmem.cli.completion import SHELLS

    with add_command(
        sub,
        "completion",
        help="print the shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL, generated from gitmem's own parsers: "
        "commands, actions, options and their choices complete with TAB, for `git-mem` and, "
        "through git's own completion, for `git mem`. Load it from your shell's start-up file "
        "(bash: ~/.bashrc; zsh: a file named _git-mem on $fpath, before compinit; fish: "
        "~/.config/fish/completions/git-mem.fish). A TAB runs no Python: the script is static.",
        epilog='examples:\n  eval "$(git mem completion bash)"            # in ~/.bashrc\n'
        "  git mem completion zsh > ~/.zfunc/_git-mem     # fpath=(~/.zfunc $fpath) in ~/.zshrc\n"
        "  git mem completion fish > ~/.config/fish/completions/git-mem.fish",
    ) as p:
        p.add_argument("shell", choices=SHELLS, help="the shell to write the script for")
