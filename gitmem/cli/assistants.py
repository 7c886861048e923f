"""Parsers of the commands for coding assistants: mcp, serve, import, context, assistant,
export (session, with its actions, in `sessions`)."""

from __future__ import annotations

from gitmem.cli.common import add_command, add_filters, add_global

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from gitmem.cli.common import Subparsers


def add_mcp(sub: Subparsers) -> None:
    with add_command(
        sub,
        "mcp",
        help="serve memories to AI assistants over MCP (stdio)",
        description="Run a Model Context Protocol server on stdin/stdout for this repository, "
        "so an AI assistant can search, read, save and update its memories. Tools: save, "
        "search, show, list, update, delete, supersede, context, session_start, session_log, "
        "session_end, sessions; resource: gitmem://context (the context pack). Records "
        "written through it get source: mcp and the client's name as tool. Needs the mcp "
        "extra: pip install '.[mcp]' in gitmem's checkout. An MCP client starts it; it is "
        "not run by hand.",
        epilog="examples:\n  claude mcp add gitmem -- git-mem mcp --repo /path/to/project\n"
        '  {"mcpServers": {"gitmem": {"command": "git-mem", '
        '"args": ["mcp", "--repo", "/path/to/project"]}}}',
    ) as p:
        p.add_argument(
            "--repo",
            metavar="PATH",
            help="serve the repository PATH is in (default: the one the server starts in), "
            "for clients that cannot set a working directory; without a repository the "
            "server still starts and each tool call answers with the error",
        )


def add_serve(sub: Subparsers) -> None:
    with add_command(
        sub,
        "serve",
        help="a local web UI, REST API and MCP over HTTP",
        description="Serve this repository's memory over HTTP: a web UI (search with facets, "
        "records with their supersedes chains, decisions, timeline, sessions and transcripts, "
        "reports, deploys with the DORA measures), a REST API under /api/v1 (OpenAPI at "
        "/api/v1/openapi.json) and MCP over streamable HTTP at /mcp (with the mcp extra). It "
        "reads through the same code as the CLI, so every answer is fresh. Listens on "
        "127.0.0.1 only, checks Host and Origin, and prints a bearer token (kept in "
        "<git-common-dir>/gitmem/serve-token, mode 0600): writes need it and --allow-writes; "
        "another address needs --allow-remote and the token on every request. With a database "
        "(--database, or as git mem publish finds it), /api/v1/org/ searches and reports across "
        "every published repository. Needs the serve extra: pip install '.[serve]' in gitmem's "
        "checkout.",
        epilog="examples:\n  git mem serve --open\n  git mem serve --port 8765 --allow-writes\n"
        "  curl -s 'http://127.0.0.1:8765/api/v1/search?q=postgres'\n"
        "  git mem serve --database postgresql://reader@db/memory  "
        "# and /api/v1/org/search?q=postgres",
    ) as p:
        p.add_argument(
            "--port", type=int, default=8765, metavar="N", help="listen on port N (default 8765)"
        )
        p.add_argument(
            "--host",
            default="127.0.0.1",
            metavar="ADDR",
            help="listen on ADDR (default 127.0.0.1; any other needs --allow-remote)",
        )
        p.add_argument(
            "--allow-remote",
            action="store_true",
            help="allow an address other than loopback; every request then needs the token",
        )
        p.add_argument(
            "--allow-writes",
            action="store_true",
            help="accept POST/PATCH/DELETE on records (with the token; read-only otherwise)",
        )
        p.add_argument(
            "--new-token", action="store_true", help="replace the kept token with a new one"
        )
        p.add_argument("--open", action="store_true", help="open the web UI in a browser")
        p.add_argument(
            "--database",
            metavar="URL",
            help="answer /api/v1/org/search and /api/v1/org/reports/KIND from the PostgreSQL "
            "database git mem publish fills (default: GITMEM_DATABASE_URL, [publish] url)",
        )


def add_import(sub: Subparsers) -> None:
    with add_command(
        sub,
        "import",
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
        "  git mem import ~/.claude/projects/-home-me-proj/abc.jsonl --summaries\n"
        "  git mem import export.json --format json --dry-run --json\n"
        "  git mem import --from-hook < hook-input.json\n"
        "  git mem import --format adr doc/adr --dry-run\n"
        "  git mem import --format markdown ~/notes/memory/",
        json="print the counts and problems as JSON",
    ) as p:
        p.add_argument("files", nargs="*", metavar="FILE", help="files or directories to import")
        p.add_argument(
            "--from-hook",
            action="store_true",
            help="import the transcript an assistant's session-end hook names in the JSON on "
            "stdin (Claude Code's transcript_path); never fails the hook",
        )
        p.add_argument(
            "--format",
            choices=(
                "auto",
                "claude-code",
                "jsonl",
                "json",
                "adr",
                "markdown",
                "records",
                "contextfs",
                "global",
            ),
            default="auto",
            help="conversations: auto (default, detected per file), claude-code, jsonl, json; "
            "records: adr (an ADR directory: adr-tools, MADR, log4brains), markdown (a folder "
            "of Markdown memory files), records (gitmem export output), contextfs (a ContextFS "
            "export: JSON or JSONL memories), global (a "
            "~/.global/memory/<project>/ tree: records, conversations and checkpoints)",
        )
        p.add_argument("--label", metavar="L", help="label every imported session L")
        p.add_argument(
            "--summaries",
            action="store_true",
            help="also write a generated summary memory per session (episodic, in "
            ".memory/sessions/, as `session end` does); importing again writes none twice",
        )
        p.add_argument(
            "-n",
            "--dry-run",
            action="store_true",
            help="count what would be imported, write nothing",
        )


