"""Parsers of the team commands: deploy, report, pr, publish."""

from __future__ import annotations

from gitmem.cli.common import add_command, add_server

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_deploy(sub: Subparsers) -> None:
    import textwrap

    from gitmem.deploy import ci_env  # no imports of its own beyond the standard library

    with add_command(
        sub,
        "deploy",
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
        json="print the record (and push) as JSON",
    ) as p:
        p.add_argument(
            "--env",
            required=True,
            metavar="ENV",
            help="the environment, free text (e.g. production)",
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
            "--redact",
            action="store_true",
            help="record a secret in the message or URL as [REDACTED:<kind>] instead of refusing",
        )
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


class _Kinds(list[str]):
    """The local report kinds (what the help lists), accepting too the kinds only `--server`
    has so far; `report.run` says when one needs --server."""

    SERVER_ONLY = ("components", "sessions", "extraction")

    def __contains__(self, item: object) -> bool:
        return item in self.SERVER_ONLY or list.__contains__(self, item)


def add_report(sub: Subparsers) -> None:
    import textwrap

    # Here, not at the top: only this parser needs the kinds (and the imports that come with
    # their builders), not the one of every other command.
    from gitmem.reports.report import FORMATS, KINDS

    names = max(map(len, KINDS)) + 2  # the column of names, then the help, wrapped under it
    kinds = [
        textwrap.fill(
            kind.help, 79, initial_indent=f"  {name:<{names}}", subsequent_indent=" " * (names + 2)
        )
        for name, kind in KINDS.items()
    ]
    by_env = " and ".join(kind.name for kind in KINDS.values() if kind.envs)
    with add_command(
        sub,
        "report",
        help="reports: "
        + ", ".join(
            f"{name} ({kind.aside})" if kind.aside else name for name, kind in KINDS.items()
        ),
        description="Reports over every record (superseded ones too; not those in notes on "
        "commits of unmerged branches unless --all):\n"
        + "".join(line + "\n" for line in kinds)
        + "Markdown (default), one stable JSON document, or one self-contained HTML page with "
        "inline SVG charts. An empty repository gives an empty report.",
        epilog="examples:\n  git mem report deploys --env production --since '90 days ago'\n"
        "  git mem report decisions > docs/decisions.md\n"
        "  git mem report activity --format html -o activity.html\n"
        "  git mem report timeline --format json\n"
        "  git mem report --server components\n"
        "  git mem report errors --server postgresql://ro@db/memory --since '90 days ago'",
    ) as p:
        p.add_argument(
            "kind",
            nargs="?",  # `report --server KIND`: argparse gives KIND to --server; run() sorts it
            choices=_Kinds(KINDS),
            help="which report (--server: activity, timeline, components, errors, sessions, "
            "extraction)",
        )
        add_server(p, "report across every repository published to this PostgreSQL database")
        p.add_argument(
            "--format",
            choices=FORMATS,
            default=FORMATS[0],
            help=f"{FORMATS[0]} (default), {', '.join(FORMATS[1:-1])} or {FORMATS[-1]}",
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
            help=f"{by_env}: only this environment (repeatable)",
        )
        p.add_argument(
            "-o", "--output", metavar="FILE", help="write the report to FILE, not stdout"
        )
        p.add_argument(
            "--all",
            action="store_true",
            help="also records in notes on commits that neither HEAD nor the default branch "
            "reaches (an unmerged or deleted branch), left out by default",
        )


def add_pr(sub: Subparsers) -> None:
    with add_command(
        sub,
        "pr",
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
        json="print the review as JSON",
    ) as p:
        p.add_argument(
            "base", nargs="?", metavar="BASE", help="the branch merged into (default: detected)"
        )
        p.add_argument(
            "head", nargs="?", metavar="HEAD", help="the branch to review (default: HEAD)"
        )
        p.add_argument(
            "-n",
            "--limit",
            type=int,
            default=10,
            metavar="N",
            help="at most N relevant existing memories (default 10)",
        )
        p.add_argument(
            "--remote",
            metavar="NAME",
            help="whose default branch is BASE (default: upstream, origin)",
        )
        p.add_argument(
            "--link-base",
            metavar="URL",
            help="prefix for links to memory files "
            "(default: none, links relative to the top level)",
        )


def add_publish(sub: Subparsers) -> None:
    with add_command(
        sub,
        "publish",
        help="mirror this repository's memory into PostgreSQL (for search across repositories)",
        description="Mirror this repository's records (files and notes, every field and the "
        "body), deploys, sessions and every transcript message into a PostgreSQL database, "
        "where `git mem search --server` and `git mem report --server` ask across every "
        "repository published there. Incremental and exact: only what changed since the last "
        "publish is sent, records removed here are removed there, publishing the same state "
        "again changes nothing. One transaction per run (a run that dies leaves the previous "
        "state), one run per repository at a time (an advisory lock). The schema is created "
        "and migrated forward by publish itself. The database URL: the argument, else "
        "GITMEM_DATABASE_URL, else [publish] url in .memory/config.toml or the user's "
        "~/.config/gitmem/config.toml. Needs the postgres extra: pip install "
        "'gitmem[postgres]'.",
        epilog="examples:\n  git mem publish postgresql://ci:secret@db.example.com/memory\n"
        "  GITMEM_DATABASE_URL=postgresql://ci@db/memory git mem publish\n"
        "  git mem publish --repository backend --json",
        json="print what was published as JSON",
    ) as p:
        p.add_argument(
            "url",
            nargs="?",
            metavar="URL",
            help="postgresql://user:password@host:port/database (default: see above)",
        )
        p.add_argument(
            "--repository",
            metavar="NAME",
            help="the name to publish under (default: the origin remote's host/owner/name, "
            "else the folder's name)",
        )
