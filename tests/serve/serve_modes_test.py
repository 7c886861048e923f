"""The server's other modes over real HTTP, served in-process by uvicorn on free ports: read-only
(the default), remote (the token on every request, a browser's cookie), MCP at /mcp with the
token rule for write tools, and the command's refusals."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import make_repo, write_record
from serverepo import build

from gitmem.records.warm import WarmRepo
from gitmem.serve import runner
from gitmem.store import git

pytestmark = pytest.mark.slow  # three servers and a repository: a few seconds


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import _isolate

    base = tmp_path_factory.mktemp("modes")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, base / "home")
        build(base / "repo")
    return base / "repo"


@pytest.fixture
def serve(root: Path) -> Iterator[Callable[..., tuple[str, str]]]:
    """Start a server on `root` (or `where`) with (host, remote, writes, database); returns
    (url, token)."""
    stack: list[Any] = []

    def start(
        host: str = "127.0.0.1",
        remote: bool = False,
        writes: bool = False,
        database: str | None = None,
        where: Path | None = None,
    ) -> tuple[str, str]:
        repo = git.discover(where or root)
        sock = runner.bind(host, 0)
        port = sock.getsockname()[1]
        policy = runner.policy(repo, host, port, remote, writes)
        app, problem = runner.application(repo, policy, database)
        assert problem is None
        context = runner.listening(app, sock)
        context.__enter__()
        stack.append(context)
        return f"http://{host}:{port}", policy.token

    yield start
    for context in stack:
        context.__exit__(None, None, None)


def test_read_only_by_default(serve: Callable[..., tuple[str, str]]) -> None:
    url, token = serve()
    answer = httpx.post(
        url + "/api/v1/records", json={"text": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == (
        "this server is read-only: start it with git mem serve --allow-writes"
    )
    assert httpx.get(url + "/api/v1/records/pgsq").status_code == 200


def test_remote_wants_the_token_on_every_request(serve: Callable[..., tuple[str, str]]) -> None:
    # 127.0.0.2 is loopback too, but not one of the names the loopback rules trust: it stands
    # for "another address" without leaving this machine.
    url, token = serve("127.0.0.2", remote=True)
    bare = httpx.get(url + "/api/v1/records")
    assert bare.status_code == 401
    assert bare.json()["error"] == (
        "this server wants its token on every request: Authorization: Bearer TOKEN"
    )
    assert httpx.get(url + "/", headers={"Authorization": "Bearer nope"}).status_code == 401
    good = httpx.get(url + "/api/v1/records", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert httpx.post(url + "/mcp", json={"jsonrpc": "2.0", "id": 1}).status_code == 401
    # A browser opens the printed link once; the token moves to a SameSite cookie.
    with httpx.Client() as browser:
        first = browser.get(url + "/", params={"token": token})
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert "HttpOnly; SameSite=Strict" in first.headers["set-cookie"]
        assert browser.get(url + "/").status_code == 200
        # ... which is good for reading only: a write wants the header
        assert browser.post(url + "/api/v1/backups", json={"action": "create"}).status_code == 401


def mcp_call(url: str, session: str | None, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-06-18",
    }
    if session:
        headers["Mcp-Session-Id"] = session
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(url + "/mcp", json=body, headers=headers, timeout=30)


def mcp_session(url: str, token: str | None = None) -> str:
    hello = mcp_call(
        url,
        None,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "http-test", "version": "1"},
            },
        },
        token,
    )
    assert hello.status_code == 200, hello.text
    session = hello.headers["mcp-session-id"]
    done = mcp_call(url, session, {"jsonrpc": "2.0", "method": "notifications/initialized"}, token)
    assert done.status_code == 202, done.text
    return session


def tool(url: str, session: str, name: str, args: dict[str, Any], token: str | None = None) -> Any:
    body = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": name, "arguments": args},
    }
    answer = mcp_call(url, session, body, token)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def test_mcp_over_http_reads_freely_and_writes_with_the_token(
    serve: Callable[..., tuple[str, str]],
) -> None:
    url, token = serve(writes=True)
    session = mcp_session(url)
    found = tool(url, session, "search", {"query": "postgresql"})
    assert [hit["id"] for hit in found["structuredContent"]["hits"]] == ["pgsqdb000002"]
    refused = tool(url, session, "save", {"text": "over http"})
    assert refused["isError"] is True
    assert refused["content"][0]["text"] == (
        "save: write tools need the token: Authorization: Bearer TOKEN (see git mem serve)"
    )
    mine = mcp_session(url, token)
    saved = tool(url, mine, "save", {"text": "Saved over MCP HTTP"}, token)
    assert saved.get("isError") is not True, saved
    new = saved["structuredContent"]["id"]
    assert httpx.get(f"{url}/api/v1/records/{new}").json()["title"] == "Saved over MCP HTTP"
    assert (
        httpx.delete(
            f"{url}/api/v1/records/{new}",
            params={"force": "1"},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        == 200
    )


def test_serve_refuses_another_address_without_allow_remote(mem: Callable[..., Any]) -> None:
    result = mem("serve", "--host", "0.0.0.0")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: --host 0.0.0.0 makes the memory reachable from other machines: add "
        "--allow-remote (every request then needs the token)\n"
    )


def test_mcp_write_tools_on_a_read_only_server(serve: Callable[..., tuple[str, str]]) -> None:
    url, token = serve()
    session = mcp_session(url, token)
    refused = tool(url, session, "save", {"text": "not here"}, token)
    assert refused["isError"] is True
    assert refused["content"][0]["text"] == (
        "save: this server is read-only: start it with git mem serve --allow-writes"
    )
    assert tool(url, session, "show", {"id": "pgsq"}, token).get("isError") is not True


def warm_cores(root: Path) -> list[WarmRepo]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, WarmRepo) and o.repo.work_tree == root]


def test_mcp_shares_the_servers_warm_core(
    serve: Callable[..., tuple[str, str]], tmp_path: Path
) -> None:
    """/mcp and the API/UI read through one WarmRepo (one watcher, one kept index), and their
    work holds one lock: tool calls and API requests in parallel threads all answer right."""
    where = tmp_path / "alone"  # a repository no other server of this module has opened
    make_repo(where)
    write_record(where, "facts/a.md", "sh4redc0re01", title="Shared warm core", body="Warm.\n")
    url, token = serve(writes=True, where=where)
    assert httpx.get(url + "/api/v1/records/sh4r").status_code == 200
    session = mcp_session(url, token)
    found = tool(url, session, "search", {"query": "warm"}, token)
    assert [hit["id"] for hit in found["structuredContent"]["hits"]] == ["sh4redc0re01"]
    [core] = warm_cores(where.resolve())  # the MCP calls did not make a second one

    failures: list[str] = []

    def api() -> None:
        for _ in range(5):
            answer = httpx.get(url + "/api/v1/search", params={"q": "warm"}, timeout=60)
            if [hit["id"] for hit in answer.json()["hits"]] != ["sh4redc0re01"]:
                failures.append(answer.text)

    def mcp() -> None:
        for n in range(5):
            saved = tool(url, session, "save", {"text": f"Parallel {n}", "tags": ["par"]}, token)
            if saved.get("isError"):
                failures.append(str(saved))

    threads = [threading.Thread(target=f) for f in (api, api, mcp)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    listed = httpx.get(url + "/api/v1/records", params={"tag": "par"}).json()
    assert sorted(row["title"] for row in listed["records"]) == [f"Parallel {n}" for n in range(5)]
    assert warm_cores(where.resolve()) == [core]


def test_openapi_lists_the_org_api_only_with_a_database(
    serve: Callable[..., tuple[str, str]],
) -> None:
    bare, _ = serve()
    schema = httpx.get(bare + "/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if path.startswith("/api/v1/org/")]
    missing = httpx.get(bare + "/api/v1/org/search", params={"q": "x"})
    assert missing.status_code == 404
    assert missing.json()["error"].startswith("this server has no database: start git mem serve")

    # Port 9 (discard) answers nothing: the server starts, and a request says why.
    url, _ = serve(database="postgresql://reader@127.0.0.1:9/memory")
    schema = httpx.get(url + "/api/v1/openapi.json").json()
    search = schema["paths"]["/api/v1/org/search"]["get"]
    assert [p["name"] for p in search["parameters"]] == [
        "q", "scope", "limit", "sort", "type", "tag", "status", "author", "source", "project",
        "since", "until", "path", "commit", "all",
    ]  # fmt: skip
    assert search["parameters"][1]["description"] == (
        "records (default) or sessions (transcript messages)"
    )
    report = schema["paths"]["/api/v1/org/reports/{kind}"]["get"]
    assert [(p["name"], p["in"]) for p in report["parameters"]] == [
        ("kind", "path"),
        ("format", "query"),
        ("since", "query"),
        ("until", "query"),
    ]
    assert report["summary"] == (
        "a report across every published repository: activity, timeline, components, errors, "
        "sessions, extraction"
    )
    assert sorted(report["responses"]) == ["200", "400", "404", "422"]
    down = httpx.get(url + "/api/v1/org/search", params={"q": "x"}, timeout=60)
    assert down.status_code == 422, down.text
    assert down.json()["error"] == (
        "cannot reach PostgreSQL at 127.0.0.1:9/memory: connection refused (is the server running?)"
    )
