"""Parser of `git mem session` and its actions: start, log, end, status, resume, list, show."""

from __future__ import annotations

from gitmem.cli.common import add_command

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_session(sub: Subparsers) -> None:
    with add_command(
        sub,
        "session",
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
    ) as p:
        actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    with add_command(
        actions,
        "start",
        help="start a session in this worktree",
        description="Start a session and make it the active one of this worktree. Records "
        "saved while it is active carry `session: ID`. Refused (exit 2) while another session "
        "is active here, unless --replace, which parks that one as unfinished.",
        epilog="examples:\n  git mem session start\n  git mem session start --label "
        "'parser refactor' --tool claude-code --json",
        json="print the session as JSON",
    ) as a:
        a.add_argument("--label", metavar="L", help="a short name for the session")
        a.add_argument("--tool", metavar="NAME", help="the assistant or tool, e.g. claude-code")
        a.add_argument(
            "--replace",
            action="store_true",
            help="park the active session as unfinished and start a new one",
        )

    with add_command(
        actions,
        "log",
        help="append a message to the active session",
        description="Append one message to the active session's local log (one appended line; "
        "no git write). TEXT is the arguments joined by spaces, or '-' to read standard input. "
        "The log travels with the transcript: a message holding a secret is refused (exit 2) "
        "unless --redact.",
        epilog="examples:\n  git mem session log 'how is the index kept fresh?'\n"
        "  git mem session log --role assistant - < reply.md",
        json="print the logged message as JSON",
    ) as a:
        a.add_argument(
            "--role",
            choices=("user", "assistant", "tool"),
            default="user",
            help="who said it (default: user)",
        )
        a.add_argument("text", nargs="*", metavar="TEXT", help="the message, or '-' for stdin")
        a.add_argument(
            "--redact",
            action="store_true",
            help="log a secret as [REDACTED:<kind>] instead of refusing the message",
        )

    with add_command(
        actions,
        "end",
        help="end a session: write its transcript and summary",
        description="End the active session (or the unfinished session ID): the transcript "
        "goes into refs/gitmem/sessions as <ID>.jsonl, the summary into .memory/sessions/ as an "
        "episodic record (source: session, tag session) linked to the records saved during the "
        "session. Without --summary a short summary is generated (message counts, time span, "
        "first user message) and says it was generated. Safe to run again after a crash. A secret "
        "in the summary or the transcript refuses the end (exit 2, the session stays active) "
        "unless --redact.",
        epilog="examples:\n  git mem session end --summary 'Moved the index to FileStorage'"
        "\n  git mem session end --summary - < summary.md\n  git mem session end 9ab2 --json",
        json="print what was written as JSON",
    ) as a:
        a.add_argument(
            "id", nargs="?", metavar="ID", help="an unfinished session (default: active)"
        )
        a.add_argument("--summary", metavar="TEXT", help="the summary, or '-' to read stdin")
        a.add_argument(
            "--redact",
            action="store_true",
            help="write secrets in the summary or transcript as [REDACTED:<kind>] instead of "
            "refusing to end",
        )

    with add_command(
        actions,
        "status",
        help="show the active session and unfinished ones",
        description="Show the session active in this worktree and the unfinished sessions "
        "(parked, crashed in a worktree since removed). Exit 1 when none is active here.",
        epilog="examples:\n  git mem session status\n  git mem session status --json",
        json="print the sessions as JSON",
    ):
        pass  # no options but --json

    with add_command(
        actions,
        "resume",
        help="make an unfinished session active here",
        description="Make an unfinished session (parked with start --replace, or left by a "
        "crashed process in a removed worktree) the active session of this worktree.",
        epilog="examples:\n  git mem session resume 9ab2",
        json="print the session as JSON",
    ) as a:
        a.add_argument(
            "id",
            metavar="ID",
            help="the session id (a unique prefix of 4 or more), or an imported session's "
            "id in its source (a Claude Code sessionId)",
        )

    with add_command(
        actions,
        "list",
        help="list sessions",
        description="List sessions, newest first: active and unfinished ones here, ended and "
        "imported ones from refs/gitmem/sessions, with their message counts. Exit 1 when none.",
        epilog="examples:\n  git mem session list\n  git mem session list --json",
        json="print the sessions as JSON",
    ):
        pass  # no options but --json

    with add_command(
        actions,
        "show",
        help="show a session's summary and transcript",
        description="Show a session: its header, its summary record (when it is here) and "
        "every message of its transcript. With --around N, only the messages around message "
        "N (the number `git mem search --sessions` prints), each with its number, N marked "
        "with '>'.",
        epilog="examples:\n  git mem session show 9ab2\n  git mem session show 9ab2 --json\n"
        "  git mem session show 9ab2 --around 42 --window 5",
        json="print the session as JSON",
    ) as a:
        a.add_argument("id", metavar="ID", help="the session id (a unique prefix of 4 or more)")
        a.add_argument(
            "--around",
            type=int,
            metavar="N",
            help="show the messages around message N (counted from 1) instead of all",
        )
        a.add_argument(
            "--window",
            type=int,
            default=3,
            metavar="K",
            help="with --around: K messages before and after N (default 3)",
        )
