"""Talking to `git mem mcp` as an assistant would: the SDK's stdio client, a real process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from mcp import ClientSession, StdioServerParameters, stdio_client, types

GIT_MEM = Path(sys.executable).parent / "git-mem"
CLIENT = "gitmem-test-client"


@contextlib.asynccontextmanager
async def connect(
    cwd: Path, client: str = CLIENT, args: tuple[str, ...] = ()
) -> AsyncIterator[ClientSession]:
    """A session with `git mem mcp ARGS` started in `cwd` (its stderr appended to
    `cwd.parent / "server-stderr.txt"`)."""
    params = StdioServerParameters(
        command=str(GIT_MEM), args=["mcp", *args], cwd=str(cwd), env=dict(os.environ)
    )
    with open(cwd.parent / "server-stderr.txt", "a", encoding="utf-8") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            info = types.Implementation(name=client, version="1.0")
            async with ClientSession(read, write, client_info=info) as session:
                await session.initialize()
                yield session


def drive(cwd: Path, scenario: Callable[[ClientSession], Awaitable[None]], **kw: Any) -> None:
    async def main() -> None:
        async with connect(cwd, **kw) as session:
            await scenario(session)

    asyncio.run(main())


async def ok(session: ClientSession, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A successful call's structured result (also checked against its text content)."""
    result = await session.call_tool(tool, arguments)
    text = result.content[0].text if isinstance(result.content[0], types.TextContent) else ""
    assert not result.is_error, text
    assert isinstance(result.structured_content, dict)
    assert json.loads(text) == result.structured_content
    return result.structured_content


async def fails(session: ClientSession, tool: str, arguments: dict[str, Any]) -> str:
    """A failed call's message (a tool error, isError, one text block)."""
    result = await session.call_tool(tool, arguments)
    assert result.is_error, result
    assert len(result.content) == 1 and isinstance(result.content[0], types.TextContent)
    return result.content[0].text


def front_matter(path: Path) -> dict[str, Any]:
    fields: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return fields


def cli_json(*args: str) -> Any:
    proc = subprocess.run([str(GIT_MEM), *args, "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
