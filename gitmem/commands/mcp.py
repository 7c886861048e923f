"""`git mem mcp`: serve this repository's memory to an AI assistant over MCP (stdio)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gitmem.errors import GitMemError
from gitmem.output import warn

# The packages the `mcp` extra brings; an ImportError naming one of them means the extra is
# missing (or broken), anything else is a bug of ours and must not be dressed up as that.
EXTRA_PACKAGES = ("mcp", "mcp_types", "anyio", "jsonschema", "pydantic")


def missing_extra() -> str:
    # The PyPI name gitmem is another project's: say how to install into *this* Python.
    return (
        "the MCP server needs the mcp extra: pip install '.[mcp]' in gitmem's checkout, "
        f"or {sys.executable} -m pip install 'mcp>=2.3,<3'"
    )


def run(args: argparse.Namespace) -> int:
    try:
        from gitmem.assist import mcp_server
    except ImportError as error:
        if (error.name or "").split(".")[0] in EXTRA_PACKAGES:
            raise GitMemError(missing_extra()) from None
        raise
    start = Path(args.repo).expanduser().absolute() if args.repo else Path.cwd()
    if start.is_dir():
        os.chdir(start)  # relative paths in tool arguments, git's discovery: as if started there
    try:
        mcp_server.find_repo(start)
    except GitMemError as error:
        # Serve anyway: a client shows an exiting server only as "Connection closed"; every
        # tool call will answer with this (the client's log shows this line).
        warn(f"{error} (serving anyway: each tool call answers with this error)")
    mcp_server.serve(start)
    return 0
