"""Parsers of the commands that read records: show, list, search."""

from __future__ import annotations

from gitmem.cli.common import FILTER_HELP, add_command, add_filters, add_global, add_server

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_show(sub: Subparsers) -> None:
    with add_command(
        sub,
        "show",
        help="show one memory",
        description="Show a memory by id or unique prefix (4+ characters).",
        epilog="examples:\n  git mem show 7k3q\n  git mem show 7k3q9x2m4pva --raw",
    ) as p:
        add_global(p, "read from")
        p.add_argument("id", help="id or unique prefix")
        fmt = p.add_mutually_exclusive_group()
        fmt.add_argument("--raw", action="store_true", help="the exact stored text")
        fmt.add_argument("--json", action="store_true", help="all fields and the body as JSON")


def add_list(sub: Subparsers) -> None:
    with add_command(
        sub,
        "list",
        aliases=["ls"],
        help="list memories",
        description="List memories newest first, one line each: id, date, type, title, tags, "
        "where it lives. Superseded, deprecated and rejected ones are hidden unless --all, and "
        "so are records in notes on commits of unmerged or deleted branches (not reachable from "
        "HEAD or the default branch): they are not the project's memory.",
        epilog="examples:\n  git mem list --type decision --since '1 month ago'\n"
        "  git mem list --path src/db/ --json",
        json="print the records as JSON",
    ) as p:
        add_global(p, "list")
        add_filters(p)
        p.add_argument("-n", "--limit", type=int, metavar="N", help="at most N records")


def add_search(sub: Subparsers) -> None:
    with add_command(
        sub,
        "search",
        help="ranked full-text search",
        description="Search every memory (files and notes) by relevance. Ask in plain words "
        "or a question: any of the words may match, and memories matching more of them (the "
        "rarer ones counting more) rank first; question words (why, how, we, not...) need not "
        "match. A title match outranks a body match, tags count, words are stemmed (deploying "
        "finds deployment), a word reaches longer words it begins (postgres: postgresql) and, "
        "if no memory has it, near misses (postgrse: postgres); identifiers match by their "
        "parts (csv finds read_csv, parseConfig, parse-config). "
        "Superseded, deprecated and rejected records are hidden unless --all, and rank below "
        "active ones; records on commits of unmerged branches are hidden too (see list). "
        "Exit 1 when nothing matches (with a suggestion if a correction would find "
        "something).\n\n"
        "query syntax:\n"
        "  words                 any of them (--match all: each), in the title, summary,\n"
        "                        body or tags; lower-case and/or/not are words\n"
        '  "exact phrase"        the words next to each other\n'
        "  a OR b, a AND b, NOT a, -a, ( )\n"
        "  field:value           type, tag, status, author, project, source, path, commit\n"
        "                        (commit:abc123 matches a prefix; path:src/db a directory)\n"
        "A query the syntax cannot read (an unbalanced quote, a lone ':') is searched as "
        "plain words.\n\n"
        "conversations: --sessions searches the messages of the session transcripts "
        "(refs/gitmem/sessions: imported or logged and ended) instead, and prints each hit's "
        "session id, message number, role, time and a snippet (open it with `git mem session "
        "show ID --around N`); role:user and session:ID narrow it. --everything searches "
        "records and messages together, in one ranked list with a kind column. Their index "
        "is kept beside the records' and re-reads only transcripts that changed. The filters "
        "below apply to records, so they are refused with --sessions.\n\n" + FILTER_HELP,
        epilog="examples:\n  git mem search postgres migration\n"
        "  git mem search '\"connection pool\" -redis' --type decision\n"
        "  git mem search 'tag:deploy OR tag:ci' --since '1 month ago' --json\n"
        "  git mem search flaky test --ids --limit 3\n"
        "  git mem search 'why did we pick postgres over mongo?'\n"
        "  git mem search retry timeout --match all\n"
        "  git mem search --sessions refresh token role:assistant\n"
        "  git mem search --everything why postgres\n"
        "  git mem search --repos ../api,../web token expiry\n"
        "  git mem search --workspace retry policy\n"
        "  git mem search --server postgres migration\n"
        "  git mem search --server=postgresql://ro@db/memory --sessions flaky test",
    ) as p:
        add_global(p, "search")
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--repos",
            action="append",
            metavar="PATH",
            help="search these repositories instead (a comma list, or repeat it), ranked "
            "together, each hit naming its repository",
        )
        where.add_argument(
            "--workspace",
            action="store_true",
            help="search the repositories of [workspace] repos in ~/.config/gitmem/config.toml",
        )
        p.add_argument("query", nargs="+", help="what to look for (see query syntax)")
        scope = p.add_mutually_exclusive_group()
        scope.add_argument(
            "--sessions",
            action="store_true",
            help="search the messages of session transcripts instead of records",
        )
        scope.add_argument(
            "--everything",
            action="store_true",
            help="search records and session messages together, ranked in one list",
        )
        add_filters(p)
        p.add_argument(
            "-n", "--limit", type=int, default=10, metavar="N", help="at most N hits (default 10)"
        )
        p.add_argument(
            "--sort",
            choices=["relevance", "newest"],
            default="relevance",
            help="order of the hits (default relevance)",
        )
        add_server(p, "search every repository published to this PostgreSQL database")
        p.add_argument(
            "--match",
            choices=["any", "all"],
            default="any",
            help="plain words: any of them may match, ranked (default), or all must",
        )
        out = p.add_mutually_exclusive_group()
        out.add_argument(
            "--json",
            action="store_true",
            help="hits as JSON: score, id, type, snippet, the words each matched, fields",
        )
        out.add_argument("--ids", action="store_true", help="only the ids, one per line")