def add_context(sub: Subparsers) -> None:
    with add_command(
        sub,
        "context",
        help="a context pack for an assistant's session",
        description="Print the project's memory as a Markdown context pack for the start of an "
        "assistant's session, most useful first and cut to a budget of tokens (estimated as "
        "characters / 4, the whole output included): active decisions, facts, user "
        "preferences, procedures, the last session summaries, errors and patterns, then the "
        "ids left out ('more: git mem show ID'). --query and --path move the records they "
        "match to the top of each section. The same repository state gives the same bytes.",
        epilog="examples:\n  git mem context\n  git mem context --budget 500 --path src/db/\n"
        "  git mem context --query 'postgres migration' --json\n"
        "  git mem context --write AGENTS.md\n"
        "  git mem context --write .cursor/rules/gitmem.mdc --budget 1000",
        json="the same as --format json",
    ) as p:
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
        p.add_argument(
            "--all",
            action="store_true",
            help="also records in notes on commits that neither HEAD nor the default branch "
            "reaches (an unmerged or deleted branch), left out by default",
        )
        add_global(p, "the pack of")
        p.add_argument(
            "--no-personal",
            action="store_true",
            help="leave out the preferences of your personal memory (included when it exists)",
        )
        p.add_argument(
            "--write",
            metavar="FILE",
            help="keep the pack in a marked section of FILE (AGENTS.md, CLAUDE.md, a Cursor "
            "rules file) instead of printing it: created if missing, appended once, then "
            "replaced in place; the rest of the file is never touched",
        )


def add_assistant(sub: Subparsers) -> None:
    from gitmem.assist.installers import ASSISTANTS

    with add_command(
        sub,
        "assistant",
        help="wire an AI assistant's own files to gitmem",
        description="Run 'git mem assistant install NAME' to connect an assistant to this "
        "repository's memory through its own files, merged with what is there (your settings, "
        "hooks and servers are kept; a second install changes nothing). claude-code: "
        ".claude/settings.json hooks (SessionStart: git mem context, whose output Claude Code "
        "adds to the session; SessionEnd: git mem import --from-hook, which imports the "
        "session's transcript) and the MCP server in .mcp.json. cursor: the context pack as an "
        "always-applied rule (.cursor/rules/gitmem.mdc) and the MCP server in "
        ".cursor/mcp.json. codex: the context pack in a marked section of AGENTS.md. The "
        "changes are shown as a diff first; on a terminal you are asked before anything is "
        "written.",
        epilog="examples:\n  git mem assistant install claude-code --dry-run\n"
        "  git mem assistant install cursor --yes\n  git mem assistant install codex --json",
        json="print the files changed as JSON (no diff)",
    ) as p:
        p.add_argument("action", choices=["install"], help="what to do")
        p.add_argument("name", choices=list(ASSISTANTS), help="the assistant")
        p.add_argument("-n", "--dry-run", action="store_true", help="show the diff, write nothing")
        p.add_argument("-y", "--yes", action="store_true", help="write without asking")
        p.add_argument(
            "--budget",
            type=int,
            default=2000,
            metavar="N",
            help="tokens of the context pack written into rule files (default 2000)",
        )


def add_export(sub: Subparsers) -> None:
    with add_command(
        sub,
        "export",
        help="write every memory out as JSONL, Markdown files or ADRs",
        description="Write the records (active ones; --all for every one) into DIR for other "
        "tools: jsonl (memories.jsonl, one record per line, every field and the body), markdown "
        "(TYPE/DATE-ID.md, the records as gitmem stores them), adr (decisions only, in adr-tools' "
        "shape: NNNN-title.md with Date, Status and Supersedes links, numbered by date). Each "
        "file carries the record's id, so `git mem import --format records|adr DIR` adds "
        "nothing. A file already in DIR with other content is refused before anything is "
        "written.",
        epilog="examples:\n  git mem export --format adr doc/adr\n"
        "  git mem export --format jsonl backup/ --all\n"
        "  git mem export --format markdown out/ --type decision --type fact",
        json="print what was written as JSON",
    ) as p:
        p.add_argument("directory", metavar="DIR", help="where to write (created if missing)")
        p.add_argument(
            "--format",
            choices=("jsonl", "markdown", "adr"),
            required=True,
            help="jsonl, markdown or adr",
        )
        add_filters(p)
