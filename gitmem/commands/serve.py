"""`git mem serve`: the web UI, the REST API and MCP over HTTP for this repository."""

from __future__ import annotations

import argparse
import sys

from gitmem.errors import GitMemError, UsageError
from gitmem.output import notice, warn
from gitmem.serve.guard import LOOPBACK
from gitmem.store import git

# The packages the `serve` extra brings; an ImportError naming one means the extra is missing.
EXTRA_PACKAGES = ("starlette", "uvicorn", "jinja2", "markdown_it", "nh3")


def missing_extra() -> str:
    return (
        "the web UI needs the serve extra: pip install '.[serve]' in gitmem's checkout, "
        f"or {sys.executable} -m pip install starlette uvicorn jinja2 markdown-it-py nh3"
    )


def _database(given: str | None, repo: git.RepoInfo) -> str | None:
    """The published database the org API reads: --database, else as `publish` finds one;
    None when there is none (checked: a bad URL is a usage error at start)."""
    from gitmem.publish import connect

    memory_dir = repo.work_tree / ".memory" if repo.work_tree else None
    url = connect.find(given, memory_dir)
    if url is not None:
        connect.check(url)
    return url


def run(args: argparse.Namespace) -> int:
    if args.host not in LOOPBACK and not args.allow_remote:
        raise UsageError(
            f"--host {args.host} makes the memory reachable from other machines: "
            "add --allow-remote (every request then needs the token)"
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    try:
        from gitmem.serve import runner
    except ImportError as error:
        if (error.name or "").split(".")[0] in EXTRA_PACKAGES:
            raise GitMemError(missing_extra()) from None
        raise
    repo = git.discover()
    sock = runner.bind(args.host, args.port)
    port = sock.getsockname()[1]  # --port 0: the one the system chose
    policy = runner.policy(
        repo, args.host, port, args.allow_remote, args.allow_writes, renew=args.new_token
    )
    database = _database(args.database, repo)
    app, mcp_problem = runner.application(repo, policy, database)
    if mcp_problem:
        warn(f"no MCP endpoint: {mcp_problem}")
    host = f"[{args.host}]" if ":" in args.host else args.host
    with runner.listening(app, sock):
        url = f"http://{host}:{port}/"
        notice(f"serving {repo.work_tree or repo.git_dir} at {url} (Ctrl-C stops)")
        notice(f"token: {policy.token} (kept in {runner.token_path(repo)})")
        if database:
            from gitmem.publish import connect

            notice(f"across repositories: {url}api/v1/org/ reads {connect.where(database)}")
        notice("writes: " + ("on, with the token" if args.allow_writes else "off (read-only)"))
        if args.open:
            import webbrowser

            webbrowser.open(url + (f"?token={policy.token}" if args.allow_remote else ""))
        runner.wait()
    return 0
