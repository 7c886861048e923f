"""`git mem mcp`: the tools of `mcp_tools` served over stdio with the `mcp` SDK.

With `mcp_http` (the same server over streamable HTTP), the only module that imports `mcp` (an
optional extra). Tool calls run one at a time in a
worker thread (the Store and the index are not made for concurrent use within one process;
the event loop stays free to answer pings). Every failure becomes a tool error (isError) with
one line of text, and the server keeps serving: GitMemError as its message, bad arguments as
the schema violation, anything else logged under the git common dir like `main` does.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import jsonschema
from mcp import types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError

from gitmem import __version__
from gitmem.assist import mcp_assist
from gitmem.assist.mcp_tools import TOOLS, Caller, Reply
from gitmem.assist.mcp_transport import checked_stdio
from gitmem.errors import GitMemError, log_unexpected
from gitmem.output import notice
from gitmem.records.store import Store
from gitmem.records.warm import WarmRepo
from gitmem.store import git, personal
from gitmem.store.types import TYPE_NAMES

INSTRUCTIONS = (
    "gitmem is this project's memory, kept in its git repository: decisions and their "
    "rationale, facts, error fixes, procedures, code patterns, preferences and session "
    "summaries. Read the context pack first (the context tool, or the gitmem://context "
    "resource). Search it (search, list, show) before deciding something the project may "
    "already have decided; save what a future session should know (save, update, "
    "supersede); records written here are reviewed and committed like code. session_start, "
    "session_log and session_end keep a transcript and leave a summary for the next session."
)
CONTEXT_URI = "gitmem://context"
RESOURCE_NOT_FOUND = -32002  # the MCP spec's code for an unknown resource URI
# Whether the HTTP request behind a tool call may run a write tool: None, or why not.
WriteCheck = Callable[[Any], str | None]
T = TypeVar("T")


# The record tools work on the project's memory or, with `memory: "global"`, on the caller's
# personal memory (gitmem.store.personal: created by the first write, every write committed).
PERSONAL_TOOLS = ("save", "search", "show", "list", "update", "delete", "supersede", "context")


def with_memory(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A record tool's schema with its `memory` argument."""
    if name not in PERSONAL_TOOLS:
        return schema
    memory = {
        "type": "string",
        "enum": ["repo", "global"],
        "description": "repo (default): this project's memory; global: the user's personal "
        "memory, for preferences and learnings that follow them across projects",
    }
    return {**schema, "properties": {**schema["properties"], "memory": memory}}


class GitMem:
    """The handlers, bound to the repository found from one directory.

    The server starts even where there is no repository (a client that sees it exit shows
    only "Connection closed"): then every tool call answers with what is wrong, and the
    repository is looked for again on each call until one is found (`git init` meanwhile).
    """

    def __init__(
        self,
        start: Path,
        may_write: WriteCheck | None = None,
        warm: WarmRepo | None = None,
        serial: threading.Lock | None = None,
    ) -> None:
        """`may_write`: over HTTP, whether the request of a call may run a write tool (None:
        yes; a text: no, and why). Over stdio every tool may run.

        `warm` and `serial`: the WarmRepo of a server that also answers other requests on the
        same repository (`git mem serve`), and the lock its work holds. The calls here then
        share its warm core (one watcher, one kept index) and hold the same lock, so a tool call
        never runs beside one of its requests (a Store is not made for concurrent use within
        one process). That server owns `warm` and closes it."""
        self.start = start
        self.may_write = may_write
        self._repo: git.RepoInfo | None = warm.repo if warm is not None else None
        self._warm: WarmRepo | None = warm
        self._owns_warm = warm is None
        self._serial: contextlib.AbstractContextManager[Any] = (
            serial if serial is not None else contextlib.nullcontext()
        )
        self._lock = anyio.Lock()

    def repo(self) -> git.RepoInfo:
        if self._repo is None:
            self._repo = find_repo(self.start)
        return self._repo

    def store(self) -> Store:
        # A Store per call (a Store refreshes its catalog once, and files and notes change
        # behind a long-lived server's back: editors, git pull, other `git mem`s), of one
        # WarmRepo: it looks only at what changed since the last call, the index kept open.
        if self._warm is None:
            self._warm = WarmRepo(self.repo())
        return self._warm.store(notify=notice, resident=True)  # (`[search] semantic` auto: on)

    def close(self) -> None:
        if self._warm is not None and self._owns_warm:
            self._warm.close()

    async def in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a worker thread, one call at a time (and, with a shared WarmRepo,
        one at a time with the other users of its lock)."""

        def serially() -> T:
            with self._serial:
                return work(*args)

        async with self._lock:
            return await anyio.to_thread.run_sync(serially)

    def log_dir(self) -> Path | None:
        return self._repo.state_dir / "logs" if self._repo is not None else None

    def schemas(self) -> dict[str, dict[str, Any]]:
        try:
            types_ = self.store().config.type_names  # custom types from .memory/config.toml
        except GitMemError:
            # A broken config.toml must not hide the tools: each call will report it.
            types_ = list(TYPE_NAMES)
        return {name: with_memory(name, spec.schema(types_)) for name, spec in TOOLS.items()}

    async def list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        schemas = await self.in_thread(self.schemas)
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=name,
                    description=spec.description,
                    input_schema=schemas[name],
                    annotations=types.ToolAnnotations(
                        read_only_hint=spec.read_only,
                        destructive_hint=spec.destructive,
                        idempotent_hint=spec.idempotent,
                        open_world_hint=False,  # only this repository
                    ),
                )
                for name, spec in TOOLS.items()
            ]
        )

    async def call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        caller = Caller(client_name(ctx))
        arguments = dict(params.arguments or {})
        spec = TOOLS.get(params.name)
        if spec is not None and not spec.read_only and self.may_write is not None:
            refusal = self.may_write(ctx.request)
            if refusal is not None:
                return error_result(f"{params.name}: {refusal}")
        return await self.in_thread(self.call, params.name, arguments, caller)

    def call(self, name: str, arguments: dict[str, Any], caller: Caller) -> types.CallToolResult:
        """Run one tool; never raises (the server must outlive any one call)."""
        try:
            spec = TOOLS.get(name)
            if spec is None:
                return error_result(f"unknown tool {name!r}: expected one of {', '.join(TOOLS)}")
            personal_memory = arguments.get("memory") == "global" and name in PERSONAL_TOOLS
            if personal_memory:
                repo = personal.open_repo(create=not spec.read_only)
                store = Store(repo, notify=notice, resident=True)
            else:
                store = self.store()
            schema = with_memory(name, spec.schema(store.config.type_names))
            problem = schema_problem(schema, arguments)
            if problem is not None:
                return error_result(f"invalid arguments for {name}: {problem}")
            arguments.pop("memory", None)
            reply = spec.handler(store, arguments, caller)
            if personal_memory and not spec.read_only:
                personal.commit(store.repo, f"git mem mcp {name}")
        except GitMemError as error:
            return error_result(str(error))
        except Exception as error:
            where = log_unexpected(error, self.log_dir())  # the one error log format
            return error_result(f"unexpected {type(error).__name__}: {error} (details in {where})")
        return result(reply)

    async def list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=CONTEXT_URI,
                    name="context",
                    title="Project memory: context pack",
                    description="The context pack of `git mem context` (default budget): "
                    "active decisions, facts, preferences, procedures, recent sessions, "
                    "errors and patterns, as Markdown.",
                    mime_type="text/markdown",
                )
            ]
        )

    async def read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        if str(params.uri) != CONTEXT_URI:
            raise MCPError(RESOURCE_NOT_FOUND, f"unknown resource {params.uri}: try {CONTEXT_URI}")
        markdown = await self.in_thread(self.context_markdown)
        contents = types.TextResourceContents(
            uri=CONTEXT_URI, mime_type="text/markdown", text=markdown
        )
        return types.ReadResourceResult(contents=[contents])

    def context_markdown(self) -> str:
        try:
            pack = mcp_assist.context_pack(self.store())
        except GitMemError as error:
            raise MCPError(types.INTERNAL_ERROR, str(error)) from None
        return pack.markdown()


def find_repo(start: Path) -> git.RepoInfo:
    """The repository `start` is in, or a GitMemError that names the problem and the fix."""
    how = "start the server inside a repository, or give it one: git mem mcp --repo PATH"
    if not start.is_dir():
        raise GitMemError(f"no repository: {start} is not a directory; {how}")
    try:
        return git.discover(start)
    except GitMemError as error:
        raise GitMemError(f"no repository at {start}: {error}; {how}") from None


def client_name(ctx: ServerRequestContext[Any]) -> str | None:
    """clientInfo.name from `initialize`, when the client gave one."""
    params = ctx.session.client_params
    if params is None or not params.client_info.name.strip():
        return None
    return params.client_info.name.strip()


def schema_problem(schema: dict[str, Any], arguments: dict[str, Any]) -> str | None:
    """The most relevant way `arguments` break `schema`, as one line; None when they fit."""
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
    if error is None:
        return None
    where = ".".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def result(reply: Reply) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=reply.rendered())], structured_content=reply.data
    )


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def server(
    start: Path,
    may_write: WriteCheck | None = None,
    warm: WarmRepo | None = None,
    serial: threading.Lock | None = None,
) -> Server[Any]:
    """The MCP server for the repository `start` is in (see `GitMem` for the arguments)."""
    return _server(GitMem(start, may_write, warm, serial))


def _server(handlers: GitMem) -> Server[Any]:
    return Server(
        "gitmem",
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_resources=handlers.list_resources,
        on_read_resource=handlers.read_resource,
    )


async def _serve(start: Path) -> None:
    handlers = GitMem(start)
    app = _server(handlers)
    try:
        async with checked_stdio() as (read, write):  # malformed lines get JSON-RPC errors
            await app.run(read, write, app.create_initialization_options())
    finally:
        handlers.close()


def serve(start: Path) -> None:
    """Serve MCP on stdin/stdout for the repository `start` is in, until the client closes
    stdin."""
    anyio.run(_serve, start)
